// CSV downloads of the data behind each card, chart and table, made in the browser.
// RFC 4180 like `npm run query` writes: comma-separated, CRLF, quoted when needed, with a
// byte-order mark so Excel reads Fryslân as UTF-8. Figures are raw numbers, not formatted.

export type Cell = string | number | boolean | null | undefined;

export interface CsvTable {
  columns: string[];
  rows: Cell[][];
}

function field(cell: Cell): string {
  const text = cell === null || cell === undefined ? '' : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
