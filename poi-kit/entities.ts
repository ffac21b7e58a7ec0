import { EntitySchema } from 'typeorm';
import { decimalToNumber } from '../shared/db';
import { AuditEntryEntity } from '../shared/audit';
import { IdempotencyKeyEntity } from '../shared/idempotency';
import type { Province } from '../shared/registry';
import type { ReleaseTestStatus } from '../shared/wise-releases';
import type { FinePolicyKind } from '../shared/wise-settings';

export const CONTRACT_STATUSES = ['DRAFT', 'ACTIVE', 'EXPIRED', 'TERMINATED'] as const;
export const CONTRACT_SERVICES = ['WISE_HOSTING', 'FUNCTIONAL_MANAGEMENT', 'HELPDESK', 'CATALOGUING', 'INTERLIBRARY_LOAN', 'DATA_ANALYTICS'] as const;
export const TICKET_CATEGORIES = ['RESERVATIONS', 'FINES', 'MEMBERSHIP', 'CATALOGUE', 'CIRCULATION', 'REPORTING', 'INTERFACES'] as const;
/** A library organisation is ACTIVE, or MERGED into its successor (history: it counts in no current figure). */
export const LIBRARY_STATUSES = ['ACTIVE', 'MERGED'] as const;
export const TICKET_PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
/** The kind of request (`TicketType` in the schema). */
export const TICKET_TYPES = ['INCIDENT', 'QUESTION', 'CHANGE_REQUEST'] as const;
export const TICKET_STATUSES = ['OPEN', 'IN_PROGRESS', 'WAITING', 'RESOLVED', 'CLOSED'] as const;
/** Statuses that count as "open" in statistics. */
export const OPEN_TICKET_STATUSES = ['OPEN', 'IN_PROGRESS', 'WAITING'] as const;

export type LibraryStatus = (typeof LIBRARY_STATUSES)[number];
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];
export type ContractService = (typeof CONTRACT_SERVICES)[number];
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketType = (typeof TICKET_TYPES)[number];

export interface Library {
  id: number;
  name: string;
  province: Province;
  municipalities: string[];
  mainCity: string | null;
  /** The Wise platform the library runs on (a WisePlatform code of the collaboration); null: its POI's default platform. */
  wisePlatformCode: string | null;
  memberCount: number;
  status: LibraryStatus;
  /** First day as this organisation (null: before the sources go back). */
  activeFrom: string | null;
  /** Last day, for a MERGED library. */
  activeUntil: string | null;
  /** The library it merged into. */
  successorId: number | null;
  version: number;
}

export interface Branch {
  id: number;
  libraryId: number;
  name: string;
  city: string;
  postalCode: string;
  isMain: boolean;
}

export interface Contract {
  id: number;
  libraryId: number;
  services: ContractService[];
  startsOn: string;
  endsOn: string;
  status: ContractStatus;
  annualFee: number;
  noticePeriodMonths: number;
  version: number;
}

/** One service level of an agreement (DVO): response and resolution times, in clock hours, for one request priority. */
export interface ContractServiceLevel {
  id: number;
  contractId: number;
  priority: TicketPriority;
  responseHours: number;
  resolutionHours: number;
}

export interface VendorContract {
  id: number;
  vendor: string;
  product: string;
  startsOn: string;
  endsOn: string;
  annualFee: number;
}

export interface Ticket {
  id: number;
  libraryId: number;
  title: string;
  category: TicketCategory;
  priority: TicketPriority;
  status: TicketStatus;
  openedAt: Date;
  resolvedAt: Date | null;
  agendaItemId: string | null;
  /** The POI's own request number, e.g. CUB-000123; the natural key for imports. */
  reference: string;
  assignee: string | null;
  type: TicketType;
  /** The vendor's case number once escalated to the vendor. */
  vendorCaseReference: string | null;
  /** The POI's first response (picked up or resolved); the response service level is measured to it. */
  firstResponseAt: Date | null;
  /** The Wise release (its version in the collaboration's release planning) the request is about. */
  releaseVersion?: string | null;
  version: number;
}

/** This POI's joint acceptance test of one Wise release, and its go-live. */
export interface ReleaseAcceptance {
  id: number;
  releaseVersion: string;
  testStatus: ReleaseTestStatus;
  plannedGoLiveOn: string | null;
  actualGoLiveOn: string | null;
  notes: string | null;
  version: number;
}

export interface KnowledgeArticle {
  id: number;
  title: string;
  summary: string;
  body: string;
  tags: string[];
  source: string;
  updatedAt: Date;
  version: number;
  /** Knowledge search's index (search-index.ts): the article's weighted length in terms, and what identical articles share. Kept by the kit, never written by clients. */
  termCount?: number;
  contentHash?: string;
}

/** One stem of a knowledge article and its weighted frequency there (search-index.ts). */
export interface KnowledgeTerm {
  articleId: number;
  term: string;
  tf: number;
}

