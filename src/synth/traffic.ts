import { randomSpec, type TransformKind } from './images.js';
import type { Account, Group, Media, Message, Operation, ScaleConfig } from './operation.js';
import { membersAt } from './operation.js';
import type { Rng } from './random.js';
import { flaggedText, harmlessText, inviteLink } from './texts.js';

/**
 * Messages and media flow. Producers post originals first (not forwarded); people who hold an item
 * (were in a group when it was posted) and play a distributing part post it again later into another
 * of their groups — either forwarded as the same bytes or saved and re-sent, which WhatsApp re-encodes
 * into a new file (a transformed copy with a parent). Consumers only ever post text.
 */
const MIN = 60_000;
const SENDER_WEIGHT: Record<Account['design'], number> = {
  admin: 3,
  recruiter: 3,
  producer: 2,
  distributor: 2,
  bridge: 2,
  consumer: 1,
  bystander: 1,
};
const SHARES = new Set<Account['design']>(['distributor', 'bridge', 'producer', 'admin']);

export function buildTraffic(op: Operation, cfg: ScaleConfig, rng: Rng): void {
  const accounts = new Map(op.accounts.map((a) => [a.phone, a]));
  const flaggedOf = new Map<string, Group[]>();
  for (const g of op.groups) {
    if (g.harmless) continue;
    for (const phone of g.members.keys()) {
      if (!flaggedOf.has(phone)) flaggedOf.set(phone, []);
      flaggedOf.get(phone)!.push(g);
    }
  }
  const ids = new Set<string>();
  const post = (m: Omit<Message, 'id'>): Message => {
    let id: string;
    do id = rng.hex(rng.pick([16, 18, 20]));
    while (ids.has(id));
    ids.add(id);
    const msg = { id, ...m };
    op.messages.push(msg);
    return msg;
  };
  const text = (g: Group, sender: string, at: number, body: string, forwarded = false, score = 0) =>
    post({
      group: g.jid,
      sender,
      at,
      kind: 'text',
      text: body,
      forwarded,
      forwardScore: score,
      mediaId: null,
    });
  const image = (g: Group, sender: string, at: number, mediaId: number, forwarded: boolean, score: number) =>
    post({ group: g.jid, sender, at, kind: 'image', text: null, forwarded, forwardScore: score, mediaId });
  const newMedia = (
    m: Omit<Media, 'id' | 'sha256' | 'md5' | 'sha1' | 'size' | 'pdqDistance' | 'pdqQuality' | 'pdqViews'>,
  ): Media => {
    const media: Media = {
      id: op.media.length + 1,
      sha256: '',
      md5: '',
      sha1: '',
      size: 0,
      pdqDistance: null,
      pdqQuality: 0,
      pdqViews: [],
      ...m,
    };
    op.media.push(media);
    return media;
  };
  /** A time inside one of `phone`'s intervals in `g`, no earlier than `after`, or null. */
  const timeIn = (g: Group, phone: string, after: number, horizon: number): number | null => {
    const m = g.members.get(phone);
    if (!m) return null;
    const options = m.intervals
      .map((iv) => [
        Math.max(iv.from + MIN, after + 10 * MIN),
        Math.min(iv.to ?? op.end, op.end, after + horizon) - MIN,
      ])
      .filter(([lo, hi]) => hi > lo);
    if (!options.length) return null;
    const [lo, hi] = rng.pick(options);
    return Math.floor(lo + (hi - lo) * rng.float() ** 2);
  };

  // Invite links: posted by the creator, sometimes re-posted later by another admin.
  for (const g of op.groups) {
    if (g.inviteLinkAt === null) continue;
    text(g, g.creator, g.inviteLinkAt, inviteLink(rng));
  }

  // Flagged originals and their redistribution.
  const producersOf = new Map<number, Account[]>();
  for (const a of op.accounts) {
    if (a.design !== 'producer' || a.cluster === null) continue;
    if (!producersOf.has(a.cluster)) producersOf.set(a.cluster, []);
    producersOf.get(a.cluster)!.push(a);
  }
  const clusterIds = [...producersOf.keys()].sort((a, b) => a - b);
  for (let i = 0; i < cfg.originals; i++) {
    const cluster = clusterIds[i % clusterIds.length];
    const producers = producersOf.get(cluster)!;
    const producer = producers[Math.floor(i / clusterIds.length) % producers.length];
    const g0 = rng.pick(flaggedOf.get(producer.phone) ?? []);
    const t0 = timeIn(g0, producer.phone, g0.createdAt + 60 * MIN, op.end);
    if (t0 === null) continue;
    const known = rng.chance(0.45);
    const original = newMedia({
      spec: randomSpec(rng, cfg.maxSide),
      transform: null,
      parentId: null,
      known,
      category: known ? rng.weighted([1, 2, 3], [80, 12, 8]) : null,
      harmless: false,
      firstPostedBy: producer.phone,
      firstPostedAt: t0,
      firstGroup: g0.jid,
    });
    image(g0, producer.phone, t0, original.id, false, 0);
    const holders = new Map<string, { since: number; mediaId: number; score: number }>();
    const receive = (g: Group, at: number, mediaId: number, score: number) => {
      for (const phone of membersAt(g, at))
        if (!holders.has(phone)) holders.set(phone, { since: at, mediaId, score });
    };
    receive(g0, t0, original.id, 0);
    const postedIn = new Set([g0.jid]);
    const reshares = rng.chance(0.15) ? 0 : rng.int(1, 6);
    for (let r = 0, tries = 0; r < reshares && tries < reshares * 12; tries++) {
      const sharers = [...holders.entries()].filter(([p]) => SHARES.has(accounts.get(p)!.design));
      if (!sharers.length) break;
      const [phone, held] = rng.pick(sharers);
      const targets = (flaggedOf.get(phone) ?? []).filter((g) => !postedIn.has(g.jid));
      if (!targets.length) continue;
      const g = rng.pick(targets);
      const at = timeIn(g, phone, held.since, 90 * 86_400_000);
      if (at === null) continue;
      r++;
      postedIn.add(g.jid);
      if (rng.chance(0.45)) {
        const parent = op.media[held.mediaId - 1];
        const copy = newMedia({
          spec: parent.spec,
          transform: {
            kind: rng.weighted<TransformKind>(['reencode', 'crop', 'border', 'flip'], [4, 3, 2, 1]),
            seed: rng.u32(),
          },
          parentId: parent.id,
          known: false,
          category: null,
          harmless: false,
          firstPostedBy: phone,
          firstPostedAt: at,
          firstGroup: g.jid,
        });
        image(g, phone, at, copy.id, false, 0);
        receive(g, at, copy.id, 0);
      } else {
        image(g, phone, at, held.mediaId, true, held.score + 1);
        receive(g, at, held.mediaId, held.score + 1);
      }
    }
  }

  // Harmless pictures stay inside harmless groups; some are forwarded to another harmless group.
  const harmless = op.groups.filter((g) => g.harmless);
  const harmlessMedia: Media[] = [];
  for (let i = 0; i < cfg.harmlessImages && harmless.length; i++) {
    const g = harmless[i % harmless.length];
    const at = g.createdAt + DAYS(1) + Math.floor(rng.float() * (op.end - g.createdAt - DAYS(2)));
    const present = membersAt(g, at);
    if (!present.length) continue;
    const sender = rng.pick(present);
    const m = newMedia({
      spec: randomSpec(rng, Math.min(cfg.maxSide, 1600)),
      transform: null,
      parentId: null,
      known: false,
      category: null,
      harmless: true,
      firstPostedBy: sender,
      firstPostedAt: at,
      firstGroup: g.jid,
    });
    harmlessMedia.push(m);
    image(g, sender, at, m.id, false, 0);
    if (harmless.length > 1 && rng.chance(0.3)) {
      const other = rng.pick(harmless.filter((h) => h !== g));
      const later = at + rng.int(1, 20) * DAYS(1);
      const there = later < op.end ? membersAt(other, later) : [];
      if (there.length) image(other, rng.pick(there), later, m.id, true, 1);
    }
  }

  // Chatter.
  for (const g of op.groups) {
    const n = g.members.size * rng.int(cfg.messagesPerMember[0], cfg.messagesPerMember[1]);
    for (let i = 0; i < n; i++) {
      const at = g.createdAt + 5 * MIN + Math.floor(rng.float() * (op.end - g.createdAt - 10 * MIN));
      const present = membersAt(g, at);
      if (!present.length) continue;
      const sender = rng.weighted(
        present,
        present.map((p) => SENDER_WEIGHT[accounts.get(p)!.design]),
      );
      if (g.harmless) {
        const fwd = rng.chance(0.03);
        text(g, sender, at, harmlessText(rng), fwd, fwd ? rng.int(1, 6) : 0);
      } else text(g, sender, at, flaggedText(rng));
    }
  }
  op.messages.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

function DAYS(n: number): number {
  return n * 86_400_000;
}
