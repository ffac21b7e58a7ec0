// Numbers and dates as the reader expects them: Dutch (nl-NL: 236.841, 153,2, 28 februari
// 2027) by default, British English with the English toggle.
import type { Lang } from './i18n';

export interface Formatters {
  locale: string;
  /** Whole numbers with thousands separators. */
  integer(value: number): string;
  /** Hours with at most one decimal. */
  hours(value: number | null): string;
  /** A calendar date (YYYY-MM-DD) in words. */
  date(iso: string): string;
  /** A month (YYYY-MM) as "nov 2026". */
  month(yyyyMm: string): string;
  /** A time of day, "14:05". */
  time(date: Date): string;
  /** A share from 0 to 1 as a percentage with at most one decimal, "83,3%"; "–" for null. */
  percent(share: number | null): string;
}

const LOCALES: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };

/** Midday UTC, so the calendar day is the same in every time zone. */
const utcDay = (iso: string) => new Date(`${iso}T12:00:00Z`);

export function formatters(lang: Lang): Formatters {
  const locale = LOCALES[lang];
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const hours = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const month = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return {
    locale,
    integer: (value) => integer.format(value),
    hours: (value) => (value === null ? '–' : hours.format(value)),
    date: (iso) => date.format(utcDay(iso)),
    month: (yyyyMm) => month.format(utcDay(`${yyyyMm}-15`)),
    time: (value) => time.format(value),
    percent: (share) => (share === null ? '–' : percent.format(share)),
  };
}
