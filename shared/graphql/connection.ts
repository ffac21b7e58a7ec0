import { GraphQLError } from 'graphql';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A sort order for keyset pagination; ties are always broken by id in the same direction. */
export interface SortOrder<T> {
  property: keyof T & string;
  direction: 'ASC' | 'DESC';
  /** How the sort value travels in a cursor. */
  kind: 'text' | 'number' | 'datetime';
}

/** Where a page starts: after the row with this sort value and id. */
export interface CursorPosition {
  value: string | number | Date;
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

/** Validates `first` and `after`; a value out of range is an error, never silently changed. */
export function pageRequest(args: PageArgs, sort: SortOrder<any>): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`"first" must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`, 'first');
  }
  if (args.after === undefined || args.after === null) return { first };
  return { first, after: decodeCursor(args.after, sort) };
}

export function encodeCursor<T extends { id: number }>(row: T, sort: SortOrder<T>): string {
  const value = row[sort.property];
  const serialised = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([sort.property, serialised, row.id])).toString('base64url');
}

function decodeCursor(cursor: string, sort: SortOrder<any>): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== sort.property || !Number.isInteger(parsed[2])) {
    throw badInput('"after" is not a cursor of this list; pass a pageInfo.endCursor from the same list', 'after');
  }
  const [, raw, id] = parsed as [string, unknown, number];
  if (sort.kind === 'number' && typeof raw === 'number') return { value: raw, id };
  if (sort.kind === 'text' && typeof raw === 'string') return { value: raw, id };
  if (sort.kind === 'datetime' && typeof raw === 'string' && !Number.isNaN(Date.parse(raw))) return { value: new Date(raw), id };
  throw badInput('"after" is not a cursor of this list; pass a pageInfo.endCursor from the same list', 'after');
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
export function lazyConnection<T extends { id: number }>(
  page: PageRequest,
  sort: SortOrder<T>,
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