const id = { type: Number, primary: true, generated: 'increment' } as const;
const libraryId = { type: 'int', name: 'library_id', foreignKey: { target: 'Library', onDelete: 'CASCADE' } } as const;
/** Optimistic locking: every update must name the version it read (see writes.ts). */
const version = { type: 'int', default: 1 } as const;
const money = { type: 'decimal', precision: 12, scale: 2, name: 'annual_fee', transformer: decimalToNumber } as const;

export const LibraryEntity = new EntitySchema<Library>({
  name: 'Library',
  tableName: 'library',
  columns: {
    id,
    name: { type: 'varchar', length: 200 },
    province: { type: 'varchar', length: 20 },
    municipalities: { type: 'simple-json' },
    mainCity: { type: 'varchar', length: 100, name: 'main_city', nullable: true },
    wisePlatformCode: { type: 'varchar', length: 40, name: 'wise_platform_code', nullable: true },
    memberCount: { type: 'int', name: 'member_count' },
    status: { type: 'varchar', length: 10, default: 'ACTIVE' },
    activeFrom: { type: 'date', name: 'active_from', nullable: true },
    activeUntil: { type: 'date', name: 'active_until', nullable: true },
    successorId: { type: 'int', name: 'successor_id', nullable: true },
    version,
  },
  indices: [
    { name: 'idx_library_status', columns: ['status'] },
    { name: 'idx_library_province', columns: ['province'] },
    // The natural key: the organisation's name, unique within the POI (upsertLibrary, imports).
    { name: 'uq_library_name', columns: ['name'], unique: true },
    { name: 'idx_library_member_count', columns: ['memberCount'] },
  ],
});

export const BranchEntity = new EntitySchema<Branch>({
  name: 'Branch',
  tableName: 'branch',
  columns: {
    id,
    libraryId,
    name: { type: 'varchar', length: 200 },
    city: { type: 'varchar', length: 100 },
    postalCode: { type: 'varchar', length: 7, name: 'postal_code' },
    isMain: { type: 'boolean', name: 'is_main' },
  },
  indices: [
    { name: 'idx_branch_library', columns: ['libraryId'] },
    { name: 'uq_branch_library_name', columns: ['libraryId', 'name'], unique: true },
  ],
});

export const ContractEntity = new EntitySchema<Contract>({
  name: 'Contract',
  tableName: 'contract',
  columns: {
    id,
    libraryId,
    services: { type: 'simple-json' },
    startsOn: { type: 'date', name: 'starts_on' },
    endsOn: { type: 'date', name: 'ends_on' },
    status: { type: 'varchar', length: 20 },
    annualFee: money,
    noticePeriodMonths: { type: 'int', name: 'notice_period_months' },
    version,
  },
  indices: [
    { name: 'idx_contract_library', columns: ['libraryId', 'status'] },
    { name: 'idx_contract_ends_on', columns: ['endsOn'] },
    { name: 'idx_contract_starts_on', columns: ['startsOn'] },
    { name: 'idx_contract_status', columns: ['status'] },
    { name: 'uq_contract_library_start', columns: ['libraryId', 'startsOn'], unique: true },
  ],
});

export const ContractServiceLevelEntity = new EntitySchema<ContractServiceLevel>({
  name: 'ContractServiceLevel',
  tableName: 'contract_service_level',
  columns: {
    id,
    contractId: { type: 'int', name: 'contract_id', foreignKey: { target: 'Contract', onDelete: 'CASCADE' } },
    priority: { type: 'varchar', length: 2 },
    responseHours: { type: 'int', name: 'response_hours' },
    resolutionHours: { type: 'int', name: 'resolution_hours' },
  },
  indices: [{ name: 'uq_contract_service_level', columns: ['contractId', 'priority'], unique: true }],
});

export const VendorContractEntity = new EntitySchema<VendorContract>({
  name: 'VendorContract',
  tableName: 'vendor_contract',
  columns: {
    id,
    vendor: { type: 'varchar', length: 100 },
    product: { type: 'varchar', length: 200 },
    startsOn: { type: 'date', name: 'starts_on' },
    endsOn: { type: 'date', name: 'ends_on' },
    annualFee: money,
  },
});

export const TicketEntity = new EntitySchema<Ticket>({
  name: 'Ticket',
  tableName: 'ticket',
  columns: {
    id,
    libraryId,
    title: { type: 'varchar', length: 300 },
    category: { type: 'varchar', length: 20 },
    priority: { type: 'varchar', length: 2 },
    status: { type: 'varchar', length: 20 },
    openedAt: { type: 'datetime', name: 'opened_at' },
    resolvedAt: { type: 'datetime', name: 'resolved_at', nullable: true },
    agendaItemId: { type: 'varchar', length: 40, name: 'agenda_item_id', nullable: true },
    reference: { type: 'varchar', length: 40, unique: true },
    assignee: { type: 'varchar', length: 100, nullable: true },
    type: { type: 'varchar', length: 20, default: 'INCIDENT' },
    vendorCaseReference: { type: 'varchar', length: 60, name: 'vendor_case_reference', nullable: true },
    firstResponseAt: { type: 'datetime', name: 'first_response_at', nullable: true },
    releaseVersion: { type: 'varchar', length: 30, name: 'release_version', nullable: true },
    version,
  },
  indices: [
    { name: 'idx_ticket_library_opened', columns: ['libraryId', 'openedAt'] },
    { name: 'idx_ticket_type', columns: ['type'] },
    { name: 'idx_ticket_release', columns: ['releaseVersion', 'openedAt'] },
    { name: 'idx_ticket_status', columns: ['status'] },
    { name: 'idx_ticket_opened', columns: ['openedAt'] },
    { name: 'idx_ticket_resolved', columns: ['resolvedAt'] },
    { name: 'idx_ticket_priority', columns: ['priority'] },
    { name: 'idx_ticket_category', columns: ['category'] },
    { name: 'idx_ticket_agenda_item', columns: ['agendaItemId'] },
  ],
});

