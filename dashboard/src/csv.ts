// CSV downloads of the data behind each card, chart and table, made in the browser.
// RFC 4180 like `npm run query` writes, with its very rule for a field (shared/csv.ts: quoted
// when needed, a would-be formula behind a single quote): comma-separated, CRLF, with a
// byte-order mark so Excel reads Fryslân as UTF-8. Figures are raw numbers, not formatted.
import { csvField } from '../../shared/csv';

export type Cell = string | number | boolean | null | undefined;

export interface CsvTable {
  columns: string[];
  rows: Cell[][];
}

function field(cell: Cell): string {
  return csvField(cell === null || cell === undefined ? '' : String(cell));
}

export function toCsv(table: CsvTable): string {
  return [table.columns, ...table.rows].map((cells) => `${cells.map(field).join(',')}\r\n`).join('');
}

export function downloadCsv(fileName: string, table: CsvTable): void {
  const blob = new Blob([`\uFEFF${toCsv(table)}`], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
