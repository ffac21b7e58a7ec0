/** Calendar-date helpers on ISO `YYYY-MM-DD` strings, in UTC. */

/** The days any input may name (Date and DateTime inputs, imports, SEED_DATE): nothing this data knows lies outside. */
export const EARLIEST_DATE = '1900-01-01';
export const LATEST_DATE = '2199-12-31';
/** How a refused day is explained, wherever one is refused. */
export const DATE_RULE = `a day from ${EARLIEST_DATE} to ${LATEST_DATE} like 2026-11-23`;

/** A real YYYY-MM-DD day, in any year: 2026-02-30 is not one, though Date.parse rolls it over to March. */
export function isRealDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** A real day from EARLIEST_DATE to LATEST_DATE (0000-01-01 is a real day, but no date this data knows). */
export function isCalendarDate(value: unknown): value is string {
  return isRealDay(value) && value >= EARLIEST_DATE && value <= LATEST_DATE;
}

/** A moment whose day lies from EARLIEST_DATE to LATEST_DATE. */
export function isInDateRange(moment: Date): boolean {
  const day = moment.toISOString().slice(0, 10);
  return day >= EARLIEST_DATE && day <= LATEST_DATE;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function addMonths(isoDate: string, months: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

/** The last `months` calendar months (YYYY-MM, UTC) up to and including the current one, oldest first. */
export function lastMonths(months: number, now = new Date()): string[] {
  const thisMonth = `${now.toISOString().slice(0, 7)}-01`;
  return Array.from({ length: months }, (_, i) => addMonths(thisMonth, i - months + 1).slice(0, 7));
}

/**
 * A monthly series (GraphQL `MonthCount`) over `months` (from `lastMonths`): each month's count, 0
 * when it has none, and whether it is complete: every month is but the current one, still running.
 */
export function monthSeries(
  months: readonly string[],
  counts: ReadonlyMap<string, number>,
  now = new Date(),
): { month: string; count: number; complete: boolean }[] {
  const current = now.toISOString().slice(0, 7);
  return months.map((month) => ({ month, count: counts.get(month) ?? 0, complete: month < current }));
}
