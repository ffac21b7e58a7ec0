import { EntitySchema } from 'typeorm';

/**
 * The audit trail (logboek) every subgraph keeps of its own writes, in its own database: one
 * table, one row per change. Which kinds of record a subgraph audits is its own business.
 */

/** One write, as the audit trail keeps it: who, when, what, and which fields changed. */
export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  /** mutation or import */
  via: string;
  /** The kind of record, e.g. CONTRACT or WORK_AGENDA_ITEM: each subgraph names its own. */
  entity: string;
  entityId: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  changes: Record<string, { from: unknown; to: unknown }>;
}

export const AuditEntryEntity = new EntitySchema<AuditEntry>({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    at: { type: 'datetime' },
    actor: { type: 'varchar', length: 200 },
    via: { type: 'varchar', length: 20 },
    entity: { type: 'varchar', length: 30 },
    entityId: { type: 'varchar', length: 60, name: 'entity_id' },
    action: { type: 'varchar', length: 10 },
    changes: { type: 'simple-json' },
  },
  indices: [{ name: 'idx_audit_entity', columns: ['entity', 'id'] }],
});

