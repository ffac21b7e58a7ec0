// What the gateway needs of idempotency (README "Writes"), apart from what the subgraphs store:
// the headers, the key check, the request fingerprint and the 409 for a reused key. No TypeORM
// here, so the gateway does not load it (shared/idempotency.ts, the subgraphs' side, re-exports all).
import { createHash } from 'node:crypto';
import type { HttpHandler, HttpResponse } from './http';
import type { ApolloServerPlugin } from '@apollo/server';

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

export const sha256 = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex');

function badRequest(res: HttpResponse, message: string): void {
  res.status(400).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
}

/**
 * Gateway and subgraphs: a present `Idempotency-Key` must be 1–200 characters of
 * `A-Z a-z 0-9 . _ : -` (else 400 BAD_USER_INPUT); the valid key goes to `res.locals.idempotencyKey`.
 * A subgraph (`withFingerprint`) also needs the gateway's fingerprint of the request.
 */
export function readIdempotencyKey(withFingerprint: boolean): HttpHandler {
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
  return Object.fromEntries(
    Object.entries(value as object)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, canonical(v)]),
  );
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

export const KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';

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
