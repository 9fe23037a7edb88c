import type { Interval, Message, OpEvent, Role } from './operation.js';

/**
 * The role definitions of docs/domain.md applied to a set of facts. truth.ts feeds it everything that
 * happened (the full truth) and everything the seized devices hold (the observable view), so both views
 * use one definition:
 *  producer    — first poster, anywhere in the facts, of a novel picture (family), not forwarded, that
 *                someone else posted again later;
 *  distributor — posted material (known or novel), other than the posts that made them producer;
 *  consumer    — member of a flagged group while material was posted there, posting none;
 *  admin       — created a flagged group or held admin rank in one;
 *  recruiter   — added others to a flagged group, or posted an invite link in one;
 *  bridge      — member of flagged groups of two or more designed clusters.
 * Flagged group: a group where material was posted.
 */
export interface MaterialPost {
  msg: Message;
  /** Picture family: same picture by hash or by a PDQ-close copy. */
  family: number;
  novel: boolean;
  /** The forwarded flag as these facts show it. */
  forwarded: boolean;
}

export interface RoleFacts {
  /** Material posts, time order. */
  posts: MaterialPost[];
  events: OpEvent[];
  invites: Message[];
  /** Membership intervals of a person in a group, as far as these facts show the person there. */
  intervals: (group: string, phone: string) => Interval[];
  members: (group: string) => Iterable<string>;
  /** Admin rank known from a participant list or a creator field (group|phone). */
  ranked: Set<string>;
  clusterOf: (group: string) => number | null;
}

export function deriveRoleSets(f: RoleFacts): { roles: Map<string, Set<Role>>; flagged: Set<string> } {
  const roles = new Map<string, Set<Role>>();
  const add = (phone: string, r: Role) =>
    (roles.get(phone) ?? roles.set(phone, new Set()).get(phone)!).add(r);
  const flagged = new Set(f.posts.map((p) => p.msg.group));
  const byFamily = new Map<number, MaterialPost[]>();
  for (const p of f.posts) (byFamily.get(p.family) ?? byFamily.set(p.family, []).get(p.family)!).push(p);
  const producing = new Set<Message>();
  for (const list of byFamily.values()) {
    const first = list[0]!;
    if (!first.novel || first.forwarded) continue;
    if (!list.some((p) => p.msg.sender !== first.msg.sender)) continue;
    producing.add(first.msg);
    add(first.msg.sender, 'producer');
  }
  for (const p of f.posts) if (!producing.has(p.msg)) add(p.msg.sender, 'distributor');
  for (const e of f.events) {
    if (!flagged.has(e.group)) continue;
    if (e.type === 'created' && e.actor) add(e.actor, 'admin');
    if (e.type === 'admin_promoted') e.targets.forEach((t) => add(t, 'admin'));
    if (e.type === 'added' && e.actor && e.targets.some((t) => t !== e.actor)) add(e.actor, 'recruiter');
  }
  for (const k of f.ranked) {
    const [group, phone] = k.split('|') as [string, string];
    if (flagged.has(group)) add(phone, 'admin');
  }
  for (const m of f.invites) if (flagged.has(m.group)) add(m.sender, 'recruiter');
  const times = new Map<string, number[]>();
  for (const p of f.posts)
    (times.get(p.msg.group) ?? times.set(p.msg.group, []).get(p.msg.group)!).push(p.msg.at);
  const clusters = new Map<string, Set<number>>();
  for (const g of flagged) {
    const c = f.clusterOf(g);
    for (const phone of f.members(g)) {
      const ivs = f.intervals(g, phone);
      if (!ivs.length) continue;
      if (c !== null) (clusters.get(phone) ?? clusters.set(phone, new Set()).get(phone)!).add(c);
      const saw = times.get(g)!.some((t) => ivs.some((iv) => iv.from <= t && (iv.to === null || t < iv.to)));
      const r = roles.get(phone);
      if (saw && !r?.has('producer') && !r?.has('distributor')) add(phone, 'consumer');
    }
  }
  for (const [phone, cs] of clusters) if (cs.size >= 2) add(phone, 'bridge');
  // Consumer excludes posting: drop it where a post came after the membership pass.
  for (const r of roles.values()) if (r.has('producer') || r.has('distributor')) r.delete('consumer');
  return { roles, flagged };
}
