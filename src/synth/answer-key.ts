import type { Group, Media, Message, OpEvent, Operation, Role } from './operation.js';

/**
 * The answer key of roles: what the generator decided, read from its own records (each picture's
 * lineage, who it made post what, the membership events it made, its designed clusters) — never from
 * the role rules under test (src/network/roles.ts) applied to anything. Per docs/domain.md:
 *  producer    — the generator made them post an original novel picture first (the production: the
 *                first post of a picture with no parent, not on the known list), and someone else then
 *                posted it again (the same bytes or a copy of its lineage);
 *  distributor — the generator made them post material (known, copy, or an original nobody else
 *                re-posted), other than their productions;
 *  admin       — the generator made them create a flagged group or promoted them in one;
 *  recruiter   — the generator made them add someone else to a flagged group or post an invite link in one;
 *  consumer    — the generator made them a member of a flagged group while material was posted there and
 *                never made them post material;
 *  bridge      — the generator made them a member of flagged groups of two or more designed clusters.
 * Flagged group: a group where the generator posted material (any picture not harmless).
 *
 * Each role is listed with the facts it rests on. `Holdings` says which facts some seized device holds;
 * a role none of whose facts is held is unobservable (no analysis of the seized evidence can see it),
 * listed with the reason and left out of the asserted key.
 */
export interface Holdings {
  /** Message ids some device holds with their picture's hash (database row, or export with media). */
  hashed: Set<string>;
  /** Message ids some device holds at all. */
  held: Set<string>;
  /** Membership events some device's owner witnessed. */
  events: Set<OpEvent>;
  /** `group|phone`: admin rank or creator that a participant list or creator field shows. */
  ranked: Set<string>;
  /** Per group: the people some device shows in it (owner, participant, event, sender). */
  seen: Map<string, Set<string>>;
}

export interface Unobservable {
  role: Role;
  why: string;
}

export interface AnswerKey {
  /** Roles the generator gave each account (sorted), whether or not any device holds them. */
  roles: Map<string, Role[]>;
  /** Roles whose every fact no seized device holds, with why. */
  unobservable: Map<string, Unobservable[]>;
  /** `roles` minus `unobservable`: the asserted key. */
  observable: Map<string, Role[]>;
  /** Groups where the generator posted material. */
  flagged: Set<string>;
  /** Flagged groups where some device holds a material post with its hash. */
  observableFlagged: Set<string>;
}

const INVITE = /^https:\/\/chat\.whatsapp\.com\//;

function inInterval(g: Group, phone: string, t: number): boolean {
  return (g.members.get(phone)?.intervals ?? []).some((iv) => iv.from <= t && (iv.to === null || t < iv.to));
}

