// Flattens a GraphQL response's `data` into a table (one row per leaf object) and writes it as
// RFC 4180 CSV, for `npm run query`. Pure functions: no I/O.
//
// Rules:
// - Columns are dotted paths of response keys (aliases included) without list indices:
//   `pois.code`, `pois.libraries.nodes.name`, `pois.stats.libraryCount`.
// - Column order is first-seen order, kept per level: a field takes its place the first time its
//   key appears, even when its value there is null, so columns follow the query's field order.
// - Every list of objects multiplies rows: one row per element (per leaf below it); the
//   scalars of every enclosing object repeat on each of those rows.
// - A list of scalars is one cell, its items joined with "; ".
// - Sibling lists of objects (e.g. a library's `branches` and `tickets.nodes`) are NOT combined
//   into a cartesian product, which would invent pairs that mean nothing and grow as the product
//   of the list lengths. The rows of the first list come first, then the rows of the second,
//   each with the shared parent columns filled and the other list's columns empty. So a column of
//   one list counts that list's items, and rows of one list can be picked out by filtering on a
//   non-empty column of that list. An empty sibling list adds no row of its own; when every list
//   under an object is empty (or null), the object still yields one row with its own fields
//   (the root has none: data with nothing in it, like `pois: []`, is a header without rows).
// - A null object or null list element yields a row with its parent's fields, its own columns
//   empty (e.g. a POI whose subgraph is down still appears with its registry fields).
// - Null is an empty cell; numbers are written plainly (`1234.5`, no thousands separators);
//   booleans as `true`/`false`.
import { csvField } from './csv';

export type Scalar = string | number | boolean | null;

export interface Table {
  columns: string[];
  /** One array of cells per row, in `columns` order; every cell is a string ('' for null). */
  rows: string[][];
}

/** A flattened row: column path to cell text. */
type Row = Map<string, string>;

/** The tree of response keys in first-seen order; its leaves are the columns. */
class ColumnNode {
  readonly children = new Map<string, ColumnNode>();

  child(key: string): ColumnNode {
    let node = this.children.get(key);
    if (!node) this.children.set(key, (node = new ColumnNode()));
    return node;
  }

  /** Leaf paths, depth first. A key that only ever held null, a scalar or a list of scalars is a leaf. */
  columns(prefix = ''): string[] {
    return [...this.children].flatMap(([key, node]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return node.children.size > 0 ? node.columns(path) : [path];
    });
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Cell text of one scalar: null is empty, numbers plain, booleans true/false. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

/**
 * One object's contribution: `own` holds the cells that occur once per object (its scalars and
 * those of nested non-list objects); `lists` holds, per list of objects below it (through nested
 * objects too), the rows that list produces.
 */
interface Expanded {
  own: Row;
  lists: Row[][];
}

function expand(object: Record<string, unknown>, path: string, node: ColumnNode): Expanded {
  const own: Row = new Map();
  const lists: Row[][] = [];
  for (const [key, value] of Object.entries(object)) {
    const childPath = path ? `${path}.${key}` : key;
    const childNode = node.child(key);
    if (Array.isArray(value)) {
      const items = value.flat(Infinity) as unknown[];
      if (items.some(isObject)) {
        lists.push(items.flatMap((item) => (isObject(item) ? rowsOf(item, childPath, childNode) : [new Map()])));
      } else {
        own.set(childPath, items.map(formatCell).join('; '));
      }
    } else if (isObject(value)) {
      const nested = expand(value, childPath, childNode);
      for (const [column, cell] of nested.own) own.set(column, cell);
      lists.push(...nested.lists);
    } else {
      own.set(childPath, formatCell(value));
    }
  }
  return { own, lists };
}

function rowsOf(object: Record<string, unknown>, path: string, node: ColumnNode): Row[] {
  const { own, lists } = expand(object, path, node);
  const listRows = lists.flat();
  if (listRows.length === 0) return [own];
  return listRows.map((row) => new Map([...own, ...row]));
}

/** Flattens a response's `data` (or any JSON object) into a table; see the rules above. */
export function flatten(data: Record<string, unknown>): Table {
  const root = new ColumnNode();
  const rows = rowsOf(data, '', root);
  const columns = root.columns();
  const cells = rows.map((row) => columns.map((column) => row.get(column) ?? ''));
  // The root has no fields of its own: when nothing at all came back (`pois: []`, `poi: null`)
  // its one row would be all empty, so there are no rows.
  if (cells.length === 1 && cells[0].every((cell) => cell === '')) return { columns, rows: [] };
  return { columns, rows: cells };
}

export { csvField };

/** RFC 4180 CSV: a header line, then one line per row, every line ended by CRLF. */
export function toCsv(table: Table): string {
  return [table.columns, ...table.rows].map((cells) => `${cells.map(csvField).join(',')}\r\n`).join('');
}
