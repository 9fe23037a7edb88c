import { UserError } from '../../util/errors.js';

/**
 * Wall-clock time in an IANA zone → UTC milliseconds, with Intl only. Exports carry no zone: the
 * investigator names one, and every local time of the file is read in it.
 */
export class WallClock {
  private readonly fmt: Intl.DateTimeFormat;
  /** Keyed by the wall-clock hour: offsets change on hour boundaries in nearly every zone. */
  private readonly hourCache = new Map<number, number>();

  constructor(readonly tz: string) {
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new UserError(`unknown time zone "${tz}" (use an IANA name such as Europe/Madrid)`);
    }
  }

  /** Zone offset (local − UTC) in ms at a UTC instant. */
  private offsetAt(utc: number): number {
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(utc)) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
    return asUtc - Math.floor(utc / 1000) * 1000;
  }

  /**
   * Month 1–12. A time inside a DST gap (spring) lands one hour later; a time in the repeated hour
   * (autumn) gets one of its two readings — for zones east of UTC the later (standard-time) one.
   */
  toUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const wallHour = Date.UTC(year, month - 1, day, hour);
    let base = this.hourCache.get(wallHour);
    if (base === undefined) {
      const first = this.offsetAt(wallHour);
      base = wallHour - first;
      // The offset at the guessed instant may differ when a DST change lies between: correct once.
      const second = this.offsetAt(base);
      if (second !== first) base = wallHour - second;
      this.hourCache.set(wallHour, base);
    }
    return base + minute * 60_000 + second * 1000;
  }
}
