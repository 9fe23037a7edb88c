import { S, locale } from './strings';

// Intl formatters are costly to build and tables format thousands of cells: one per locale and kind.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: (loc: string) => T): T {
  const loc = locale();
  const k = `${loc}|${key}`;
  let f = formatters.get(k);
  if (!f) formatters.set(k, (f = make(loc)));
  return f as T;
}

// The month is a word, so a day-first reader and a month-first reader read the same date.
const DAY: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' };

/**
 * Dates are shown in UTC, as the case stores them, so that two analysts in two zones read the same time;
 * the zone is printed ("UTC") and the clock is 24-hour in every language.
 */
export function when(iso: string | null | undefined): string {
  if (!iso) return S.none;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return cached(
    'when',
    (loc) =>
      new Intl.DateTimeFormat(loc, {
        ...DAY,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      }),
  ).format(d);
}

/** The UTC day of a time or date (`2031-03-03`, `2031-03-03T23:59:00Z`). */
export function day(iso: string | null | undefined): string {
  if (!iso) return S.none;
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso.slice(0, 10);
  return cached('day', (loc) => new Intl.DateTimeFormat(loc, DAY)).format(d);
}

const decimal = (digits: number) =>
  cached(
    `num${digits}`,
    (loc) => new Intl.NumberFormat(loc, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
  );

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return S.none;
  if (n < 1024) return `${decimal(0).format(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${decimal(1).format(v)} ${units[i]}`;
}

export function num(n: number | null | undefined, digits = 0): string {
  return n === null || n === undefined ? S.none : decimal(digits).format(n);
}

export function country(c: string | null | undefined): string {
  return c ?? '??';
}
