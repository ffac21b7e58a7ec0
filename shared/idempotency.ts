import { AsyncLocalStorage } from 'node:async_hooks';
import { defaultFieldResolver, getNamedType, GraphQLError, GraphQLObjectType, responsePathAsArray, type GraphQLSchema } from 'graphql';
import { DataSource, EntityManager, EntitySchema, LessThan } from 'typeorm';
import { transaction } from './db';
import type { Identity } from './auth/identity';
import { KEY_REUSED, sha256, type IdempotentRequest } from './idempotency-request';
import { noteCommitted } from './written';

// Safe retries of writes: the request side (headers, key check, fingerprint) is in
// ./idempotency-request, which the gateway loads alone; the records are kept here.
export {
  IDEMPOTENCY_FINGERPRINT_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  readIdempotencyKey,
  requestFingerprint,
  reusedKeyConflict,
  type IdempotentRequest,
} from './idempotency-request';

export interface IdempotencyRecord {
  /** sha256 of the request key and the write's response path (`cubiss.a`). */
  id: string;
  /** sha256 of the identity's subject and the client's key: every write of one keyed request. */
  requestKey: string;
  subject: string;
  fingerprint: string;
  /** The write's result as JSON; null only inside the transaction that claims the key. */
  answer: string | null;
  createdAt: Date;
}

export const IdempotencyKeyEntity = new EntitySchema<IdempotencyRecord>({
  name: 'IdempotencyKey',
  tableName: 'idempotency_key',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    requestKey: { type: 'varchar', length: 64, name: 'request_key' },
    subject: { type: 'varchar', length: 200 },
    fingerprint: { type: 'varchar', length: 64 },
    answer: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', name: 'created_at' },
  },
  indices: [
    { name: 'idx_idempotency_request', columns: ['requestKey'] },
    { name: 'idx_idempotency_created', columns: ['createdAt'] },
  ],
});

/** One keyed write, while it runs. */
interface KeyedWrite {
  id: string;
  requestKey: string;
  subject: string;
  fingerprint: string;
  ttlMs: number;
}

const keyedWrites = new AsyncLocalStorage<KeyedWrite>();

/**
 * Subgraph: every write field (a field of the type a Mutation root field returns, e.g.
 * `CubissPoiMutations.createTicket`) runs as a keyed write when its request has a key, so the
 * write's transaction (`writeTransaction`) records it or answers the earlier result.
 */
export function keyWriteFields(schema: GraphQLSchema, ttlHours: number): void {
  const namespaces = Object.values(schema.getMutationType()?.getFields() ?? {})
    .map((field) => getNamedType(field.type))
    .filter((type): type is GraphQLObjectType => type instanceof GraphQLObjectType);
  for (const namespace of namespaces) {
    for (const field of Object.values(namespace.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: { idempotency?: IdempotentRequest; identity?: Identity }, info) => {
        const request = context.idempotency;
        if (!request || !context.identity) return resolve(source, args, context, info);
        const requestKey = sha256(context.identity.subject, request.key);
        const write: KeyedWrite = {
          id: sha256(requestKey, responsePathAsArray(info.path).join('.')),
          requestKey,
          subject: context.identity.subject,
          fingerprint: request.fingerprint!,
          ttlMs: ttlHours * 3_600_000,
        };
        return keyedWrites.run(write, () => resolve(source, args, context, info));
      };
    }
  }
}

function reused(): GraphQLError {
  return new GraphQLError('This Idempotency-Key was already used for a different request; use a new key for a new request', {
    extensions: { code: KEY_REUSED },
  });
}

/** Thrown when a concurrent repeat holds the key: the write is rolled back and tried once more, then finding its answer. */
class KeyClaimed extends Error {}

/** A unique index refused the row (MySQL's ER_DUP_ENTRY, the embedded database's UNIQUE constraint). */
export const isDuplicateKey = (error: unknown) =>
  (error as { driverError?: { code?: string } }).driverError?.code === 'ER_DUP_ENTRY' || /UNIQUE constraint failed/.test(String((error as Error).message));

/** Within the write's transaction: the earlier answer, or claim the key, write, and record the answer. */
async function once<T>(manager: EntityManager, write: KeyedWrite, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const records = await manager.findBy(IdempotencyKeyEntity, { requestKey: write.requestKey });
  const current = records.filter((record) => record.createdAt.getTime() > Date.now() - write.ttlMs);
  if (current.some((record) => record.fingerprint !== write.fingerprint)) throw reused();
  const earlier = current.find((record) => record.id === write.id);
  if (earlier) return JSON.parse(earlier.answer!) as T;
  // Expired, not yet purged. (Only an existing row: deleting a missing one would lock a gap on MySQL.)
  if (records.some((record) => record.id === write.id)) await manager.delete(IdempotencyKeyEntity, { id: write.id });
  try {
    // Claimed before writing: a concurrent repeat waits here (row lock; the embedded queue) for this transaction.
    await manager.insert(IdempotencyKeyEntity, {
      id: write.id,
      requestKey: write.requestKey,
      subject: write.subject,
      fingerprint: write.fingerprint,
      answer: null,
      createdAt: new Date(),
    });
  } catch (error) {
    throw isDuplicateKey(error) ? new KeyClaimed() : error;
  }
  const result = await work(manager);
  await manager.update(IdempotencyKeyEntity, { id: write.id }, { answer: JSON.stringify(result) });
  return result;
}

const PURGE_EVERY_MS = 10 * 60_000;
const lastPurge = new WeakMap<DataSource, number>();

/** Deletes expired keys, at most every 10 minutes per database, in its own transaction. */
async function purgeExpired(dataSource: DataSource, ttlMs: number): Promise<void> {
  if (Date.now() - (lastPurge.get(dataSource) ?? 0) < PURGE_EVERY_MS) return;
  lastPurge.set(dataSource, Date.now());
  await transaction(dataSource, (manager) => manager.delete(IdempotencyKeyEntity, { createdAt: LessThan(new Date(Date.now() - ttlMs)) }));
}

/**
 * A write's transaction (see `transaction`). Inside a keyed write field, the key is recorded with
 * the result in the same transaction, and a repeat gets the recorded result without writing.
 */
export async function writeTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  // The manager of the last attempt, the one that committed: what it audited is reported
  // (shared/written.ts); a repeat answered from its record audited nothing, so reports nothing.
  let last: EntityManager | undefined;
  const attempt =
    (run: (manager: EntityManager) => Promise<T>) =>
    (manager: EntityManager): Promise<T> => {
      last = manager;
      return run(manager);
    };
  const result = await keyedTransaction(dataSource, work, attempt);
  noteCommitted(last);
  return result;
}

async function keyedTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  attempt: (run: (manager: EntityManager) => Promise<T>) => (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const write = keyedWrites.getStore();
  if (!write) return transaction(dataSource, attempt(work));
  await purgeExpired(dataSource, write.ttlMs);
  try {
    return await transaction(dataSource, attempt((manager) => once(manager, write, work)));
  } catch (error) {
    if (!(error instanceof KeyClaimed)) throw error;
    return transaction(dataSource, attempt((manager) => once(manager, write, work)));
  }
}
