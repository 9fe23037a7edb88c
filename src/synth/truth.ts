import type { ChatExport } from './export-writer.js';
import { deviceView, type DeviceDbSummary } from './devices/view.js';
import type { Device, Media, OpEvent, Operation } from './operation.js';
import { answerKey, type Holdings } from './answer-key.js';
import type { SynthContainer } from './containers.js';

/**
 * The answer key: what really happened in the synthetic operation, for tests and for judging the
 * analysis. Roles are what the generator made each account do (who posted which picture first, who
 * re-posted, who created, promoted, added, posted invite links; src/synth/answer-key.ts), not the design
 * the generator started from and not the analysis' role rules; roles no seized device holds any fact of
 * are listed per account as `unobservable` and left out of `observableRoles`.
 */

export interface DeviceEntry {
  label: string;
  owner: string;
  ownerName: string;
  locale: string;
  platform: Device['platform'];
  tz: string;
  files: string[];
  savedContacts: Record<string, string>;
  /** The device's evidence as a lab delivers it, when synth wrote it so (`--containers`). */
  containers?: SynthContainer[];
}

export function generatedAt(seed: number): string {
  return new Date(Date.UTC(2017, 5, 2) + (Math.abs(seed) % 86_400) * 1000).toISOString();
}

/**
 * What the seized devices hold: the messages some device holds (a database: everything posted while its
 * owner was a member; an export: the chats still held at the end), a post's picture hash only where a
 * database records it or an export includes the file, the events the owners witnessed, admin rank from
 * database participant lists and creator fields, and the people the evidence shows in each group
 * (owners, participants, event actors and targets, senders). Facts only: no role rule is applied here.
 */
export function holdings(
  op: Operation,
  exports: Map<string, ChatExport[]>,
  databases: Map<string, DeviceDbSummary>,
): Holdings & {
  groups: Set<string>;
  /** Per group: how many distinct messages some device holds, and the media hashes the evidence records. */
  heldMessages: Map<string, number>;
  heldMedia: Map<string, Set<string>>;
} {
  const byId = new Map(op.media.map((m) => [m.id, m]));
  const groups = new Map(op.groups.map((g) => [g.jid, g]));
  const held = new Set<string>();
  const hashed = new Set<string>();
  const events = new Set<OpEvent>();
  const ranked = new Set<string>();
  const seen = new Map<string, Set<string>>();
  const show = (g: string, phone: string | null) => {
    if (phone) (seen.get(g) ?? seen.set(g, new Set()).get(g)!).add(phone);
  };
  const heldGroups = new Set<string>();
  for (const d of op.devices) {
    const db = databases.get(d.label);
    if (db) {
      for (const v of deviceView(op, d).groups) {
        heldGroups.add(v.group.jid);
        show(v.group.jid, d.owner);
        for (const m of v.messages) [held, hashed].forEach((s) => s.add(m.id));
        v.events.forEach((e) => events.add(e));
        for (const p of v.participants) {
          show(v.group.jid, p.phone);
          if (p.rank > 0) ranked.add(`${v.group.jid}|${p.phone}`);
        }
        // The creator: iOS records it (ZWAGROUPINFO), Android only inside an old-style group JID.
        if (d.platform === 'ios' || /^\d+-\d+@g\.us$/.test(v.group.jid)) {
          ranked.add(`${v.group.jid}|${v.group.creator}`);
          show(v.group.jid, v.group.creator);
        }
      }
    }
    for (const x of exports.get(d.label) ?? []) {
      heldGroups.add(x.group);
      show(x.group, d.owner);
      const withMedia = !d.withoutMedia.includes(x.group);
      for (const id of x.messageIds) {
        held.add(id);
        if (withMedia) hashed.add(id);
      }
      const me = groups.get(x.group)!.members.get(d.owner)!.intervals;
      for (const e of op.events)
        if (e.group === x.group && me.some((iv) => iv.from <= e.at && (iv.to === null || e.at <= iv.to)))
          events.add(e);
    }
  }
  for (const e of events) [e.actor, ...e.targets].forEach((p) => show(e.group, p));
  const visible = op.messages.filter((m) => held.has(m.id));
  for (const m of visible) show(m.group, m.sender);
  const heldMessages = new Map<string, number>();
  const heldMedia = new Map<string, Set<string>>();
  for (const m of visible) {
    heldMessages.set(m.group, (heldMessages.get(m.group) ?? 0) + 1);
    if (m.mediaId !== null && hashed.has(m.id))
      (heldMedia.get(m.group) ?? heldMedia.set(m.group, new Set()).get(m.group)!).add(
        byId.get(m.mediaId)!.sha256,
      );
  }
  return { held, hashed, events, ranked, seen, groups: heldGroups, heldMessages, heldMedia };
}

function derivedFromKnown(m: Media, byId: Map<number, Media>): boolean {
  for (let p = m.parentId; p !== null; p = byId.get(p)!.parentId) if (byId.get(p)!.known) return true;
  return false;
}