export const KnowledgeArticleEntity = new EntitySchema<KnowledgeArticle>({
  name: 'KnowledgeArticle',
  tableName: 'knowledge_article',
  columns: {
    id,
    title: { type: 'varchar', length: 300 },
    summary: { type: 'varchar', length: 1000 },
    body: { type: 'text' },
    tags: { type: 'simple-json' },
    source: { type: 'varchar', length: 100 },
    updatedAt: { type: 'datetime', name: 'updated_at' },
    version,
    termCount: { type: 'int', name: 'term_count', default: 0 },
    contentHash: { type: 'varchar', length: 64, name: 'content_hash', default: '' },
  },
  indices: [
    { name: 'idx_knowledge_updated', columns: ['updatedAt'] },
    { name: 'uq_knowledge_source_title', columns: ['source', 'title'], unique: true },
    // MySQL only, made by a migration; no longer used for ranking (knowledge search has its own index, search-index.ts).
    { name: 'ft_knowledge_article', columns: ['title', 'summary', 'body', 'tags'], fulltext: true, synchronize: false },
  ],
});

export const KnowledgeTermEntity = new EntitySchema<KnowledgeTerm>({
  name: 'KnowledgeTerm',
  tableName: 'knowledge_term',
  columns: {
    articleId: { type: 'int', name: 'article_id', primary: true, foreignKey: { target: 'KnowledgeArticle', onDelete: 'CASCADE' } },
    term: { type: 'varchar', length: 64, primary: true },
    tf: { type: 'int' },
  },
  indices: [{ name: 'idx_knowledge_term_term', columns: ['term', 'articleId'] }],
});

export const ReleaseAcceptanceEntity = new EntitySchema<ReleaseAcceptance>({
  name: 'ReleaseAcceptance',
  tableName: 'release_acceptance',
  columns: {
    id,
    releaseVersion: { type: 'varchar', length: 30, name: 'release_version' },
    testStatus: { type: 'varchar', length: 20, name: 'test_status' },
    plannedGoLiveOn: { type: 'date', name: 'planned_go_live_on', nullable: true },
    actualGoLiveOn: { type: 'date', name: 'actual_go_live_on', nullable: true },
    notes: { type: 'text', nullable: true },
    version,
  },
  indices: [{ name: 'uq_release_acceptance_version', columns: ['releaseVersion'], unique: true }],
});

/** A library's harmonised Wise settings (one row per library that has them; demo values in the seed). */
export interface LibrarySettings {
  id: number;
  libraryId: number;
  loanPeriodDays: number;
  reservationFeeCents: number;
  /** Codes, unique, A to Z: stored as JSON text, so equal sets are equal text (compared in SQL). */
  membershipFeeTypes: string[];
  finePolicy: FinePolicyKind;
  finePerDayCents: number | null;
  version: number;
}

export const LibrarySettingsEntity = new EntitySchema<LibrarySettings>({
  name: 'LibrarySettings',
  tableName: 'library_settings',
  columns: {
    id,
    libraryId,
    loanPeriodDays: { type: 'int', name: 'loan_period_days' },
    reservationFeeCents: { type: 'int', name: 'reservation_fee_cents' },
    membershipFeeTypes: { type: 'simple-json', name: 'membership_fee_types' },
    finePolicy: { type: 'varchar', length: 10, name: 'fine_policy' },
    finePerDayCents: { type: 'int', name: 'fine_per_day_cents', nullable: true },
    version,
  },
  indices: [{ name: 'uq_library_settings_library', columns: ['libraryId'], unique: true }],
});

/** What a POI's audit trail records changes to (the kit's own records; `AuditEntity` in the schema). */
export const AUDIT_ENTITIES = ['LIBRARY', 'BRANCH', 'CONTRACT', 'TICKET', 'KNOWLEDGE_ARTICLE', 'RELEASE_ACCEPTANCE', 'LIBRARY_SETTINGS'] as const;
export type AuditEntityName = (typeof AUDIT_ENTITIES)[number];
export type { AuditEntry } from '../shared/audit';
export { AuditEntryEntity };

export const POI_ENTITIES = [
  AuditEntryEntity,
  IdempotencyKeyEntity,
  LibraryEntity,
  BranchEntity,
  ContractEntity,
  ContractServiceLevelEntity,
  VendorContractEntity,
  TicketEntity,
  KnowledgeArticleEntity,
  KnowledgeTermEntity,
  ReleaseAcceptanceEntity,
  LibrarySettingsEntity,
];
