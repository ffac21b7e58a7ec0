import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Identity } from './auth/identity';
import type { IdempotentRequest } from './idempotency';
import type { Logger } from './logger';

/** The header that carries a request's id: from the client to the gateway, to every subgraph fetch and back. */
export const REQUEST_ID_HEADER = 'x-request-id';

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** A client's id is kept only when it is 1–100 characters of `A-Z a-z 0-9 . _ -`, so it is safe in logs and headers. */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value);
}

/** The id of a request: the one it brought when valid, otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return isValidRequestId(given) ? given : randomUUID();
}

/** What a service knows about the request it is serving; filled in while the request runs. */
export interface RequestScope {
  requestId: string;
  /** The service's logger bound to this request (a pino child with `requestId`). */
  logger: Logger;
  operationName?: string;
  errorCount?: number;
  /** Fires when the request's deadline passes or its caller disconnects (subgraphs: shared/deadline.ts). */
  signal?: AbortSignal;
}

/** Added to every GraphQL context value, so resolvers and data sources can log with the request's id. */
export interface RequestContextFields {
  requestId: string;
  logger: Logger;
  /** Who is asking: verified by the gateway (from the client's token), by a subgraph (from the gateway's). */
  identity?: Identity;
  /** The request's valid `Idempotency-Key` (see shared/idempotency.ts), if it has one. */
  idempotency?: IdempotentRequest;
}

const scopes = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}
