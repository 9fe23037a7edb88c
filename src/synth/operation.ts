import type { MembershipEventType } from '../model/types.js';
import type { ImageSpec, TransformSpec } from './images.js';
import { COUNTRY_PLANS, PhoneBook } from './phones.js';
import { rngFor, type Rng } from './random.js';
import { flaggedSubject, harmlessSubject, profileName } from './texts.js';
import { buildTraffic } from './traffic.js';
import { chooseDevices, type SavedContactsMode } from './devices.js';

/**
 * The in-memory synthetic operation: who is who, which groups exist, who was in them when, what was
 * posted, and which phones were seized. Writers (exports, lists, truth; later device databases) only
 * read this structure.
 */
export type Scale = 'small' | 'medium' | 'large';
export type Role = 'producer' | 'distributor' | 'consumer' | 'admin' | 'recruiter' | 'bridge' | 'bystander';

export interface Account {
  /** E.164, e.g. `+34600012345`. */
  phone: string;
  /** As WhatsApp shows an unsaved number. */
  international: string;
  country: string;
  displayName: string;
  /** The part the account was designed to play; `roles` in truth is derived from behaviour. */
  design: Role;
  /** Designed community (null for bystanders). */
  cluster: number | null;
}

export interface Interval {
  from: number;
  to: number | null;
}

export interface Member {
  phone: string;
  admin: boolean;
  intervals: Interval[];
}

export interface Group {
  jid: string;
  subjects: Array<{ subject: string; at: number }>;
  creator: string;
  createdAt: number;
  cluster: number | null;
  harmless: boolean;
  members: Map<string, Member>;
  /** When an admin first posted the invite link (joins via link come after it). */
  inviteLinkAt: number | null;
}

export interface OpEvent {
  group: string;
  type: MembershipEventType;
  actor: string | null;
  targets: string[];
  at: number;
  /** New subject for `subject_changed`. */
  value: string | null;
  /** Previous subject for `subject_changed`. */
  old: string | null;
}

export interface Message {
  /** WhatsApp-like key id: 16–20 upper-case hex characters. */
  id: string;
  group: string;
  sender: string;
  at: number;
  kind: 'text' | 'image';
  text: string | null;
  forwarded: boolean;
  forwardScore: number;
  mediaId: number | null;
}

export interface Media {
  id: number;
  spec: ImageSpec;
  /** Set for a transformed copy: how it was derived from `parentId`. */
  transform: TransformSpec | null;
  parentId: number | null;
  known: boolean;
  /** Known-list category (1 mostly, some 2 or 3); null when not on the list. */
  category: number | null;
  harmless: boolean;
  firstPostedBy: string;
  firstPostedAt: number;
  firstGroup: string;
  /** Filled by `renderMedia`. */
  sha256: string;
  /** Filled by `renderMedia` for a copy: PDQ distance to its parent (best of the dihedral views). */
  pdqDistance: number | null;
  /** Filled by `renderMedia`: PDQ quality (0–100; below 50 a hash is not used for matching). */
  pdqQuality: number;
  /** Filled by `renderMedia`: the PDQ hash, then its seven dihedral views. */
  pdqViews: string[];
  md5: string;
  sha1: string;
  size: number;
}

export interface Device {
  label: string;
  owner: string;
  ownerName: string;
  locale: string;
  platform: 'android' | 'ios';
  tz: string;
  /** Every group the owner was ever in (what a device database would hold). */
  groups: string[];
  /** Groups the owner is still in at the end: exported as chats. */
  exported: string[];
  /** Exports made without media (placeholders say "omitted"). */
  withoutMedia: string[];
  /** Contacts saved under a name on this phone: name → E.164. */
  savedContacts: Record<string, string>;
  /** Device database extracted from the phone (msgstore.db schema, or iOS ChatStorage), if any. */
  database: 'new' | 'legacy' | 'both' | 'ios' | null;
  /** The chats were also (or only) handed over as "Export chat" zips. */
  chatExports: boolean;
}

