import { EntitySchema } from 'typeorm';
import { decimalToNumber } from '../../../shared/db';
import { AuditEntryEntity } from '../../../shared/audit';
import { IdempotencyKeyEntity } from '../../../shared/idempotency';
import type { Province } from '../../../shared/registry';
import type { WiseReleaseStatus } from '../../../shared/wise-releases';
import type { FinePolicyKind } from '../../../shared/wise-settings';

export const WORK_AGENDA_THEMES = ['HARMONISATION', 'INTEGRATION', 'SETUP', 'INNOVATION'] as const;
export const WORK_AGENDA_STATUSES = ['PLANNED', 'IN_PROGRESS', 'DONE', 'ON_HOLD'] as const;
export type WorkAgendaTheme = (typeof WORK_AGENDA_THEMES)[number];
export type WorkAgendaStatus = (typeof WORK_AGENDA_STATUSES)[number];

export interface RegisteredPoi {
  code: string;
  name: string;
  fullName: string;
  seat: string;
  website: string;
  inSteeringGroup: boolean;
}

export interface PoiProvince {
  poiCode: string;
  province: Province;
}

export interface WorkAgendaItem {
  id: string;
  title: string;
  description: string;
  theme: WorkAgendaTheme;
  status: WorkAgendaStatus;
  dueOn: string | null;
  ownerCode: string | null;
  goalId: number | null;
  version: number;
}

export interface WorkAgendaParticipant {
  itemId: string;
  poiCode: string;
}

export interface NetworkAgendaGoal {
  id: number;
  code: string;
  title: string;
  description: string;
}

export const EVALUATION_STATUSES = ['PLANNED', 'DONE'] as const;

export interface Evaluation {
  id: string;
  period: string;
  dueOn: string;
  status: (typeof EVALUATION_STATUSES)[number];
  summary: string | null;
}

export interface SteeringGroupMember {
  id: number;
  poiCode: string;
  name: string;
  role: string;
  since: string | null;
}

export const WISE_HOSTINGS = ['HOSTED_WISE', 'SELF_HOSTED'] as const;
export const DATE_PRECISIONS = ['YEAR', 'MONTH', 'MID_MONTH', 'DAY'] as const;
export const MEMBER_KINDS = ['POI', 'LIBRARY'] as const;

export interface WisePlatform {
  code: string;
  name: string;
  description: string;
  hosting: (typeof WISE_HOSTINGS)[number] | null;
  currentWiseVersion: string | null;
  succeededByCode: string | null;
  demo: boolean;
  sourceUrl: string | null;
}

export interface WisePlatformPoi {
  platformCode: string;
  poiCode: string;
}

export interface WisePlatformMigration {
  id: number;
  platformCode: string;
  poiCode: string;
  migratedOn: string;
  precision: (typeof DATE_PRECISIONS)[number];
  group: string;
  demo: boolean;
  sourceUrl: string | null;
}

/** The partnership's own key facts; its governance lists resolve on their own. */
export interface PartnershipFacts {
  name: string;
  startedOn: string;
  structureDecidedIn: number;
  evaluationIntervalYears: number;
}

export interface Decision {
  id: string;
  decidedOn: string;
  title: string;
  body: string;
  decidedBy: string;
  demo: boolean;
}

export interface CostShare {
  poiCode: string;
  /** Percent, two decimals. */
  sharePercent: number;
  demo: boolean;
}

export interface Member {
  id: number;
  poiCode: string;
  /** The library's id in its POI's subgraph; 0: the POI itself is the member (0 is no library id, and keeps the pair unique). */
  libraryId: number;
  joinedOn: string;
}

const poiCode = (name: string, nullable = false) =>
  ({ type: 'varchar', length: 20, name, nullable, foreignKey: { target: 'RegisteredPoi', onDelete: 'CASCADE' } }) as const;

export const RegisteredPoiEntity = new EntitySchema<RegisteredPoi>({
  name: 'RegisteredPoi',
  tableName: 'poi',
  columns: {
    code: { type: 'varchar', length: 20, primary: true },
    name: { type: 'varchar', length: 100 },
    fullName: { type: 'varchar', length: 200, name: 'full_name' },
    seat: { type: 'varchar', length: 100 },
    website: { type: 'varchar', length: 200 },
    inSteeringGroup: { type: 'boolean', name: 'in_steering_group' },
  },
});

export const PoiProvinceEntity = new EntitySchema<PoiProvince>({
  name: 'PoiProvince',
  tableName: 'poi_province',
  columns: {
    poiCode: { ...poiCode('poi_code'), primary: true },
    province: { type: 'varchar', length: 20, primary: true },
  },
  indices: [{ name: 'idx_poi_province_province', columns: ['province'] }],
});

