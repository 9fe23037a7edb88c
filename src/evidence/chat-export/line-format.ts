/**
 * The timestamp at the start of an exported line, in its Android (`DATE, TIME - rest`) and iOS
 * (`[DATE, TIME:SS] rest`) shapes, and the per-file inference of the date order.
 */
import { DAY_FIRST_HINTS, MONTH_FIRST_HINTS } from './locales.js';

/** Direction marks and isolates that WhatsApp inserts around system text, attachments and numbers. */
const MARKS = /[\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
export function stripMarks(s: string): string {
  return s.replace(MARKS, '');
}

// JS `\s` covers U+00A0 and U+202F, which newer exports put before AM/PM and inside `p. m.`.
// Arabic exports write Arabic-Indic digits (U+0660–0669; Persian-style U+06F0–06F9 also occur), put a
// right-to-left mark after every date field (`١٨‏/٣‏/٢٠٢٢`), join date and time with the Arabic comma
// `،` and write `ص` (AM) / `م` (PM): starkdmi/whats_json test/data/languages/arabic_ios.txt, and
// https://github.com/mtln/chat-export/pull/30 for Android. Marks (M) are allowed around every field.
const D = String.raw`[0-9\u0660-\u0669\u06F0-\u06F9]`;
const M = String.raw`[\u200E\u200F\u061C]*`;
const DATE = String.raw`${M}(${D}{1,4})${M}([./-])${M}(${D}{1,2})${M}\2${M}(${D}{1,4})${M}`;
const TIME = String.raw`${M}(${D}{1,2})[:.](${D}{2})(?:[:.](${D}{2}))?${M}(?:\s*([aApP])\.?\s*[mM]\.?|\s*([\u0635\u0645]))?${M}`;
// Finnish writes `klo` and some French exports `à` between date and time; Arabic uses `،`.
const JOIN = String.raw`[,\u060C]?\s+(?:klo\s+|à\s+)?`;
const ANDROID = new RegExp(String.raw`^${DATE}${JOIN}${TIME}\s+[-–]\s(.*)$`, 's');
const IOS = new RegExp(String.raw`^\[${DATE}${JOIN}${TIME}\]\s?(.*)$`, 's');

/** Arabic-Indic and extended Arabic-Indic digits read as ASCII digits. */
export function asciiDigits(s: string): string {
  return s.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (c) => String((c.charCodeAt(0) & 0xf) % 10));
}
const num = (s: string): number => Number(asciiDigits(s));

export interface Header {
  style: 'android' | 'ios';
  /** The three date fields as written, and their digit counts. */
  fields: [number, number, number];
  widths: [number, number, number];
  hour: number;
  minute: number;
  second: number;
  ampm: 'am' | 'pm' | null;
  /** Everything after the timestamp (author and text, or the system text). */
  rest: string;
}

/** Parses the timestamp of a line whose leading marks are already stripped; null when it has none. */
export function parseHeader(line: string): Header | null {
  const c0 = line.charCodeAt(0);
  const digit = (c0 >= 0x30 && c0 <= 0x39) || (c0 >= 0x660 && c0 <= 0x669) || (c0 >= 0x6f0 && c0 <= 0x6f9);
  if (c0 !== 0x5b /* [ */ && !digit && c0 !== 0x200e && c0 !== 0x200f) return null;
  const ios = c0 === 0x5b;
  const m = (ios ? IOS : ANDROID).exec(line);
  if (!m) return null;
  const hour = num(m[5]!);
  const minute = num(m[6]!);
  const second = m[7] ? num(m[7]) : 0;
  const ap = m[8]?.toLowerCase() ?? (m[9] === '\u0635' ? 'a' : m[9] === '\u0645' ? 'p' : undefined);
  if (minute > 59 || second > 59 || hour > (ap ? 12 : 23)) return null;
  return {
    style: ios ? 'ios' : 'android',
    fields: [num(m[1]!), num(m[3]!), num(m[4]!)],
    widths: [m[1]!.length, m[3]!.length, m[4]!.length],
    hour,
    minute,
    second,
    ampm: ap === 'a' ? 'am' : ap === 'p' ? 'pm' : null,
    rest: m[10]!,
  };
}