export interface Operation {
  seed: number;
  scale: Scale;
  start: number;
  end: number;
  accounts: Account[];
  groups: Group[];
  events: OpEvent[];
  messages: Message[];
  media: Media[];
  devices: Device[];
  clusters: Array<{ id: number; groups: string[] }>;
}

export interface ScaleConfig {
  accounts: number;
  flaggedGroups: number;
  harmlessGroups: number;
  clusters: number;
  devices: number;
  /** Original flagged images (the media budget dominates run time). */
  originals: number;
  harmlessImages: number;
  maxSide: number;
  messagesPerMember: [number, number];
}

export const SCALES: Record<Scale, ScaleConfig> = {
  small: {
    accounts: 300,
    flaggedGroups: 14,
    harmlessGroups: 6,
    clusters: 3,
    devices: 10,
    originals: 30,
    harmlessImages: 12,
    maxSide: 2000,
    messagesPerMember: [3, 6],
  },
  medium: {
    accounts: 3000,
    flaggedGroups: 140,
    harmlessGroups: 60,
    clusters: 24,
    devices: 30,
    originals: 240,
    harmlessImages: 80,
    maxSide: 1600,
    messagesPerMember: [3, 6],
  },
  large: {
    accounts: 30000,
    flaggedGroups: 1400,
    harmlessGroups: 600,
    clusters: 200,
    devices: 60,
    originals: 1000,
    harmlessImages: 200,
    maxSide: 1024,
    messagesPerMember: [2, 4],
  },
};

export const START = Date.UTC(2016, 5, 1);
export const END = Date.UTC(2017, 5, 1);
const DAY = 86_400_000;

const COUNTRY_WEIGHTS: Array<[string, number]> = [
  ['ES', 34],
  ['IT', 12],
  ['DE', 10],
  ['CR', 8],
  ['CL', 8],
  ['MX', 9],
  ['AR', 9],
  ['FR', 7],
  ['PT', 2],
  ['NL', 1],
];

export function memberAt(g: Group, phone: string, t: number): boolean {
  const m = g.members.get(phone);
  if (!m) return false;
  return m.intervals.some((iv) => iv.from <= t && (iv.to === null || t < iv.to));
}

export function membersAt(g: Group, t: number): string[] {
  const out: string[] = [];
  for (const m of g.members.values()) {
    if (m.intervals.some((iv) => iv.from <= t && (iv.to === null || t < iv.to))) out.push(m.phone);
  }
  return out;
}

export function currentSubject(g: Group, t = Infinity): string {
  let s = g.subjects[0].subject;
  for (const x of g.subjects) if (x.at <= t) s = x.subject;
  return s;
}

function makeAccounts(seed: number, cfg: ScaleConfig): Account[] {
  const rng = rngFor(seed, 'accounts');
  const book = new PhoneBook(rngFor(seed, 'phones'));
  const countries = COUNTRY_WEIGHTS.map(([c]) => c);
  const weights = COUNTRY_WEIGHTS.map(([, w]) => w);
  const accounts: Account[] = [];
  for (let i = 0; i < cfg.accounts; i++) {
    // The first few accounts cycle through every country so even tiny runs span them all.
    const country = i < countries.length ? countries[i] : rng.weighted(countries, weights);
    if (!COUNTRY_PLANS[country]) throw new Error(country);
    const phone = book.next(country);
    accounts.push({
      phone: phone.e164,
      international: phone.international,
      country,
      displayName: profileName(rng, country),
      design: 'consumer',
      cluster: null,
    });
  }
  return rng.shuffle(accounts);
}

function groupJid(rng: Rng, creator: string, createdAt: number, used: Set<string>): string {
  for (;;) {
    const jid = rng.chance(0.7)
      ? `${creator.slice(1)}-${Math.floor(createdAt / 1000)}@g.us`
      : `120363${String(rng.int(100000, 999999))}${String(rng.int(100000, 999999))}@g.us`;
    if (!used.has(jid)) {
      used.add(jid);
      return jid;
    }
    createdAt += 1000;
  }
}

