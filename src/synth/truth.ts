import type { ChatExport } from './export-writer.js';
import { deviceView, type DeviceDbSummary } from './devices/view.js';
import type { Device, Media, OpEvent, Operation, Role } from './operation.js';
import { deriveRoleSets, type MaterialPost } from './roles.js';
import { pdqSignal } from '../hashing/signal-types.js';
import { hammingHex } from '../hashing/pdq.js';
import type { SynthContainer } from './containers.js';

/**
 * The answer key: what really happened in the synthetic operation, for tests and for judging the
 * analysis. Roles here are derived from behaviour (who posted what first, who re-shared, who added
 * people), not from the design the generator started from.
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

const INVITE = /^https:\/\/chat\.whatsapp\.com\//;

/** Union–find over media ids: copy–parent links that `linked` accepts, identical bytes, `pairs`. */
function families(
  op: Operation,
  linked: (m: Media) => boolean,
  pairs: Array<[number, number]> = [],
): Map<number, number> {
  const root = new Map<number, number>();
  const find = (id: number): number => {
    let r = id;
    while (root.has(r) && root.get(r) !== r) r = root.get(r)!;
    return r;
  };
  const union = (a: number, b: number) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) root.set(Math.max(ra, rb), Math.min(ra, rb));
  };
  // Identical bytes are one picture whatever made them (two re-encodes of one parent often coincide).
  const bySha = new Map<string, number>();
  for (const m of op.media) {
    root.set(m.id, m.id);
    if (m.parentId !== null && linked(m)) union(m.id, m.parentId);
    const twin = bySha.get(m.sha256);
    if (twin !== undefined) union(m.id, twin);
    else bySha.set(m.sha256, m.id);
  }
  for (const [a, b] of pairs) union(a, b);
  return new Map(op.media.map((m) => [m.id, find(m.id)]));
}

/**
 * A novel picture is material only where it meets known material: in a group where known material was
 * posted, and from there in every group it reached (transitively). Pictures that never meet known
 * material in what the devices hold cannot be told from a family's holiday photos.
 */
function materialOnly(posts: MaterialPost[]): MaterialPost[] {
  const byGroup = new Map<string, MaterialPost[]>();
  const byFamily = new Map<number, MaterialPost[]>();
  for (const p of posts) {
    (byGroup.get(p.msg.group) ?? byGroup.set(p.msg.group, []).get(p.msg.group)!).push(p);
    (byFamily.get(p.family) ?? byFamily.set(p.family, []).get(p.family)!).push(p);
  }
  const queue = [...new Set(posts.filter((p) => !p.novel).map((p) => p.msg.group))];
  const flagged = new Set(queue);
  const material = new Set<number>();
  for (let i = 0; i < queue.length; i++)
    for (const p of byGroup.get(queue[i]!)!) {
      if (material.has(p.family)) continue;
      material.add(p.family);
      for (const q of byFamily.get(p.family)!)
        if (!flagged.has(q.msg.group)) {
          flagged.add(q.msg.group);
          queue.push(q.msg.group);
        }
    }
  return posts.filter((p) => material.has(p.family));
}

/** Everything that happened: every post, event and membership. */
export function deriveRoles(op: Operation): Map<string, Role[]> {
  const byId = new Map(op.media.map((m) => [m.id, m]));
  const fam = families(op, () => true);
  const knownFamily = new Set(op.media.filter((m) => m.known).map((m) => fam.get(m.id)!));
  const groups = new Map(op.groups.map((g) => [g.jid, g]));
  const posts: MaterialPost[] = op.messages
    .filter((m) => m.mediaId !== null && !byId.get(m.mediaId)!.harmless)
    .map((msg) => {
      const family = fam.get(msg.mediaId!)!;
      return { msg, family, novel: !knownFamily.has(family), forwarded: msg.forwarded };
    });
  const { roles } = deriveRoleSets({
    posts,
    events: op.events,
    invites: op.messages.filter((m) => m.kind === 'text' && INVITE.test(m.text ?? '')),
    intervals: (g, phone) => groups.get(g)!.members.get(phone)?.intervals ?? [],
    members: (g) => groups.get(g)!.members.keys(),
    ranked: new Set(),
    clusterOf: (g) => groups.get(g)!.cluster,
  });
  return finish(op, roles);
}

function finish(op: Operation, roles: Map<string, Set<Role>>): Map<string, Role[]> {
  const out = new Map<string, Role[]>();
  for (const a of op.accounts) out.set(a.phone, [...(roles.get(a.phone) ?? [])].sort());
  return out;
}

/**
 * What the seized devices can show, with the same role definitions: the messages some device holds (a
 * database: everything posted while its owner was a member; an export: the chats still held at the end),
 * a post's picture only where a database records its hash or an export includes the file, a copy linked
 * to its parent or to another copy only when both pictures are on some device (PDQ needs the picture; a
 * hash alone says nothing about similarity), both hashes have usable quality and they are within the
 * threshold (plain hash or a dihedral view), the forwarded flag only where a database holds the message (exports never
 * show it), events the owners witnessed, admin rank from database participant lists and creator fields,
 * and a person in a group only when the evidence shows them there (posting, in an event or a list).
 */
