import type { Connection } from '../../shared/graphql/connection';
import type { AuditEntry } from '../../shared/audit';
import type { Namespace } from '../../poi-kit/mappers';
import type { SheetMusic, SheetMusicLoan } from './musidesk/entities';

/**
 * What Musidesk's resolvers hand on for each GraphQL type of schema.graphql (codegen.ts reads the
 * names exported here): the generated `Resolvers` checks every resolver's parent and result against these.
 */

/** Namespace objects whose fields each resolve on their own. */
export type RijnbrinkMusidesk = Namespace;
export type RijnbrinkMusideskStats = Namespace;

/** The rows, as the repository and the writes return them. */
export type RijnbrinkSheetMusic = SheetMusic;
export type RijnbrinkSheetMusicLoan = SheetMusicLoan;
export type RijnbrinkMusideskAuditEntry = AuditEntry;

/** A page of a list: parts that load only when asked for (shared/graphql/connection.ts). */
export type RijnbrinkSheetMusicConnection = Connection<SheetMusic>;
export type RijnbrinkSheetMusicLoanConnection = Connection<SheetMusicLoan>;
export type RijnbrinkMusideskAuditEntryConnection = Connection<AuditEntry>;
