/**
 * People in an export are names as saved on the exporting phone, so their keys are scoped to that device
 * (`name:<device>:<name>`) until an analyst or another source links them to a number. Numbers shown for
 * unsaved contacts are global identities (`phone:+<E164>`).
 */
import type { Location, ParsedAccount } from '../../model/types.js';
import { stripMarks } from './line-format.js';

const PHONE = /^\+[\d\s\-().\u00A0\u202F]{6,}$/u;
const PUSH_NAME = /^~[\s\u00A0\u202F]*(.+)$/u;

/** `+34 612 34 56 78` (any spacing, dashes, marks) → `+34612345678`; null when not a phone number. */
export function phoneE164(name: string): string | null {
  const s = stripMarks(name).trim();
  if (!PHONE.test(s)) return null;
  const digits = s.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : null;
}

export class People {
  readonly ownerKey: string;
  private readonly seen = new Set<string>();
  private readonly keys = new Map<string, string>();
  private readonly authors = new Set<string>();

  constructor(
    private readonly device: string,
    private readonly owner?: string,
    private readonly ownerName?: string,
  ) {
    const e164 = owner ? phoneE164(owner) : null;
    this.ownerKey = e164 ? `phone:${e164}` : `owner:${device}`;
  }

  /**
   * Authors of the file (exact, as written before ": "). A name inside a system line may lose its final
   * period when the line's own optional final period is read off it (`… añadió a Iker J.`): such a name is
   * the author (or owner) whose name is it plus ".".
   */
  knowAuthors(names: Iterable<string>): void {
    for (const n of names) this.authors.add(stripMarks(n).trim());
  }

  /** Key of a name as it appears as an author or inside a system line. */
  key(name: string): string {
    let k = this.keys.get(name);
    if (k === undefined) {
      k = this.computeKey(name);
      // Bounded: a chat has few distinct authors, but the names inside system lines are not trusted.
      if (this.keys.size < 100_000) this.keys.set(name, k);
    }
    return k;
  }

  private computeKey(name: string): string {
    const n = stripMarks(name).trim();
    if (this.ownerName && (n === this.ownerName || `${n}.` === this.ownerName)) return this.ownerKey;
    if (!this.authors.has(n) && this.authors.has(`${n}.`)) return this.computeKey(`${n}.`);
    const phone = phoneE164(n);
    if (phone) return `phone:${phone}`;
    const push = PUSH_NAME.exec(n);
    if (push) return `name:${this.device}:~ ${push[1]!.trim()}`;
    return `name:${this.device}:${n}`;
  }

  /** The account record the first time a key is met; null afterwards. */
  account(key: string, name: string | null, loc: Location): ParsedAccount | null {
    if (this.seen.has(key)) return null;
    this.seen.add(key);
    const phone = key.startsWith('phone:') ? key.slice(6) : null;
    const displayNames: string[] = [];
    const n = name === null ? null : stripMarks(name).trim();
    if (key === this.ownerKey) {
      if (this.ownerName) displayNames.push(this.ownerName);
    } else if (n && !phone) {
      const push = PUSH_NAME.exec(n);
      displayNames.push(push ? push[1]!.trim() : n);
    }
    return {
      type: 'account',
      key,
      phone,
      jids: phone ? [`${phone.slice(1)}@s.whatsapp.net`] : [],
      displayNames,
      loc,
    };
  }
}