function uniqueSubject(base: string, used: Set<string>): string {
  let s = base;
  for (let i = 2; used.has(s); i++) s = `${base} #${i}`;
  used.add(s);
  return s;
}

/** Builds groups, memberships and membership events (no messages yet). */
function makeGroups(seed: number, cfg: ScaleConfig, accounts: Account[]) {
  const rng = rngFor(seed, 'groups');
  const nFlaggedAccounts = Math.round(accounts.length * 0.72);
  const flagged = accounts.slice(0, nFlaggedAccounts);
  const bystanders = accounts.slice(nFlaggedAccounts);
  const groups: Group[] = [];
  const events: OpEvent[] = [];
  const usedJids = new Set<string>();
  const usedSubjects = new Set<string>();
  const clusters: Array<{ id: number; groups: string[] }> = [];

  // Cluster sizes vary around the configured mean, from at least 3 groups (a one-group "cluster" is not
  // a community anyone could find).
  const minSize = Math.max(1, Math.min(3, Math.floor(cfg.flaggedGroups / cfg.clusters)));
  const clusterGroupCounts: number[] = Array.from({ length: cfg.clusters }, () => minSize);
  for (let left = cfg.flaggedGroups - cfg.clusters * minSize; left > 0; left--) {
    clusterGroupCounts[
      rng.weighted(
        [...clusterGroupCounts.keys()],
        clusterGroupCounts.map((c) => c + 1),
      )
    ]++;
  }
  const pools: Account[][] = clusterGroupCounts.map(() => []);
  flagged.forEach((a, i) => {
    const c = i < cfg.clusters ? i : rng.weighted([...pools.keys()], clusterGroupCounts);
    a.cluster = c;
    pools[c].push(a);
  });
  for (const a of bystanders) a.design = 'bystander';

  const plan = new Map<Group, Array<{ account: Account; designed: 'admin' | 'member' }>>();

  for (let c = 0; c < cfg.clusters; c++) {
    const pool = rng.shuffle(pools[c].slice());
    const k = clusterGroupCounts[c];
    const nAdmins = Math.max(1, Math.round(k / 3));
    const nProducers = k >= 4 ? 2 : 1;
    const admins = pool.splice(0, nAdmins);
    const producers = pool.splice(0, nProducers);
    const nDistributors = Math.max(2, Math.round(pool.length * 0.15));
    const distributors = pool.splice(0, nDistributors);
    admins.forEach((a) => (a.design = 'admin'));
    producers.forEach((a) => (a.design = 'producer'));
    distributors.forEach((a) => (a.design = 'distributor'));
    const consumers = pool;
    const cgroups: Group[] = [];
    for (let j = 0; j < k; j++) {
      const creator = admins[j % admins.length];
      const createdAt = START + rng.int(0, 200) * DAY + rng.int(0, DAY - 1);
      const subject = uniqueSubject(flaggedSubject(rng, rng.chance(0.15)), usedSubjects);
      const g: Group = {
        jid: groupJid(rng, creator.phone, createdAt, usedJids),
        subjects: [{ subject, at: createdAt }],
        creator: creator.phone,
        createdAt,
        cluster: c,
        harmless: false,
        members: new Map(),
        inviteLinkAt: null,
      };
      const roster: Array<{ account: Account; designed: 'admin' | 'member' }> = [];
      for (const a of admins)
        if (a !== creator && rng.chance(0.5)) roster.push({ account: a, designed: 'admin' });
      cgroups.push(g);
      plan.set(g, roster);
      groups.push(g);
    }
    const join = (a: Account, n: number) => {
      for (const g of rng.sample(cgroups, n)) {
        const roster = plan.get(g)!;
        if (g.creator !== a.phone && !roster.some((r) => r.account === a))
          roster.push({ account: a, designed: 'member' });
      }
    };
    producers.forEach((a) => join(a, Math.max(2, Math.ceil(k * 0.6))));
    distributors.forEach((a) => join(a, rng.int(2, 4)));
    consumers.forEach((a) => join(a, rng.chance(0.75) ? 1 : 2));
    clusters.push({ id: c, groups: cgroups.map((g) => g.jid) });
  }

  // Bridges: a distributor of each cluster also joins a group of the next cluster (a chain, plus a
  // few extra links on larger runs), so the network is one component whose links are these people.
  const byCluster = (c: number) => groups.filter((g) => g.cluster === c);
  const links: Array<[number, number]> = [];
  for (let c = 0; c + 1 < cfg.clusters; c++) links.push([c, c + 1]);
  for (let i = 0; i < Math.floor(cfg.clusters / 4); i++)
    links.push([rng.int(0, cfg.clusters - 1), rng.int(0, cfg.clusters - 1)]);
  for (const [from, to] of links) {
    if (from === to) continue;
    const candidates = pools[from].filter((a) => a.design === 'distributor');
    if (!candidates.length) continue;
    const bridge = rng.pick(candidates);
    bridge.design = 'bridge';
    const g = rng.pick(byCluster(to));
    plan.get(g)!.push({ account: bridge, designed: 'member' });
  }

  // Harmless groups: mostly bystanders, plus a few members of flagged groups (people have families).
  for (let j = 0; j < cfg.harmlessGroups; j++) {
    const creator = rng.pick(bystanders);
    const createdAt = START + rng.int(0, 300) * DAY + rng.int(0, DAY - 1);
    const g: Group = {
      jid: groupJid(rng, creator.phone, createdAt, usedJids),
      subjects: [{ subject: uniqueSubject(harmlessSubject(rng), usedSubjects), at: createdAt }],
      creator: creator.phone,
      createdAt,
      cluster: null,
      harmless: true,
      members: new Map(),
      inviteLinkAt: null,
    };
    const roster = rng
      .sample(bystanders, rng.int(8, 22))
      .filter((a) => a !== creator)
      .map((account) => ({ account, designed: 'member' as const }));
    for (const a of rng.sample(flagged, rng.int(1, 3))) roster.push({ account: a, designed: 'member' });
    plan.set(g, roster);
    groups.push(g);
  }
  // Bystanders nobody picked still exist (contacts seen nowhere would be odd): put each in one group.
  const seen = new Set<string>();
  for (const [g, roster] of plan) {
    seen.add(g.creator);
    roster.forEach((r) => seen.add(r.account.phone));
  }
  const harmless = groups.filter((g) => g.harmless);
  for (const a of accounts) {
    if (seen.has(a.phone)) continue;
    const pool = a.cluster === null ? harmless : byCluster(a.cluster);
    plan.get(rng.pick(pool))!.push({ account: a, designed: 'member' });
  }

  for (const g of groups) events.push(...churn(rng, g, plan.get(g)!, usedSubjects));
  return { groups, events, clusters };
}

