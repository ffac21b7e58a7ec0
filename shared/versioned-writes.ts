import type { Identity } from './auth/identity';
import { GraphQLError } from 'graphql';
import type { EntityManager, EntitySchema, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AnyEntitySchema } from './db';
import { AuditEntry, AuditEntryEntity } from './audit';
import { noteWrite } from './written';

/** Who writes, and through what; recorded with every change. */
export interface Actor {
  name: string;
  via: 'mutation' | 'import';
}

/** Who a mutation is by: the identity the gateway forwarded (writes are @authenticated, so never anonymous in practice). */
export function mutationActor(identity: Identity | undefined): Actor {
  return { name: identity?.name ?? 'anonymous', via: 'mutation' };
}

export type Changes = AuditEntry['changes'];

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return new Date(a as Date).getTime() === new Date(b as Date).getTime();
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A query for the row of `entity` with this id (a generic entity's `{ id }` is beyond TypeORM's find types). */
export function rowById<T extends ObjectLiteral>(manager: EntityManager, entity: EntitySchema<T>, id: number | string): SelectQueryBuilder<T> {
  return manager.createQueryBuilder(entity, 'row').where('row.id = :id', { id });
}

/** The fields of `next` that differ from `current`. */
export function diff<T extends object>(current: T | null, next: Partial<T>): Changes {
  const changes: Changes = {};
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined || key === 'id' || key === 'version') continue;
    const before = current ? (current as Record<string, unknown>)[key] : undefined;
    if (!current || !sameValue(before, value)) changes[key] = { from: before ?? null, to: value };
  }
  return changes;
}

/** The audit row of one change, as every write (mutation or import) records it. */
export function auditEntry(actor: Actor, entity: string, entityId: string | number, action: 'CREATE' | 'UPDATE' | 'DELETE', changes: Changes, at = new Date()) {
  return { at, actor: actor.name, via: actor.via, entity, entityId: String(entityId), action, changes };
}

export async function audit(
  manager: EntityManager,
  actor: Actor,
  entity: string,
  entityId: string | number,
  action: 'CREATE' | 'UPDATE' | 'DELETE',
  changes: Changes,
) {
  if (action === 'UPDATE' && Object.keys(changes).length === 0) return;
  await manager.insert(AuditEntryEntity, auditEntry(actor, entity, entityId, action, changes));
  // What the request reports it changed, once this transaction commits (shared/written.ts).
  noteWrite(manager, entity);
}

/**
 * Writes the changed values to one row, only if it still has the version read (when it is
 * versioned), and bumps that version. False when someone else changed the row meanwhile.
 */
export async function applyChanges(
  manager: EntityManager,
  entity: AnyEntitySchema,
  id: number | string,
  readVersion: number | undefined,
  changes: Changes,
): Promise<boolean> {
  const values = Object.fromEntries(Object.entries(changes).map(([key, change]) => [key, change.to]));
  const query = manager.createQueryBuilder().update(entity);
  const { affected } =
    readVersion === undefined
      ? await query.set(values).where('id = :id', { id }).execute()
      : await query
          .set({ ...values, version: () => 'version + 1' })
          .where('id = :id AND version = :version', { id, version: readVersion })
          .execute();
  return affected === 1;
}

/**
 * Updates one row if its version is still `expectedVersion`, bumps the version and audits the
 * changed fields. Returns the row as it is now.
 */
export async function updateVersioned<T extends { id: number | string; version: number }>(
  manager: EntityManager,
  entity: EntitySchema<T>,
  auditName: string,
  current: T,
  expectedVersion: number | null | undefined,
  next: Partial<T>,
  actor: Actor,
): Promise<T> {
  if (expectedVersion !== undefined && expectedVersion !== null && expectedVersion !== current.version) {
    throw new GraphQLError(
      `${auditName.toLowerCase().replace('_', ' ')} ${current.id} was changed by someone else (now version ${current.version}, you edited version ${expectedVersion}); reload it and try again`,
      { extensions: { code: 'CONFLICT', currentVersion: current.version } },
    );
  }
  const changes = diff(current, next);
  if (Object.keys(changes).length === 0) return current;
  if (!(await applyChanges(manager, entity, current.id, current.version, changes))) {
    throw new GraphQLError(`${auditName.toLowerCase()} ${current.id} was changed by someone else at the same moment; reload it and try again`, {
      extensions: { code: 'CONFLICT' },
    });
  }
  await audit(manager, actor, auditName, current.id, 'UPDATE', changes);
  return rowById(manager, entity, current.id).getOneOrFail();
}