export function observableRoles(
  op: Operation,
  exports: Map<string, ChatExport[]>,
  databases: Map<string, DeviceDbSummary>,
): {
  roles: Map<string, Role[]>;
  flagged: Set<string>;
  groups: Set<string>;
  /** Per group: how many distinct messages some device holds, and the media hashes the evidence records. */
  heldMessages: Map<string, number>;
  heldMedia: Map<string, Set<string>>;
} {
  const byId = new Map(op.media.map((m) => [m.id, m]));
  const groups = new Map(op.groups.map((g) => [g.jid, g]));
  const held = new Set<string>();
  const hashed = new Set<string>();
  const flaggedFwd = new Set<string>();
  const present = new Set<number>();
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
      db.presentMediaIds.forEach((id) => present.add(id));
      for (const v of deviceView(op, d).groups) {
        heldGroups.add(v.group.jid);
        show(v.group.jid, d.owner);
        for (const m of v.messages) [held, hashed, flaggedFwd].forEach((s) => s.add(m.id));
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
      x.mediaIds.forEach((id) => present.add(id));
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
  // PDQ can tell a copy from its parent only with both pictures at hand, both hashes of usable quality,
  // and the copy within the match threshold.
  const usable = (m: Media) => present.has(m.id) && m.pdqQuality >= pdqSignal.minQuality;
  // Two copies of one picture (siblings, whose parent may be missing) are as close as PDQ says.
  const whole = families(op, () => true);
  const kin = new Map<number, Media[]>();
  for (const m of op.media)
    if (usable(m))
      (kin.get(whole.get(m.id)!) ?? kin.set(whole.get(m.id)!, []).get(whole.get(m.id)!)!).push(m);
  const close: Array<[number, number]> = [];
  for (const ms of kin.values())
    for (let i = 0; i < ms.length; i++)
      for (let j = i + 1; j < ms.length; j++) {
        const [a, b] = [ms[i]!.pdqViews, ms[j]!.pdqViews];
        const d = Math.min(...a.map((v) => hammingHex(v, b[0]!)), ...b.map((v) => hammingHex(v, a[0]!)));
        if (d <= pdqSignal.matchThreshold) close.push([ms[i]!.id, ms[j]!.id]);
      }
  const fam = families(op, () => false, close);
  const knownFamily = new Set<number>();
  for (const m of op.media) if (m.known) knownFamily.add(fam.get(m.id)!);
  const visible = op.messages.filter((m) => held.has(m.id));
  for (const m of visible) show(m.group, m.sender);
  const posts: MaterialPost[] = visible
    .filter((m) => m.mediaId !== null && hashed.has(m.id) && !byId.get(m.mediaId)!.harmless)
    .map((msg) => {
      const family = fam.get(msg.mediaId!)!;
      return {
        msg,
        family,
        novel: !knownFamily.has(family),
        forwarded: flaggedFwd.has(msg.id) && msg.forwarded,
      };
    });
  const { roles, flagged } = deriveRoleSets({
    posts: materialOnly(posts),
    events: [...events],
    invites: visible.filter((m) => m.kind === 'text' && INVITE.test(m.text ?? '')),
    intervals: (g, phone) =>
      seen.get(g)?.has(phone) ? (groups.get(g)!.members.get(phone)?.intervals ?? []) : [],
    members: (g) => seen.get(g) ?? [],
    ranked,
    clusterOf: (g) => groups.get(g)!.cluster,
  });
  const heldMessages = new Map<string, number>();
  const heldMedia = new Map<string, Set<string>>();
  for (const m of visible) {
    heldMessages.set(m.group, (heldMessages.get(m.group) ?? 0) + 1);
    if (m.mediaId !== null && hashed.has(m.id))
      (heldMedia.get(m.group) ?? heldMedia.set(m.group, new Set()).get(m.group)!).add(
        byId.get(m.mediaId)!.sha256,
      );
  }
  return { roles: finish(op, roles), flagged, groups: heldGroups, heldMessages, heldMedia };
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
  const roles = deriveRoles(op);
  const obs = observableRoles(op, exports, databases);
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
      roles: roles.get(a.phone)!,
      observableRoles: obs.roles.get(a.phone)!,
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
        observableFlagged: obs.flagged.has(g.jid),
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
        'What the seized devices can show (see docs/accuracy.md): roles and flagged groups from the messages, ' +
        'pictures, flags, events and participant lists the devices hold; accounts[].observableRoles, groups[].observableFlagged.',
      flaggedGroups: [...obs.flagged].sort(),
    },
  };
}

export type Truth = ReturnType<typeof buildTruth>;