/** Joins, leaves, removals, promotions and subject changes of one group over the period. */
function churn(
  rng: Rng,
  g: Group,
  roster: Array<{ account: Account; designed: 'admin' | 'member' }>,
  usedSubjects: Set<string>,
): OpEvent[] {
  const ev: OpEvent[] = [];
  const push = (
    type: OpEvent['type'],
    actor: string | null,
    targets: string[],
    at: number,
    value = null as string | null,
    old = null as string | null,
  ) => ev.push({ group: g.jid, type, actor, targets, at, value, old });
  const t0 = g.createdAt;
  g.members.set(g.creator, { phone: g.creator, admin: true, intervals: [{ from: t0, to: null }] });
  push('created', g.creator, [], t0, g.subjects[0].subject);
  const admins = [g.creator];
  const span = END - t0;
  // Invite links appear a few hours after creation in flagged groups (and some harmless ones).
  const linkAt = !g.harmless || rng.chance(0.3) ? t0 + rng.int(1, 12) * 3_600_000 : Infinity;
  g.inviteLinkAt = Number.isFinite(linkAt) ? linkAt : null;

  const initial = roster.filter(() => rng.chance(0.45));
  const firstBatchAt = t0 + rng.int(20, 600) * 1000;
  if (initial.length) {
    for (const r of initial)
      g.members.set(r.account.phone, {
        phone: r.account.phone,
        admin: false,
        intervals: [{ from: firstBatchAt, to: null }],
      });
    push(
      'added',
      g.creator,
      initial.map((r) => r.account.phone),
      firstBatchAt,
    );
  }
  for (const r of roster) {
    if (g.members.has(r.account.phone)) continue;
    const at = t0 + Math.floor(rng.float() * span * 0.85) + 60_000;
    const viaLink = at > linkAt && rng.chance(0.5);
    g.members.set(r.account.phone, {
      phone: r.account.phone,
      admin: false,
      intervals: [{ from: at, to: null }],
    });
    if (viaLink) push('joined_via_link', r.account.phone, [], at);
    else push('added', g.creator, [r.account.phone], at);
  }
  // Designed co-admins are promoted a little after they arrive.
  const promoted = new Set<string>();
  for (const r of roster) {
    const m = g.members.get(r.account.phone)!;
    if (r.designed === 'admin' || (rng.chance(0.04) && r.account.design !== 'consumer')) {
      const at = m.intervals[0].from + rng.int(1, 72) * 3_600_000;
      if (at >= END) continue;
      m.admin = true;
      promoted.add(m.phone);
      admins.push(m.phone);
      push('admin_promoted', g.creator, [m.phone], at);
      if (rng.chance(0.15)) {
        const back = at + rng.int(5, 60) * DAY;
        if (back < END) {
          m.admin = false;
          push('admin_demoted', g.creator, [m.phone], back);
        }
      }
    }
  }
  // Churn: some leave, some are removed, a few come back later.
  for (const m of g.members.values()) {
    if (m.phone === g.creator || promoted.has(m.phone)) continue;
    const account = roster.find((r) => r.account.phone === m.phone)!.account;
    if (account.design === 'producer' || !rng.chance(0.16)) continue;
    const iv = m.intervals[0];
    const at = iv.from + Math.floor(rng.float() * (END - iv.from) * 0.9) + 60_000;
    if (at >= END) continue;
    iv.to = at;
    if (rng.chance(0.3)) push('removed', g.creator, [m.phone], at);
    else push('left', m.phone, [], at);
    if (rng.chance(0.25)) {
      const back = at + rng.int(2, 40) * DAY;
      if (back < END - DAY) {
        m.intervals.push({ from: back, to: null });
        if (back > linkAt) push('joined_via_link', m.phone, [], back);
        else push('added', g.creator, [m.phone], back);
      }
    }
  }
  // Subject changes by an admin present at the time.
  const changes = rng.chance(g.harmless ? 0.2 : 0.35) ? rng.int(1, 2) : 0;
  for (let i = 0; i < changes; i++) {
    const at = t0 + Math.floor(rng.float() * span * 0.9) + DAY;
    const actor = admins.find((a) => memberAt(g, a, at)) ?? g.creator;
    const old = currentSubject(g, at);
    const next = uniqueSubject(
      g.harmless ? harmlessSubject(rng) : flaggedSubject(rng, rng.chance(0.4)),
      usedSubjects,
    );
    g.subjects.push({ subject: next, at });
    g.subjects.sort((a, b) => a.at - b.at);
    push('subject_changed', actor, [], at, next, old);
  }
  // Old subjects of later changes must chain: recompute after sorting.
  const changesEv = ev.filter((e) => e.type === 'subject_changed').sort((a, b) => a.at - b.at);
  changesEv.forEach((e, i) => (e.old = i === 0 ? g.subjects[0].subject : changesEv[i - 1].value));
  return ev;
}