export type DateOrder = 'd/m/y' | 'm/d/y' | 'y/m/d';
export interface DateOrderDecision {
  order: DateOrder;
  /** Which evidence decided: `year-first`, `first-field>12`, `second-field>12`, `locale-hint:<hint>`, `default`. */
  rule: string;
  /** Lines whose fields contradict the chosen order (phone locale changed mid-chat), if any. */
  conflicts?: number;
}

/** Collects the date fields of a file's timestamps, then decides the order once. */
export class DateOrderScanner {
  private yearFirst = 0;
  private firstOver12 = 0;
  private secondOver12 = 0;
  twoDigitYears = 0;

  add(h: Header): void {
    const [a, b, c] = h.fields;
    if (h.widths[0] === 4 || a > 31) {
      this.yearFirst++;
      if (h.widths[0] <= 2) this.twoDigitYears++;
    } else {
      if (a > 12) this.firstOver12++;
      if (b > 12) this.secondOver12++;
      if (h.widths[2] <= 2 && c >= 0) this.twoDigitYears++;
    }
  }

  decide(localeHint?: string): DateOrderDecision {
    if (this.yearFirst > 0 && this.firstOver12 === 0 && this.secondOver12 === 0)
      return { order: 'y/m/d', rule: 'year-first' };
    if (this.firstOver12 > 0 && this.secondOver12 === 0) return { order: 'd/m/y', rule: 'first-field>12' };
    if (this.secondOver12 > 0 && this.firstOver12 === 0) return { order: 'm/d/y', rule: 'second-field>12' };
    if (this.firstOver12 > 0 && this.secondOver12 > 0) {
      // Both fields exceed 12 somewhere: the file mixes orders; the majority wins and the rest is reported.
      const dmy = this.firstOver12 >= this.secondOver12;
      return {
        order: dmy ? 'd/m/y' : 'm/d/y',
        rule: dmy ? 'first-field>12 (majority)' : 'second-field>12 (majority)',
        conflicts: dmy ? this.secondOver12 : this.firstOver12,
      };
    }
    if (localeHint) {
      const hint = localeHint.replace('_', '-');
      const lower = hint.toLowerCase();
      if (MONTH_FIRST_HINTS.some((h) => h.toLowerCase() === lower))
        return { order: 'm/d/y', rule: `locale-hint:${hint}` };
      if (DAY_FIRST_HINTS.some((h) => lower === h.toLowerCase() || lower.startsWith(`${h.toLowerCase()}-`)))
        return { order: 'd/m/y', rule: `locale-hint:${hint}` };
    }
    return { order: 'd/m/y', rule: 'default' };
  }
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Reads a header's fields in the file's order; null when they make no calendar date. */
export function wallTime(h: Header, order: DateOrder): WallTime | null {
  const [a, b, c] = h.fields;
  let y: number, m: number, d: number, yw: number;
  if (order === 'y/m/d' || h.widths[0] === 4) [y, m, d, yw] = [a, b, c, h.widths[0]];
  else if (order === 'd/m/y') [d, m, y, yw] = [a, b, c, h.widths[2]];
  else [m, d, y, yw] = [a, b, c, h.widths[2]];
  // Two-digit years are read as 20xx (WhatsApp exists since 2009); recorded in the reader notes.
  if (yw <= 2) y += 2000;
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCDate() !== d) return null;
  let hour = h.hour;
  if (h.ampm === 'am' && hour === 12) hour = 0;
  else if (h.ampm === 'pm' && hour < 12) hour += 12;
  return { year: y, month: m, day: d, hour, minute: h.minute, second: h.second };
}
