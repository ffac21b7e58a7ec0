import type { Connection } from '../../shared/graphql/connection';
import type { AuditEntry } from '../../shared/audit';
import type { Namespace } from '../../poi-kit/mappers';
import type { InterlibraryLoan, TransportRun, TransportStop } from './entities';

/**
 * What BiSC's own resolvers hand on for each GraphQL type of schema.graphql (codegen.ts reads the
 * names exported here): the generated `Resolvers` checks every resolver's parent and result against these.
 */

/** Namespace objects whose fields each resolve on their own. */
export type BiscInterlibraryLoanService = Namespace;
export type BiscInterlibraryLoanStats = Namespace;

/** The rows, as the repository and the writes return them. */
export type BiscTransportRun = TransportRun;
export type BiscTransportStop = TransportStop;
export type BiscInterlibraryLoan = InterlibraryLoan;
export type BiscAuditEntry = AuditEntry;

/** A page of a list: parts that load only when asked for (shared/graphql/connection.ts). */
export type BiscTransportRunConnection = Connection<TransportRun>;
export type BiscInterlibraryLoanConnection = Connection<InterlibraryLoan>;
export type BiscAuditEntryConnection = Connection<AuditEntry>;
