import { createHmac, randomBytes } from 'node:crypto';
import { UNRESOLVED } from '../jurisdiction/resolve.js';
import type { CaseStore } from '../store/case-store.js';
import type { CaseView, ExportAccount } from './case-view.js';

/**
 * Who a referral package may name (docs/referrals.md). Its own suspects appear by identity; every other
 * person — of another country, or of this one but not a suspect — only as `{ref: "member N", country}`,
 * and a seized device whose owner is of another country only as `{ref: "device N", country}`.
 *
 * N is the rank of HMAC-SHA256(case key, country, account id) among all the case's accounts (devices
 * alike): one person keeps one number throughout a package, two packages number people independently, and
 * without the case key (kept in the case, never exported) a number says nothing about the account id or
 * the number behind it. The sending side can re-derive the mapping from its own case.
 */
export type PersonRef = { account: number } | { ref: string; country: string };
export type DeviceRef = { label: string } | { ref: string; country: string };

const KEY_META = 'referral_pseudonym_key';

/** The case's pseudonym key, created on first use. */
export async function pseudonymKey(store: CaseStore): Promise<string> {
  const k = await store.getMeta(KEY_META);
  if (k) return k;
  const fresh = randomBytes(32).toString('hex');
  await store.setMeta(KEY_META, fresh);
  return fresh;
}

/** Device label → the account of its owner (null when no owner identity is in the case). */
export function deviceOwners(view: CaseView): Map<string, number | null> {
  const byKey = new Map(view.doc.accounts.map((a) => [a.key, a.id]));
  const out = new Map<string, number | null>();
  for (const e of view.doc.evidence) {
    const o = (e.notes as { owner?: { key?: string | null; number?: string | null } }).owner;
    const digits = o?.number?.replace(/\D/g, '');
    const keys = [o?.key, digits ? `phone:+${digits}` : null, `owner:${e.device}`];
    const id = keys.map((k) => (k ? byKey.get(k) : undefined)).find((x) => x !== undefined) ?? null;
    if (!out.has(e.device) || (out.get(e.device) === null && id !== null)) out.set(e.device, id);
  }
  return out;
}

function ranks<T>(items: T[], name: (x: T) => string, key: string, scope: string): Map<T, number> {
  const digest = (x: T) =>
    createHmac('sha256', key)
      .update(`${scope}\0${name(x)}`)
      .digest('hex');
  const sorted = items.map((x) => [x, digest(x)] as const).sort((a, b) => (a[1] < b[1] ? -1 : 1));
  return new Map(sorted.map(([x], i) => [x, i + 1]));
}

export class ReferralScope {
  private readonly memberNo: Map<number, number>;
  private readonly deviceNo: Map<string, number>;
  private readonly used = new Map<number, { ref: string; country: string }>();

  constructor(
    readonly country: string,
    readonly own: ReadonlySet<number>,
    private readonly view: CaseView,
    private readonly owners: Map<string, number | null>,
    key: string,
  ) {
    this.memberNo = ranks(
      view.doc.accounts.map((a) => a.id),
      String,
      key,
      `member\0${country}`,
    );
    this.deviceNo = ranks([...owners.keys()], (l) => l, key, `device\0${country}`);
  }

  countryOf(id: number): string {
    return this.view.accountById.get(id)?.country ?? UNRESOLVED;
  }

  person(id: number | null): PersonRef | null {
    if (id === null) return null;
    if (this.own.has(id)) return { account: id };
    const ref = { ref: `member ${this.memberNo.get(id) ?? '?'}`, country: this.countryOf(id) };
    this.used.set(id, ref);
    return { ...ref };
  }

  /** Whether a device's owner is of this package's country (then its label may appear). */
  ownDevice(label: string): boolean {
    const owner = this.owners.get(label);
    return (owner === null || owner === undefined ? UNRESOLVED : this.countryOf(owner)) === this.country;
  }

  device(label: string): DeviceRef {
    if (this.ownDevice(label)) return { label };
    const owner = this.owners.get(label) ?? null;
    return {
      ref: `device ${this.deviceNo.get(label)}`,
      country: owner === null ? UNRESOLVED : this.countryOf(owner),
    };
  }

  deviceName(label: string): string {
    const d = this.device(label);
    return 'label' in d ? d.label : d.ref;
  }

  /**
   * An own suspect's key. Device-scoped keys (`name:<device>:<name>`, `owner:<device>`) name the device
   * they were read on: that part follows the device rule.
   */
  accountKey(a: ExportAccount): string {
    for (const label of this.owners.keys()) {
      if (a.key === `owner:${label}`) return `owner:${this.deviceName(label)}`;
      if (a.key.startsWith(`name:${label}:`))
        return `name:${this.deviceName(label)}:${a.key.slice(`name:${label}:`.length)}`;
    }
    return a.key;
  }

  /** A readable name for an own suspect: phone, else first display name, else key. */
  accountLabel(a: ExportAccount): string {
    return a.phone ?? a.displayNames[0] ?? this.accountKey(a);
  }

  /**
   * A group JID when it names nobody but own suspects. Old-style group JIDs are `<creator's number>-<time>`:
   * such a JID is withheld unless that number is an own suspect's.
   */
  groupJid(jid: string | null): string | null {
    if (jid === null) return null;
    const m = /^(\d+)-\d+@g\.us$/.exec(jid);
    if (!m) return /^\d+@g\.us$/.test(jid) ? jid : null;
    const phone = `+${m[1]}`;
    const owner = [...this.own].some((id) => this.view.accountById.get(id)?.phone === phone);
    return owner ? jid : null;
  }

  /** The references handed out so far, by number. */
  members(): { ref: string; country: string }[] {
    return [...this.used.values()].sort((a, b) => Number(a.ref.split(' ')[1]) - Number(b.ref.split(' ')[1]));
  }
}
