import type { EntityManager } from 'typeorm';
import { currentRequestScope, type RequestScope } from './request-id';

/**
 * What a subgraph's request committed, as it reports it to the gateway (README "Caching"): the
 * kinds of record its writes audited (every write is audited, shared/versioned-writes.ts), noted
 * per transaction and kept for the request only once that transaction committed, so a write
 * that was rolled back reports nothing.
 */

/** The extension of a mutation's answer that says what it committed: `{ types: ["Ticket"] }` (empty: nothing). */
export const CHANGES_EXTENSION = 'changes';

export interface ReportedChanges {
  types: string[];
}

const pending = new WeakMap<EntityManager, Set<string>>();
const committed = new WeakMap<RequestScope, Set<string>>();

/** The GraphQL-style name of an audited kind of record: `WORK_AGENDA_ITEM` → `WorkAgendaItem`. */
export function touchedType(auditedKind: string): string {
  return auditedKind
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** Within a write's transaction: it changed a record of this kind. */
export function noteWrite(manager: EntityManager, auditedKind: string): void {
  let kinds = pending.get(manager);
  if (!kinds) pending.set(manager, (kinds = new Set()));
  kinds.add(touchedType(auditedKind));
}

/** After the transaction of `manager` committed: what it changed now belongs to the request's report. */
export function noteCommitted(manager: EntityManager | undefined): void {
  const kinds = manager && pending.get(manager);
  const scope = currentRequestScope();
  if (!kinds || !scope) return;
  let reported = committed.get(scope);
  if (!reported) committed.set(scope, (reported = new Set()));
  for (const kind of kinds) reported.add(kind);
}

/** What the current request has committed so far (sorted). */
export function committedChanges(): ReportedChanges {
  const scope = currentRequestScope();
  return { types: [...((scope && committed.get(scope)) ?? [])].sort() };
}