export const NetworkAgendaGoalEntity = new EntitySchema<NetworkAgendaGoal>({
  name: 'NetworkAgendaGoal',
  tableName: 'network_agenda_goal',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    code: { type: 'varchar', length: 20, unique: true },
    title: { type: 'varchar', length: 200 },
    description: { type: 'text' },
  },
});

export const WorkAgendaItemEntity = new EntitySchema<WorkAgendaItem>({
  name: 'WorkAgendaItem',
  tableName: 'work_agenda_item',
  columns: {
    id: { type: 'varchar', length: 40, primary: true },
    title: { type: 'varchar', length: 200 },
    description: { type: 'text' },
    theme: { type: 'varchar', length: 20 },
    status: { type: 'varchar', length: 20 },
    dueOn: { type: 'date', name: 'due_on', nullable: true },
    ownerCode: poiCode('owner_code', true),
    goalId: { type: 'int', name: 'goal_id', nullable: true, foreignKey: { target: 'NetworkAgendaGoal', onDelete: 'SET NULL' } },
    version: { type: 'int', default: 1 },
  },
  indices: [{ name: 'idx_work_agenda_due', columns: ['dueOn'] }],
});

export const WorkAgendaParticipantEntity = new EntitySchema<WorkAgendaParticipant>({
  name: 'WorkAgendaParticipant',
  tableName: 'work_agenda_participant',
  columns: {
    itemId: {
      type: 'varchar',
      length: 40,
      name: 'item_id',
      primary: true,
      foreignKey: { target: 'WorkAgendaItem', onDelete: 'CASCADE' },
    },
    poiCode: { ...poiCode('poi_code'), primary: true },
  },
});

export const SteeringGroupMemberEntity = new EntitySchema<SteeringGroupMember>({
  name: 'SteeringGroupMember',
  tableName: 'steering_group_member',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    poiCode: poiCode('poi_code'),
    name: { type: 'varchar', length: 100 },
    role: { type: 'varchar', length: 100 },
    since: { type: 'date', nullable: true },
  },
});

export const EvaluationEntity = new EntitySchema<Evaluation>({
  name: 'Evaluation',
  tableName: 'evaluation',
  columns: {
    id: { type: 'varchar', length: 20, primary: true },
    period: { type: 'varchar', length: 20 },
    dueOn: { type: 'date', name: 'due_on' },
    status: { type: 'varchar', length: 20 },
    summary: { type: 'text', nullable: true },
  },
});

const platformCode = (name: string, nullable = false) =>
  ({ type: 'varchar', length: 40, name, nullable, foreignKey: { target: 'WisePlatform', onDelete: nullable ? 'SET NULL' : 'CASCADE' } }) as const;

export const WisePlatformEntity = new EntitySchema<WisePlatform>({
  name: 'WisePlatform',
  tableName: 'wise_platform',
  columns: {
    code: { type: 'varchar', length: 40, primary: true },
    name: { type: 'varchar', length: 100 },
    description: { type: 'text' },
    hosting: { type: 'varchar', length: 20, nullable: true },
    currentWiseVersion: { type: 'varchar', length: 40, name: 'current_wise_version', nullable: true },
    succeededByCode: platformCode('succeeded_by_code', true),
    demo: { type: 'boolean' },
    sourceUrl: { type: 'varchar', length: 300, name: 'source_url', nullable: true },
  },
});

export const WisePlatformPoiEntity = new EntitySchema<WisePlatformPoi>({
  name: 'WisePlatformPoi',
  tableName: 'wise_platform_poi',
  columns: {
    platformCode: { ...platformCode('platform_code'), primary: true },
    poiCode: { ...poiCode('poi_code'), primary: true },
  },
});

export const WisePlatformMigrationEntity = new EntitySchema<WisePlatformMigration>({
  name: 'WisePlatformMigration',
  tableName: 'wise_platform_migration',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    platformCode: platformCode('platform_code'),
    poiCode: poiCode('poi_code'),
    migratedOn: { type: 'date', name: 'migrated_on' },
    precision: { type: 'varchar', length: 10 },
    group: { type: 'varchar', length: 500, name: 'group_description' },
    demo: { type: 'boolean' },
    sourceUrl: { type: 'varchar', length: 300, name: 'source_url', nullable: true },
  },
  indices: [{ name: 'idx_wise_platform_migration_platform', columns: ['platformCode', 'migratedOn'] }],
});

