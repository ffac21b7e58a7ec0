import type { HttpHandler } from './http';
import { GraphQLError, GraphQLSchema, isObjectType } from 'graphql';
import type { DataSource } from 'typeorm';
import { currentRequestScope, type RequestScope } from './request-id';

/** Sent by the gateway with every subgraph fetch: when it stops waiting for the answer, in epoch milliseconds. */
export const DEADLINE_HEADER = 'x-request-deadline';

const DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED';
const EXPIRED_MESSAGE = 'The request ran past its deadline: its caller stopped waiting for the answer';

/**
 * Gives every request a deadline and an AbortSignal (in its RequestScope) that fires when the
 * deadline passes or the caller disconnects. The deadline is the caller's `x-request-deadline`,
 * but never later than `maxMs` after arrival: the header cannot buy more work than the service's
 * own maximum. An expired deadline is answered 504 DEADLINE_EXCEEDED, a malformed one 400,
 * before any work.
 */
export function requestDeadline(maxMs: number): HttpHandler {
  return (req, res, next) => {
    const now = Date.now();
    let deadline = now + maxMs;
    const header = req.headers[DEADLINE_HEADER];
    if (header !== undefined) {
      if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) {
        return void res
          .status(400)
          .json({ errors: [{ message: `${DEADLINE_HEADER} must be a moment in epoch milliseconds`, extensions: { code: 'BAD_REQUEST' } }] });
      }
      if (Number(header) <= now) return void res.status(504).json({ errors: [{ message: EXPIRED_MESSAGE, extensions: { code: DEADLINE_EXCEEDED } }] });
      deadline = Math.min(deadline, Number(header));
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deadline - now);
    // When the caller hangs up first (the gateway aborting its fetch). After a full answer nothing
    // waits for work still under way (e.g. a load a failed sibling left behind): it may finish,
    // rather than fail later where nobody handles the failure.
    res.once('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) controller.abort();
    });
    (res.locals.requestScope as RequestScope).signal = controller.signal;
    next();
  };
}

/** Throws DEADLINE_EXCEEDED when the current request's deadline has passed or its caller went away. */
export function checkDeadline(): void {
  if (currentRequestScope()?.signal?.aborted) throw new GraphQLError(EXPIRED_MESSAGE, { extensions: { code: DEADLINE_EXCEEDED } });
}

/**
 * Stops work on a request past its deadline (requestDeadline): every field with its own resolver
 * checks before it runs, and every SQL statement before it is sent, except those that end a
 * transaction (a rollback must always run; a commit only keeps work already done).
 */
const guardedDatabases = new WeakSet<DataSource>();

export function enforceDeadline(schema: GraphQLSchema, dataSource?: DataSource): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      field.resolve = (source, args, context, info) => {
        checkDeadline();
        return resolve(source, args, context, info);
      };
    }
  }
  // Once per database, however often its subgraph's schema is rebuilt (a reloaded schema).
  if (!dataSource || guardedDatabases.has(dataSource)) return;
  guardedDatabases.add(dataSource);
  dataSource.subscribers.push({
    beforeQuery: ({ query }) => {
      if (!/^\s*(COMMIT|ROLLBACK|RELEASE)\b/i.test(query)) checkDeadline();
    },
  });
}