export interface BuildOptions {
  seed: number;
  scale: Scale;
  /** See `SavedContactsMode` in devices.ts. */
  savedContacts?: SavedContactsMode;
}

/** Builds the whole operation except media bytes and hashes (see `renderMedia`). */
export function buildOperation({ seed, scale, savedContacts }: BuildOptions): Operation {
  const cfg = SCALES[scale];
  const accounts = makeAccounts(seed, cfg);
  const { groups, events, clusters } = makeGroups(seed, cfg, accounts);
  events.sort((a, b) => a.at - b.at || a.group.localeCompare(b.group));
  const op: Operation = {
    seed,
    scale,
    start: START,
    end: END,
    accounts,
    groups,
    events,
    messages: [],
    media: [],
    devices: [],
    clusters,
  };
  buildTraffic(op, cfg, rngFor(seed, 'traffic'));
  op.devices = chooseDevices(op, cfg, rngFor(seed, 'devices'), savedContacts);
  spreadRecruiting(op, rngFor(seed, 'recruiting'));
  return op;
}

/**
 * Recruiting by people other than the creator, on its own random stream (nothing else drawn changes):
 * in some flagged groups a co-admin adds some of the people who arrive after their promotion (they add,
 * they never post the link), and in some a member who is not an admin re-posts the group's invite link
 * (they post the link, they never add anyone). So each half of the recruiter definition is needed.
 */