export const DecisionEntity = new EntitySchema<Decision>({
  name: 'Decision',
  tableName: 'decision',
  columns: {
    id: { type: 'varchar', length: 20, primary: true },
    decidedOn: { type: 'date', name: 'decided_on' },
    title: { type: 'varchar', length: 200 },
    body: { type: 'text' },
    decidedBy: { type: 'varchar', length: 100, name: 'decided_by' },
    demo: { type: 'boolean' },
  },
  indices: [{ name: 'idx_decision_decided_on', columns: ['decidedOn'] }],
});

const percent = {
  type: 'decimal',
  precision: 5,
  scale: 2,
  name: 'share_percent',
  transformer: decimalToNumber,
} as const;

export const CostShareEntity = new EntitySchema<CostShare>({
  name: 'CostShare',
  tableName: 'cost_share',
  columns: {
    poiCode: { ...poiCode('poi_code'), primary: true },
    sharePercent: percent,
    demo: { type: 'boolean' },
  },
});

export const MemberEntity = new EntitySchema<Member>({
  name: 'Member',
  tableName: 'member',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    poiCode: poiCode('poi_code'),
    libraryId: { type: 'int', name: 'library_id', default: 0 },
    joinedOn: { type: 'date', name: 'joined_on' },
  },
  // Each POI, and each library, is a member once.
  indices: [{ name: 'uq_member_poi_library', columns: ['poiCode', 'libraryId'], unique: true }],
});

/** A Wise release in the release planning; `version` is the row's optimistic-lock counter (`revision` in the schema). */
export interface WiseRelease {
  id: number;
  wiseVersion: string;
  releasedOn: string;
  status: WiseReleaseStatus;
  notes: string;
  version: number;
}

export const WiseReleaseEntity = new EntitySchema<WiseRelease>({
  name: 'WiseRelease',
  tableName: 'wise_release',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    wiseVersion: { type: 'varchar', length: 30, name: 'wise_version' },
    releasedOn: { type: 'date', name: 'released_on' },
    status: { type: 'varchar', length: 20 },
    notes: { type: 'text' },
    version: { type: 'int', default: 1 },
  },
  indices: [
    { name: 'uq_wise_release_version', columns: ['wiseVersion'], unique: true },
    { name: 'idx_wise_release_released_on', columns: ['releasedOn'] },
  ],
});

/**
 * The Wise settings standard the partnership agreed (harmonisatie): one row (id 1), per setting
 * its value and the day it was agreed. The seeded row is demo (seed.ts).
 */
export interface HarmonisationStandardRow {
  id: number;
  loanPeriodDays: number;
  loanPeriodAgreedOn: string;
  reservationFeeCents: number;
  reservationFeeAgreedOn: string;
  /** Codes, unique, A to Z. */
  membershipFeeTypes: string[];
  membershipFeeTypesAgreedOn: string;
  /** NONE or PER_DAY. */
  finePolicy: FinePolicyKind;
  finePerDayCents: number | null;
  finePolicyAgreedOn: string;
  version: number;
}

export const HARMONISATION_STANDARD_ID = 1;

export const HarmonisationStandardEntity = new EntitySchema<HarmonisationStandardRow>({
  name: 'HarmonisationStandard',
  tableName: 'harmonisation_standard',
  columns: {
    id: { type: 'int', primary: true },
    loanPeriodDays: { type: 'int', name: 'loan_period_days' },
    loanPeriodAgreedOn: { type: 'date', name: 'loan_period_agreed_on' },
    reservationFeeCents: { type: 'int', name: 'reservation_fee_cents' },
    reservationFeeAgreedOn: { type: 'date', name: 'reservation_fee_agreed_on' },
    membershipFeeTypes: { type: 'simple-json', name: 'membership_fee_types' },
    membershipFeeTypesAgreedOn: { type: 'date', name: 'membership_fee_types_agreed_on' },
    finePolicy: { type: 'varchar', length: 10, name: 'fine_policy' },
    finePerDayCents: { type: 'int', name: 'fine_per_day_cents', nullable: true },
    finePolicyAgreedOn: { type: 'date', name: 'fine_policy_agreed_on' },
    version: { type: 'int', default: 1 },
  },
});

export const COLLABORATION_ENTITIES = [
  HarmonisationStandardEntity,
  // The same audit trail as the POI subgraphs keep, in the collaboration's own database.
  AuditEntryEntity,
  IdempotencyKeyEntity,
  EvaluationEntity,
  RegisteredPoiEntity,
  PoiProvinceEntity,
  NetworkAgendaGoalEntity,
  WorkAgendaItemEntity,
  WorkAgendaParticipantEntity,
  SteeringGroupMemberEntity,
  WisePlatformEntity,
  WisePlatformPoiEntity,
  WisePlatformMigrationEntity,
  DecisionEntity,
  CostShareEntity,
  MemberEntity,
  WiseReleaseEntity,
];
