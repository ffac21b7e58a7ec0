// One CSV rule for every CSV this project writes: `npm run query` (shared/flatten.ts) and the
// dashboard's downloads (dashboard/src/csv.ts, bundled for the browser: no Node imports here).

/** A cell a spreadsheet would run as a formula: it starts with = + - @ or a tab or CR. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number (`-12.5`) starts with a minus too, and is data, not a formula. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * One CSV field (RFC 4180): a cell that would start a formula gets a leading single quote
 * (OWASP's advice against CSV injection), then it is quoted (quotes doubled) when it holds a
 * comma, quote, CR or LF.
 */
export function csvField(text: string): string {
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
