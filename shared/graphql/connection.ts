import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
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

/** The arguments that size a page of a list; the gateway refuses them out of range before costing a query. */
export const PAGE_SIZE_ARGUMENTS: readonly string[] = ['first', 'last'];

/** Why a page size is refused, or undefined for a whole number from 0 to MAX_PAGE_SIZE. */
export function pageSizeProblem(argument: string, value: unknown): string | undefined {
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_PAGE_SIZE) return undefined;
  return `"${argument}" must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`;
}

/** What a cursor belongs to: one list (with its parent, e.g. `library/12/tickets`), in one order, under one filter. */
export interface ListRef {
  list: string;
  sort: SortOrder;
  /** The list's filter and search arguments, as given; absent and null conditions count as not given. */
  filter?: unknown;
}

export interface Connection<T> {
  totalCount: () => Promise<number>;
  nodes: () => Promise<T[]>;
  pageInfo: () => Promise<{ hasNextPage: boolean; endCursor: string | null }>;
}

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

/** A filter in one spelling: keys sorted, null conditions dropped, lists as sets, dates as ISO text. */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return [...new Set(value.map((item) => JSON.stringify(canonical(item))))].sort();
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, canonical(v)]);
  }
  return value;
}

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals small JSON values (AES-256-GCM under a key derived from a secret and a purpose) bound to
 * associated data: nobody can read, forge or move a sealed value to another binding. The nonce is
 * a keyed hash of binding and value (as in SIV): the same value of the same binding always seals
 * to the same text, so identical queries get identical answers, and a nonce repeats only with its
 * message.
 */
export class Sealer {
  private readonly key: Buffer;
  private readonly nonceKey: Buffer;

  /** `info` names whose values these are (a subgraph, the network lists); `purpose` keeps their keys apart from other sealers'. */
  constructor(secret: string, info: string, purpose = 'cursor') {
    this.key = Buffer.from(hkdfSync('sha256', secret, `poi-federation/${purpose}s`, info, 32));
    this.nonceKey = Buffer.from(hkdfSync('sha256', secret, `poi-federation/${purpose}-nonces`, info, 32));
  }

  seal(value: unknown, binding: unknown): string {
    const plain = Buffer.from(JSON.stringify(value));
    const aad = Buffer.from(JSON.stringify(binding));
    const nonce = createHmac('sha256', this.nonceKey).update(aad).update('\0').update(plain).digest().subarray(0, NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce).setAAD(aad);
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), nonce, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The sealed value, or undefined for any text that this sealer did not seal for this binding. */
  open(text: string, binding: unknown, maxLength: number): unknown {
    const bytes = Buffer.from(text, 'base64url');
    if (text.length > maxLength || bytes.toString('base64url') !== text || bytes.length <= 1 + NONCE_BYTES + TAG_BYTES || bytes[0] !== VERSION)
      return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(1, 1 + NONCE_BYTES)).setAAD(Buffer.from(JSON.stringify(binding)));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8'));
    } catch {
      return undefined;
    }
  }
}

/** A filter in one spelling (keys sorted, null conditions dropped, lists as sets), for binding a cursor to it. */
export { canonical as canonicalFilter };

/**
 * Opaque, tamper-proof cursors for one subgraph. A cursor is the position after which the next
 * page starts (sort value and id), sealed (`Sealer`) under a key derived from the subgraph's
 * cursor secret and name; the list, order and filter it came from are its associated data. So
 * nobody can read a sort value out of a cursor (a fee a caller may not see, say), forge one with
 * a chosen value, or replay it on another list, order, filter or subgraph: any of these fails
 * authentication and is refused with BAD_USER_INPUT.
 */
export class Cursors {
  private readonly sealer: Sealer;

  constructor(secret: string, subgraph: string) {
    this.sealer = new Sealer(secret, subgraph);
  }

  private binding(list: ListRef): unknown {
    return [VERSION, list.list, list.sort.key, canonical(list.filter ?? null)];
  }

  seal(position: CursorPosition, list: ListRef): string {
    const value = position.value instanceof Date ? { date: position.value.toISOString() } : position.value;
    return this.sealer.seal([value, position.id], this.binding(list));
  }

  open(cursor: string, list: ListRef): CursorPosition {
    const invalid = badInput(
      '"after" is not a cursor of this list with this order and filter; pass a pageInfo.endCursor of the same list, order and filter',
      'after',
    );
    const parsed = this.sealer.open(cursor, this.binding(list), 512);
    // Authentic, so made by this subgraph; checked anyway, as cheap insurance.
    if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isInteger(parsed[1])) throw invalid;
    const [raw, id] = parsed as [unknown, number];
    if (raw === null || typeof raw === 'string' || typeof raw === 'number') return { value: raw, id };
    const date = typeof raw === 'object' && typeof (raw as { date?: unknown }).date === 'string' ? new Date((raw as { date: string }).date) : undefined;
    if (date && !Number.isNaN(date.getTime())) return { value: date, id };
    throw invalid;
  }

  /** Validates `first` and `after`; a value out of range is an error, never silently changed. */
  page(args: PageArgs, list: ListRef): PageRequest {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    const problem = pageSizeProblem('first', first);
    if (problem) throw badInput(problem, 'first');
    if (args.after === undefined || args.after === null) return { first };
    return { first, after: this.open(args.after, list) };
  }

  /**
   * A connection whose parts load only when asked for: `{ totalCount }` runs just the count,
   * `{ nodes }` just the page. The arguments are checked at once. `fetchRows` must return up
   * to `first + 1` rows, so the extra row tells whether another page follows.
   */
  connection<T extends Sorted<{ id: number }>>(
    args: PageArgs,
    list: ListRef,
    fetchRows: (page: PageRequest) => Promise<T[]>,
    count: () => Promise<number>,
  ): Connection<T> {
    const page = this.page(args, list);
    let loaded: Promise<{ nodes: T[]; hasNextPage: boolean }> | undefined;
    const load = () => (loaded ??= fetchRows(page).then((rows) => ({ nodes: rows.slice(0, page.first), hasNextPage: rows.length > page.first })));
    return {
      totalCount: count,
      nodes: async () => (await load()).nodes,
      pageInfo: async () => {
        const { nodes, hasNextPage } = await load();
        const last = nodes[nodes.length - 1];
        return { hasNextPage, endCursor: last ? this.seal({ value: last.sortValue, id: last.id }, list) : null };
      },
    };
  }
}
