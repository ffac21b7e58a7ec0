import type { Connection, SortValue } from '../shared/graphql/connection';
import type { Contract, KnowledgeArticle, Library, Ticket } from './entities';
import type { AuditEntry } from '../shared/audit';
import type { HarmonisationSetting, WiseSettingValues } from '../shared/wise-settings';

/**
 * What the kit's resolvers hand on for each GraphQL type (codegen.ts `mappers`): the generated
 * `Resolvers` type checks every resolver's parent and result against these.
 */

/**
 * A POI as its own subgraph knows it: its key, and, when a field that requires it is asked for,
 * the standard the collaboration subgraph contributed (federation @requires; null when it could
 * not be read or none is agreed).
 */
export interface PoiRef {
  code: string;
  harmonisationStandard?: WiseSettingValues | null;
}

/** A POI's harmonisation view, measured against the agreed standard its POI entity was given. */
export interface HarmonisationView {
  standard: WiseSettingValues;
}

/** One setting of the harmonisation view; its counts load once for all settings (loaders.harmonisationCounts). */
export interface SettingView extends HarmonisationView {
  setting: HarmonisationSetting;
}

/** A Wise platform as a POI knows it: just its key (the collaboration owns the rest). */
export interface WisePlatformRef {
  code: string;
}

/** A namespace object whose fields each resolve on their own (`stats`, the mutation namespace). */
export type Namespace = Record<string, never>;

/** A page of a list: parts that load only when asked for (shared/graphql/connection.ts). */
export type LibraryPage = Connection<Library>;
export type ContractPage = Connection<Contract>;
export type TicketPage = Connection<Ticket>;
export type KnowledgeArticlePage = Connection<RankedArticle>;
export type AuditEntryPage = Connection<AuditEntry>;

/** A knowledge article, with its search rank when it came from a search. */
export type RankedArticle = KnowledgeArticle & { sortValue?: SortValue };

/** An audit change as served: which type's field it is about, and its values as JSON. */
export interface AuditedChange {
  type: string;
  field: string;
  from: string | null;
  to: string | null;
}

/** A request's due moments under its agreement's service levels (computed from the terms, never stored). */
export interface TicketDueMoments {
  responseDueAt: Date;
  resolutionDueAt: Date;
}
