import { S } from './strings';

/** Dates are shown in UTC, as the case stores them, so that two analysts in two zones read the same time. */
export function when(iso: string | null | undefined): string {
  if (!iso) return S.none;
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : S.none;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return S.none;
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function num(n: number | null | undefined, digits = 0): string {
  return n === null || n === undefined ? S.none : n.toFixed(digits);
}

export function country(c: string | null | undefined): string {
  return c ?? '??';
}