export function buildTruth(
  op: Operation,
  exports: Map<string, ChatExport[]>,
  devices: DeviceEntry[],
  databases: Map<string, DeviceDbSummary> = new Map(),
) {
  const byId = new Map(op.media.map((m) => [m.id, m]));
  const obs = holdings(op, exports, databases);
  const key = answerKey(op, obs);
  const exportedMsgs = new Map<string, Set<string>>();
  const exportedMedia = new Map<string, Set<string>>();
  for (const list of exports.values()) {
    for (const x of list) {
      if (!exportedMsgs.has(x.group)) exportedMsgs.set(x.group, new Set());
      if (!exportedMedia.has(x.group)) exportedMedia.set(x.group, new Set());
      x.messageIds.forEach((id) => exportedMsgs.get(x.group)!.add(id));
      x.mediaIds.forEach((id) => exportedMedia.get(x.group)!.add(byId.get(id)!.sha256));
    }
  }
  const msgCount = new Map<string, number>();
  const evCount = new Map<string, number>();
  const postCount = new Map<number, number>();
  const flaggedGroups = new Set<string>();
  for (const e of op.events) evCount.set(e.group, (evCount.get(e.group) ?? 0) + 1);
  for (const m of op.messages) {
    msgCount.set(m.group, (msgCount.get(m.group) ?? 0) + 1);
    if (m.mediaId !== null) postCount.set(m.mediaId, (postCount.get(m.mediaId) ?? 0) + 1);
    if (m.mediaId !== null && !byId.get(m.mediaId)!.harmless) flaggedGroups.add(m.group);
  }
  const phoneOf = new Map(op.accounts.map((a) => [a.phone, a]));
  const allExportedMedia = new Set<string>();
  for (const s of exportedMedia.values()) s.forEach((h) => allExportedMedia.add(h));
  return {
    synthetic: true,
    note: 'Generated by filet synth. Every person, number, group and image is made up; images are abstract pictures.',
    seed: op.seed,
    scale: op.scale,
    generatedAt: generatedAt(op.seed),
    period: { from: op.start, to: op.end },
    accounts: op.accounts.map((a) => ({
      phone: a.phone,
      country: a.country,
      displayName: a.displayName,
      /** What the generator made the account do (src/synth/answer-key.ts). */
      roles: key.roles.get(a.phone)!,
      /** `roles` minus the roles no seized device holds any fact of: the asserted key. */
      observableRoles: key.observable.get(a.phone)!,
      unobservable: key.unobservable.get(a.phone)!,
      designed: a.design,
      cluster: a.cluster,
    })),
    groups: op.groups.map((g) => {
      const subjects = g.subjects.map((s) => ({ subject: s.subject, at: s.at }));
      return {
        jid: g.jid,
        exportKey: `export:${subjects[subjects.length - 1].subject}`,
        jidKey: `jid:${g.jid}`,
        /** Some seized device holds this group (database or export). */
        held: obs.groups.has(g.jid),
        observableFlagged: key.observableFlagged.has(g.jid),
        /** Distinct messages the seized evidence holds (databases and exports together). */
        heldMessageCount: obs.heldMessages.get(g.jid) ?? 0,
        heldMediaSha256: [...(obs.heldMedia.get(g.jid) ?? [])].sort(),
        subjects,
        creator: g.creator,
        createdAt: g.createdAt,
        flagged: flaggedGroups.has(g.jid),
        cluster: g.cluster,
        harmless: g.harmless,
        members: [...g.members.values()].map((m) => ({
          phone: m.phone,
          admin: m.admin,
          intervals: m.intervals.map((iv) => ({ from: iv.from, to: iv.to })),
        })),
        messageCount: msgCount.get(g.jid) ?? 0,
        eventCount: evCount.get(g.jid) ?? 0,
        exportedMessageCount: exportedMsgs.get(g.jid)?.size ?? 0,
        exportedMediaSha256: [...(exportedMedia.get(g.jid) ?? [])].sort(),
      };
    }),
    clusters: op.clusters,
    media: op.media.map((m) => ({
      sha256: m.sha256,
      md5: m.md5,
      sha1: m.sha1,
      size: m.size,
      known: m.known,
      category: m.category,
      novel: !m.known && !m.harmless && !derivedFromKnown(m, byId),
      derivedFromKnown: derivedFromKnown(m, byId),
      harmless: m.harmless,
      transform: m.transform?.kind ?? null,
      transformStrength: m.transform?.strength ?? (m.transform ? 1 : null),
      pdqDistanceToParent: m.pdqDistance,
      pdqQuality: m.pdqQuality,
      firstPostedBy: m.firstPostedBy,
      firstPostedByCountry: phoneOf.get(m.firstPostedBy)!.country,
      firstPostedAt: m.firstPostedAt,
      firstGroup: m.firstGroup,
      parentSha256: m.parentId === null ? null : byId.get(m.parentId)!.sha256,
      postCount: postCount.get(m.id) ?? 0,
    })),
    exportedMediaSha256: [...allExportedMedia].sort(),
    devices: devices.map((d, i) => ({
      ...d,
      groups: op.devices[i].groups,
      /** Groups handed over as chat exports (in `files` order); none when the phone gave a database only. */
      exportedGroups: op.devices[i].chatExports ? op.devices[i].exported : [],
      withoutMedia: op.devices[i].chatExports ? op.devices[i].withoutMedia : [],
      database: op.devices[i].database,
      databaseMediaPresent: databases.get(d.label)?.presentMediaIds.length ?? 0,
      chatExports: op.devices[i].chatExports,
    })),
    observable: {
      note:
        'The answer key restricted to what the seized devices hold (see docs/accuracy.md): accounts[].observableRoles ' +
        '(roles minus accounts[].unobservable), groups[].observableFlagged (a material post with its hash is held).',
      flaggedGroups: [...key.observableFlagged].sort(),
    },
  };
}

export type Truth = ReturnType<typeof buildTruth>;