export function answerKey(op: Operation, h: Holdings): AnswerKey {
  const byId = new Map(op.media.map((m) => [m.id, m]));
  const groups = new Map(op.groups.map((g) => [g.jid, g]));
  const root = (m: Media): Media => {
    let r = m;
    while (r.parentId !== null) r = byId.get(r.parentId)!;
    return r;
  };
  const material = op.messages.filter((m) => m.mediaId !== null && !byId.get(m.mediaId)!.harmless);
  const flagged = new Set(material.map((m) => m.group));
  const observableFlagged = new Set(material.filter((m) => h.hashed.has(m.id)).map((m) => m.group));

  // Evidence per account and role: the facts the role rests on and whether any is held.
  const facts = new Map<string, Map<Role, { held: boolean; why: string }>>();
  const note = (phone: string, role: Role, held: boolean, why: string) => {
    const f = facts.get(phone) ?? facts.set(phone, new Map()).get(phone)!;
    const cur = f.get(role);
    if (!cur) f.set(role, { held, why });
    else cur.held ||= held;
  };

  // Lineage: the posts of each original's family (the original and its copies), time order.
  const byRoot = new Map<number, Message[]>();
  for (const m of material) {
    const r = root(byId.get(m.mediaId!)!).id;
    (byRoot.get(r) ?? byRoot.set(r, []).get(r)!).push(m);
  }
  const productions = new Set<Message>();
  for (const [rootId, posts] of byRoot) {
    const o = byId.get(rootId)!;
    const first = posts.find(
      (m) => m.mediaId === o.id && m.sender === o.firstPostedBy && m.at === o.firstPostedAt,
    );
    if (o.known || !first) continue;
    const others = posts.filter((m) => m.sender !== first.sender);
    if (!others.length) continue;
    productions.add(first);
    if (!h.hashed.has(first.id))
      note(first.sender, 'producer', false, `no seized device holds the first post of picture ${o.id}`);
    else if (!others.some((m) => h.hashed.has(m.id)))
      note(
        first.sender,
        'producer',
        false,
        `no seized device holds a re-post of picture ${o.id} by someone else`,
      );
    else note(first.sender, 'producer', true, '');
  }
  for (const m of material)
    if (!productions.has(m))
      note(m.sender, 'distributor', h.hashed.has(m.id), 'no seized device holds any of their material posts');

  for (const e of op.events) {
    if (!flagged.has(e.group)) continue;
    // A fact of a group whose material no device holds shows nobody that the group is flagged.
    const shown = observableFlagged.has(e.group);
    const held = shown && h.events.has(e);
    if (e.type === 'created' && e.actor)
      note(e.actor, 'admin', held || (shown && h.ranked.has(`${e.group}|${e.actor}`)), ADMIN_WHY);
    if (e.type === 'admin_promoted')
      for (const t of e.targets)
        note(t, 'admin', held || (shown && h.ranked.has(`${e.group}|${t}`)), ADMIN_WHY);
    if (e.type === 'added' && e.actor && e.targets.some((t) => t !== e.actor))
      note(e.actor, 'recruiter', held, RECRUITER_WHY);
  }
  for (const m of op.messages)
    if (m.kind === 'text' && flagged.has(m.group) && INVITE.test(m.text ?? ''))
      note(m.sender, 'recruiter', observableFlagged.has(m.group) && h.held.has(m.id), RECRUITER_WHY);

  const posters = new Set(material.map((m) => m.sender));
  const postTimes = new Map<string, Message[]>();
  for (const m of material) (postTimes.get(m.group) ?? postTimes.set(m.group, []).get(m.group)!).push(m);
  const clusters = new Map<string, { all: Set<number>; seen: Set<number> }>();
  for (const jid of flagged) {
    const g = groups.get(jid)!;
    for (const phone of g.members.keys()) {
      const shown = h.seen.get(jid)?.has(phone) ?? false;
      if (g.cluster !== null) {
        const c = clusters.get(phone) ?? clusters.set(phone, { all: new Set(), seen: new Set() }).get(phone)!;
        c.all.add(g.cluster);
        if (shown && observableFlagged.has(jid)) c.seen.add(g.cluster);
      }
      if (posters.has(phone)) continue;
      const during = postTimes.get(jid)!.filter((m) => inInterval(g, phone, m.at));
      if (!during.length) continue;
      note(
        phone,
        'consumer',
        shown && during.some((m) => h.hashed.has(m.id)),
        'no seized device shows them in a flagged group together with a material post made while they were a member',
      );
    }
  }
  for (const [phone, c] of clusters)
    if (c.all.size >= 2)
      note(
        phone,
        'bridge',
        c.seen.size >= 2,
        'no seized device shows them in held flagged groups of two designed clusters',
      );

  const roles = new Map<string, Role[]>();
  const unobservable = new Map<string, Unobservable[]>();
  const observable = new Map<string, Role[]>();
  for (const a of op.accounts) {
    const f = facts.get(a.phone) ?? new Map<Role, { held: boolean; why: string }>();
    const rs = [...f.keys()].sort();
    roles.set(a.phone, rs);
    unobservable.set(
      a.phone,
      rs.filter((r) => !f.get(r)!.held).map((r) => ({ role: r, why: f.get(r)!.why })),
    );
    observable.set(
      a.phone,
      rs.filter((r) => f.get(r)!.held),
    );
  }
  return { roles, unobservable, observable, flagged, observableFlagged };
}

const ADMIN_WHY =
  'no seized device holds their creating or promotion event, nor a participant list or creator field showing their rank, in a group whose material some device holds';
const RECRUITER_WHY =
  'no seized device holds an event of them adding someone, nor their invite link, in a group whose material some device holds';
