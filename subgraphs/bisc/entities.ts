import { EntitySchema } from 'typeorm';

/**
 * BiSC's interlibrary-loan (IBL) transport, in BiSC's own database beside the kit's tables:
 * transport runs between branches on a day, their stops, and the loans carried. Branch ids are
 * the kit's `branch` ids; they are checked by the writes (no foreign key into the kit's tables,
 * so the kit can replace a library's branches without knowing this extension).
 */
export const RUN_STATUSES = ['PLANNED', 'COMPLETED', 'CANCELLED'] as const;
export const LOAN_STATUSES = ['REQUESTED', 'IN_TRANSIT', 'DELIVERED', 'CANCELLED'] as const;
/** What BiSC's own audit list covers (`BiscAuditEntity` in schema.graphql). */
export const IBL_AUDIT_ENTITIES = ['TRANSPORT_RUN', 'INTERLIBRARY_LOAN'] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];
export type LoanStatus = (typeof LOAN_STATUSES)[number];
export type IblAuditEntity = (typeof IBL_AUDIT_ENTITIES)[number];

export interface TransportRun {
  id: number;
  runOn: string;
  route: string;
  status: RunStatus;
  version: number;
}

export interface TransportStop {
  id: number;
  runId: number;
  sequence: number;
  branchId: number;
  plannedAt: Date;
  arrivedAt: Date | null;
}

export interface InterlibraryLoan {
  id: number;
  itemTitle: string;
  lendingBranchId: number;
  requestingBranchId: number;
  status: LoanStatus;
  requestedAt: Date;
  dueOn: string;
  runId: number | null;
  deliveredAt: Date | null;
  version: number;
}

const id = { type: Number, primary: true, generated: 'increment' } as const;
const version = { type: 'int', default: 1 } as const;

export const TransportRunEntity = new EntitySchema<TransportRun>({
  name: 'BiscTransportRun',
  tableName: 'bisc_transport_run',
  columns: {
    id,
    runOn: { type: 'date', name: 'run_on' },
    route: { type: 'varchar', length: 100 },
    status: { type: 'varchar', length: 20 },
    version,
  },
  indices: [
    { name: 'idx_bisc_run_on', columns: ['runOn'] },
    { name: 'idx_bisc_run_status', columns: ['status'] },
  ],
});

export const TransportStopEntity = new EntitySchema<TransportStop>({
  name: 'BiscTransportStop',
  tableName: 'bisc_transport_stop',
  columns: {
    id,
    runId: { type: 'int', name: 'run_id' },
    sequence: { type: 'int' },
    branchId: { type: 'int', name: 'branch_id' },
    plannedAt: { type: 'datetime', name: 'planned_at' },
    arrivedAt: { type: 'datetime', name: 'arrived_at', nullable: true },
  },
  indices: [{ name: 'uq_bisc_stop_run_sequence', columns: ['runId', 'sequence'], unique: true }],
});

export const InterlibraryLoanEntity = new EntitySchema<InterlibraryLoan>({
  name: 'BiscInterlibraryLoan',
  tableName: 'bisc_interlibrary_loan',
  columns: {
    id,
    itemTitle: { type: 'varchar', length: 300, name: 'item_title' },
    lendingBranchId: { type: 'int', name: 'lending_branch_id' },
    requestingBranchId: { type: 'int', name: 'requesting_branch_id' },
    status: { type: 'varchar', length: 20 },
    requestedAt: { type: 'datetime', name: 'requested_at' },
    dueOn: { type: 'date', name: 'due_on' },
    runId: { type: 'int', name: 'run_id', nullable: true },
    deliveredAt: { type: 'datetime', name: 'delivered_at', nullable: true },
    version,
  },
  indices: [
    { name: 'idx_bisc_loan_status', columns: ['status'] },
    { name: 'idx_bisc_loan_requested', columns: ['requestedAt'] },
    { name: 'idx_bisc_loan_delivered', columns: ['deliveredAt'] },
    { name: 'idx_bisc_loan_run', columns: ['runId'] },
    { name: 'idx_bisc_loan_lending', columns: ['lendingBranchId'] },
    { name: 'idx_bisc_loan_requesting', columns: ['requestingBranchId'] },
  ],
});

/** Children before parents, for a reseed. */
export const IBL_ENTITIES = [InterlibraryLoanEntity, TransportStopEntity, TransportRunEntity];
