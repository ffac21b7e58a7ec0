import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type express from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import { defaultFieldResolver, getNamedType, GraphQLError, GraphQLObjectType, responsePathAsArray, type GraphQLSchema } from 'graphql';
import { DataSource, EntityManager, EntitySchema, LessThan } from 'typeorm';
import { transaction } from './db';
import type { Identity } from './auth/identity';

/**
 * Safe retries of writes (README "Writes"). A client sends `Idempotency-Key`; the gateway passes
 * it on to every subgraph with a fingerprint of the client's request. Each write field then
 * records (identity + key + its response path, the fingerprint, its answer) in `idempotency_key`
 * inside the write's own transaction, so after any crash either both the write and its record
 * are there or neither is. A repeat finds the record and answers it without writing.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Gateway to subgraph: sha256 of the client's operation, its name and its variables. */
export const IDEMPOTENCY_FINGERPRINT_HEADER = 'idempotency-fingerprint';
const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;
const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;

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

const sha256 = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex');

function badRequest(res: express.Response, message: string): void {
  res.status(400).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
}

/**
 * Gateway and subgraphs: a present `Idempotency-Key` must be 1–200 characters of
 * `A-Z a-z 0-9 . _ : -` (else 400 BAD_USER_INPUT); the valid key goes to `res.locals.idempotencyKey`.
 * A subgraph (`withFingerprint`) also needs the gateway's fingerprint of the request.
 */
export function readIdempotencyKey(withFingerprint: boolean): express.RequestHandler {
  return (req, res, next) => {
    const key = req.headers[IDEMPOTENCY_KEY_HEADER];
    if (key === undefined) return next();
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      return badRequest(res, 'Idempotency-Key must be 1 to 200 characters of A-Z a-z 0-9 . _ : -');
    }
    const fingerprint = req.headers[IDEMPOTENCY_FINGERPRINT_HEADER];
    if (withFingerprint && (typeof fingerprint !== 'string' || !FINGERPRINT_PATTERN.test(fingerprint))) {
      return badRequest(res, 'Idempotency-Fingerprint must come with Idempotency-Key');
    }
    res.locals.idempotency = { key, fingerprint } as IdempotentRequest;
    next();
  };
}

/** Key order in variables does not make a request different. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as object).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
}

/** The gateway's fingerprint of a client request: the same operation with the same variables. */
export function requestFingerprint(request: { query?: string; operationName?: string | null; variables?: Record<string, unknown> | null }): string {
  return sha256(JSON.stringify([request.query ?? '', request.operationName ?? null, canonical(request.variables ?? {})]));
}

/** What the subgraph received with a keyed request (`res.locals.idempotency`, then the context's `idempotency`). */
export interface IdempotentRequest {
  key: string;
  /** Always there at a subgraph (`readIdempotencyKey(true)`); the gateway computes it per fetch. */
  fingerprint?: string;
}

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
        const write: KeyedWrite = { id: sha256(requestKey, responsePathAsArray(info.path).join('.')), requestKey, subject: context.identity.subject, fingerprint: request.fingerprint!, ttlMs: ttlHours * 3_600_000 };
        return keyedWrites.run(write, () => resolve(source, args, context, info));
      };
    }
  }
}

const KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';

/** Gateway: a response refusing a reused key is a 409, whatever else it holds. */
export const reusedKeyConflict: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const body = response.body;
        const errors = (body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors) ?? [];
        if (errors.some((error) => error.extensions?.code === KEY_REUSED)) response.http.status = 409;
      },
    };
  },
};

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
    await manager.insert(IdempotencyKeyEntity, { id: write.id, requestKey: write.requestKey, subject: write.subject, fingerprint: write.fingerprint, answer: null, createdAt: new Date() });
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
  const write = keyedWrites.getStore();
  if (!write) return transaction(dataSource, work);
  await purgeExpired(dataSource, write.ttlMs);
  try {
    return await transaction(dataSource, (manager) => once(manager, write, work));
  } catch (error) {
    if (!(error instanceof KeyClaimed)) throw error;
    return transaction(dataSource, (manager) => once(manager, write, work));
  }
}
