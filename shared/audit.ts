import { EntitySchema } from 'typeorm';

/**
 * The audit trail (logboek) every subgraph keeps of its own writes, in its own database: one
 * table, one row per change. Which kinds of record a subgraph audits is its own business.
 */

/** A recorded value: anything but undefined (TypeORM's insert types take no `unknown` inside a JSON column). */
export type AuditedValue = NonNullable<unknown> | null;

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
  /** Per changed field its value before and after (null: none); any value the column holds. */
  changes: Record<string, { from: AuditedValue; to: AuditedValue }>;
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
