import { GraphQLError } from 'graphql';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * A sort order for keyset pagination: an SQL expression over the query's alias, and a
 * direction. Ties are always broken by id in the same direction.
 */
export interface SortOrder {
  /** Names the order inside cursors, so a cursor of one order is refused by another. */
  key: string;
  sql: string;
  direction: 'ASC' | 'DESC';
}

export type SortValue = string | number | Date | null;

/** A row of a page, with the value of its sort expression as the database returned it. */
export type Sorted<T> = T & { sortValue: SortValue };

/** Where a page starts: after the row with this sort value and id. */
export interface CursorPosition {
  value: SortValue;
  id: number;
}

export interface PageRequest {
  first: number;
  after?: CursorPosition;
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

/** The arguments that size a page of a list; the gateway refuses them out of range before costing a query. */
export const PAGE_SIZE_ARGUMENTS: readonly string[] = ['first', 'last'];

/** Why a page size is refused, or undefined for a whole number from 0 to MAX_PAGE_SIZE. */
export function pageSizeProblem(argument: string, value: unknown): string | undefined {
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_PAGE_SIZE) return undefined;
  return `"${argument}" must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`;
}

/** Validates `first` and `after`; a value out of range is an error, never silently changed. */
export function pageRequest(args: PageArgs, sort: SortOrder): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  const problem = pageSizeProblem('first', first);
  if (problem) throw badInput(problem, 'first');
  if (args.after === undefined || args.after === null) return { first };
  return { first, after: decodeCursor(args.after, sort) };
}

export function encodeCursor(row: Sorted<{ id: number }>, sort: SortOrder): string {
  const value = row.sortValue instanceof Date ? { date: row.sortValue.toISOString() } : row.sortValue;
  return Buffer.from(JSON.stringify([sort.key, value, row.id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: SortOrder): CursorPosition {
  const invalid = badInput('"after" is not a cursor of this list in this order; pass a pageInfo.endCursor from the same list', 'after');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== sort.key || !Number.isInteger(parsed[2])) throw invalid;
  const [, raw, id] = parsed as [string, unknown, number];
  if (raw === null || typeof raw === 'string' || typeof raw === 'number') return { value: raw, id };
  const date = typeof raw === 'object' && typeof (raw as { date?: unknown }).date === 'string' ? new Date((raw as { date: string }).date) : undefined;
  if (date && !Number.isNaN(date.getTime())) return { value: date, id };
  throw invalid;
}

export interface Connection<T> {
  totalCount: () => Promise<number>;
  nodes: () => Promise<T[]>;
  pageInfo: () => Promise<{ hasNextPage: boolean; endCursor: string | null }>;
}

/**
 * A connection whose parts load only when asked for: `{ totalCount }` runs just the count,
 * `{ nodes }` just the page. `fetchRows` must return up to `first + 1` rows, so the extra row
 * tells whether another page follows.
 */
export function lazyConnection<T extends Sorted<{ id: number }>>(
  page: PageRequest,
  sort: SortOrder,
  fetchRows: () => Promise<T[]>,
  count: () => Promise<number>,
): Connection<T> {
  let loaded: Promise<{ nodes: T[]; hasNextPage: boolean }> | undefined;
  const load = () =>
    (loaded ??= fetchRows().then((rows) => ({ nodes: rows.slice(0, page.first), hasNextPage: rows.length > page.first })));
  return {
    totalCount: count,
    nodes: async () => (await load()).nodes,
    pageInfo: async () => {
      const { nodes, hasNextPage } = await load();
      const last = nodes[nodes.length - 1];
      return { hasNextPage, endCursor: last ? encodeCursor(last, sort) : null };
    },
  };
}