function spreadRecruiting(op: Operation, rng: Rng): void {
  const ids = new Set(op.messages.map((m) => m.id));
  const linkOf = new Map<string, Message>();
  for (const m of op.messages)
    if (m.kind === 'text' && m.text?.startsWith('https://chat.whatsapp.com/') && !linkOf.has(m.group))
      linkOf.set(m.group, m);
  for (const g of op.groups) {
    if (g.harmless) continue;
    const evs = op.events.filter((e) => e.group === g.jid);
    const promotedAt = new Map<string, number>();
    for (const e of evs)
      if (e.type === 'admin_promoted' && !promotedAt.has(e.targets[0]!)) promotedAt.set(e.targets[0]!, e.at);
    const demotedAt = (p: string) =>
      evs.find((e) => e.type === 'admin_demoted' && e.targets[0] === p)?.at ?? Infinity;
    const coAdmins = [...promotedAt.keys()].filter((p) => p !== g.creator);
    if (coAdmins.length && rng.chance(0.4)) {
      const adder = rng.pick(coAdmins);
      const from = promotedAt.get(adder)!;
      const to = demotedAt(adder);
      for (const e of evs) {
        if (e.type !== 'added' || e.actor !== g.creator || e.at <= from || e.at >= to) continue;
        if (e.targets.includes(adder) || !memberAt(g, adder, e.at) || !rng.chance(0.6)) continue;
        e.actor = adder;
      }
    }
    const link = linkOf.get(g.jid);
    if (!link || !rng.chance(0.4)) continue;
    const plain = [...g.members.values()].filter(
      (m) =>
        m.phone !== g.creator &&
        !promotedAt.has(m.phone) &&
        !evs.some((e) => e.type === 'added' && e.actor === m.phone),
    );
    if (!plain.length) continue;
    const who = rng.pick(plain);
    const iv = rng.pick(who.intervals);
    const lo = Math.max(iv.from, link.at) + 60_000;
    const hi = Math.min(iv.to ?? op.end, op.end) - 60_000;
    if (hi <= lo) continue;
    let id: string;
    do id = rng.hex(rng.pick([16, 18, 20]));
    while (ids.has(id));
    ids.add(id);
    op.messages.push({ ...link, id, sender: who.phone, at: lo + Math.floor(rng.float() * (hi - lo)) });
  }
  op.messages.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}
