/**
 * Identity resolution rules (issue 11), pure: which account keys seen in different sources are one person,
 * with the evidence for it. Nothing here reads or writes a store; the caller gives the facts of chats it
 * already knows to be one chat and applies the decisions.
 *
 * A *local* identity is only meaningful on one device: a contact name as the exporting phone saved it
 * (`name:<device>:<name>`) or an owner whose number is not known (`owner:<device>`). A *global* identity is
 * a number or a LID. Evidence pairs a local identity with another identity when both sources hold the same
 * message or the same system event of one chat at the same minute: the export line written by "Camila L."
 * and the database row sent by +56 9 …, with the same kind and text (or media), are one message, so their
 * senders are one person.
 *
 * Decision rule (stated in docs/identity.md):
 *  - A unit of evidence is one (chat, minute, content) seen from two devices where each device holds exactly
 *    one such message (or every message of it on that device has one sender); anything else is ambiguous
 *    and counts for nothing.
 *  - A local identity L is merged automatically into X when at least `minSupport` distinct units pair L with
 *    X, no unit pairs L with any other identity (a contradiction), and no other local identity of L's device
 *    is paired with X (one number, two saved names on one phone: a contradiction too).
 *  - Otherwise a pair with support is kept as a suggestion with its score (the number of units) and every
 *    unit as a reason; contradictions are listed with all the identities involved, never resolved here.
 *  - Two global identities are never merged by co-occurrence (two numbers are two accounts unless a
 *    `number_changed` event or a LID map says otherwise).
 *  - A `number_changed` event ("X changed to +34 …") pairs the account with the new number: one unit of its
 *    own kind. Between two numbers it is only ever a suggestion (a number can be given to someone else
 *    later; an analyst decides); for a saved name it counts like any other unit.
 */

export interface SourcedMessage {
  id: number;
  /** The chat as already resolved (one id for every source of one chat). */
  chat: number;
  /**
   * Where the fact was read: a source (the store uses the device label and the kind of source, so one
   * phone's export and its database are two sources; two copies from one source never confirm each other).
   */
  device: string;
  /** Account key of the sender, after the merges already made; null for a line without one. */
  sender: string | null;
  minute: number;
  /** Kind and normalized content: `t:<digest>`, `m:image`, `m:image:<sha256>`… */
  content: string;
}

export interface SourcedEvent {
  id: number;
  chat: number;
  device: string;
  type: string;
  actor: string | null;
  targets: string[];
  minute: number;
  value: string | null;
}

export interface IdentityReason {
  /** `number-changed`: one event saying the account changed to that number (`facts` names it twice). */
  kind: 'message' | 'event-actor' | 'event-target' | 'number-changed';
  chat: number;
  minute: number;
  /** The two facts (message or event ids) that are one fact seen from two devices. */
  facts: [number, number];
}

export interface IdentityCandidate {
  /** The local identity. */
  from: string;
  /** The identity it would become. */
  into: string;
  support: number;
  reasons: IdentityReason[];
}

export interface IdentityDecisions {
  merges: IdentityCandidate[];
  suggestions: IdentityCandidate[];
  contradictions: { identity: string; candidates: IdentityCandidate[] }[];
}

export function isLocalIdentity(key: string): boolean {
  return key.startsWith('name:') || key.startsWith('owner:');
}

/** The device a local identity belongs to (`name:<device>:<name>`, `owner:<device>`). */
export function deviceOfLocal(key: string): string | null {
  if (key.startsWith('owner:')) return key.slice(6);
  if (!key.startsWith('name:')) return null;
  const rest = key.slice(5);
  const i = rest.indexOf(':');
  return i < 0 ? null : rest.slice(0, i);
}

interface Unit<T> {
  byDevice: Map<string, T[]>;
}

function units<T extends { chat: number; minute: number; device: string }>(
  facts: T[],
  content: (f: T) => string,
): Map<string, Unit<T>> {
  const out = new Map<string, Unit<T>>();
  for (const f of facts) {
    const k = `${f.chat}|${f.minute}|${content(f)}`;
    let u = out.get(k);
    if (!u) out.set(k, (u = { byDevice: new Map() }));
    (u.byDevice.get(f.device) ?? u.byDevice.set(f.device, []).get(f.device)!).push(f);
  }
  return out;
}

/** The one value every item gives, or null when they disagree or give none. */
function sole<T, V>(items: T[], value: (x: T) => V | null): V | null {
  let v: V | null = null;
  for (const x of items) {
    const y = value(x);
    if (y === null) return null;
    if (v !== null && v !== y) return null;
    v = y;
  }
  return v;
}

function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

/** Every pair of identities that two devices' copies of one message or event put together. */
export function coOccurrences(messages: SourcedMessage[], events: SourcedEvent[]): IdentityCandidate[] {
  const found = new Map<string, IdentityCandidate>();
  const seenUnit = new Set<string>();
  const note = (a: string | null, b: string | null, reason: IdentityReason, unit: string) => {
    if (a === null || b === null || a === b) return;
    const la = isLocalIdentity(a);
    const lb = isLocalIdentity(b);
    if (!la && !lb) return;
    // Local into global; between two locals, a fixed order so both ingest orders give the same pair.
    const [from, into] = la && lb ? (a < b ? [b, a] : [a, b]) : la ? [a, b] : [b, a];
    const k = pairKey(from, into);
    // One unit counts once per pair, however many devices saw it.
    if (seenUnit.has(`${k}\u0000${unit}`)) return;
    seenUnit.add(`${k}\u0000${unit}`);
    let c = found.get(k);
    if (!c) found.set(k, (c = { from, into, support: 0, reasons: [] }));
    c.support++;
    c.reasons.push(reason);
  };
  for (const [k, u] of units(messages, (m) => m.content)) {
    const devices = [...u.byDevice.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (let i = 0; i < devices.length; i++)
      for (let j = i + 1; j < devices.length; j++) {
        const [, xs] = devices[i]!;
        const [, ys] = devices[j]!;
        const a = sole(xs, (m) => m.sender);
        const b = sole(ys, (m) => m.sender);
        note(
          a,
          b,
          { kind: 'message', chat: xs[0]!.chat, minute: xs[0]!.minute, facts: [xs[0]!.id, ys[0]!.id] },
          k,
        );
      }
  }
  for (const [k, u] of units(events, (e) => `${e.type}|${e.value ?? ''}`)) {
    const devices = [...u.byDevice.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (let i = 0; i < devices.length; i++)
      for (let j = i + 1; j < devices.length; j++) {
        const xs = devices[i]![1];
        const ys = devices[j]![1];
        // Two events of one type in one minute on one device: which is which cannot be told.
        if (xs.length !== 1 || ys.length !== 1) continue;
        const x = xs[0]!;
        const y = ys[0]!;
        const base = { chat: x.chat, minute: x.minute, facts: [x.id, y.id] as [number, number] };
        note(x.actor, y.actor, { kind: 'event-actor', ...base }, `${k}|actor`);
        // Targets pair up only when, after the ones both sides already share, one is left on each side.
        const restX = x.targets.filter((t) => !y.targets.includes(t));
        const restY = y.targets.filter((t) => !x.targets.includes(t));
        if (restX.length === 1 && restY.length === 1)
          note(restX[0]!, restY[0]!, { kind: 'event-target', ...base }, `${k}|target`);
      }
  }
  return [...found.values()].sort((a, b) =>
    a.from < b.from ? -1 : a.from > b.from ? 1 : a.into < b.into ? -1 : 1,
  );
}

/**
 * The `number_changed` events whose value is a number (`toE164` normalizes it): the event's actor and the
 * new number, as candidates (a local actor first, as everywhere). Events seen from several devices count
 * once.
 */
export function numberChanges(
  events: SourcedEvent[],
  toE164: (shown: string) => string | null,
): IdentityCandidate[] {
  const found = new Map<string, IdentityCandidate>();
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    if (e.type !== 'number_changed' || e.actor === null || e.value === null) continue;
    const number = toE164(e.value);
    if (!number) continue;
    const into = `phone:${number}`;
    if (into === e.actor) continue;
    const k = pairKey(e.actor, into);
    let c = found.get(k);
    if (!c) found.set(k, (c = { from: e.actor, into, support: 0, reasons: [] }));
    if (c.reasons.some((r) => r.facts[0] === e.id)) continue;
    c.support++;
    c.reasons.push({ kind: 'number-changed', chat: e.chat, minute: e.minute, facts: [e.id, e.id] });
  }
  return [...found.values()];
}

/** Candidates of several sources for one pair become one: supports added, reasons kept in order. */
export function combineCandidates(...lists: IdentityCandidate[][]): IdentityCandidate[] {
  const out = new Map<string, IdentityCandidate>();
  for (const c of lists.flat()) {
    const k = pairKey(c.from, c.into);
    const had = out.get(k);
    if (!had) out.set(k, { ...c, reasons: [...c.reasons] });
    else {
      had.support += c.support;
      had.reasons.push(...c.reasons);
    }
  }
  return [...out.values()].sort((a, b) =>
    a.from < b.from ? -1 : a.from > b.from ? 1 : a.into < b.into ? -1 : 1,
  );
}

/** Applies the decision rule above to the candidates (see the file's comment). */
export function decideIdentities(
  candidates: IdentityCandidate[],
  opts: { minSupport: number; rejected?: Set<string> },
): IdentityDecisions {
  const rejected = opts.rejected ?? new Set<string>();
  const live = candidates.filter((c) => !rejected.has(pairKey(c.from, c.into)));
  const byFrom = new Map<string, IdentityCandidate[]>();
  for (const c of live) (byFrom.get(c.from) ?? byFrom.set(c.from, []).get(c.from)!).push(c);
  // Locals of one device claiming one identity.
  const claim = new Map<string, IdentityCandidate[]>();
  for (const c of live) {
    const k = `${deviceOfLocal(c.from)}\u0000${c.into}`;
    (claim.get(k) ?? claim.set(k, []).get(k)!).push(c);
  }
  const out: IdentityDecisions = { merges: [], suggestions: [], contradictions: [] };
  const contradicted = new Set<IdentityCandidate>();
  for (const [from, cs] of byFrom)
    if (cs.length > 1) {
      out.contradictions.push({ identity: from, candidates: cs });
      cs.forEach((c) => contradicted.add(c));
    }
  for (const [k, cs] of claim)
    if (cs.length > 1) {
      out.contradictions.push({ identity: k.slice(k.indexOf('\u0000') + 1), candidates: cs });
      cs.forEach((c) => contradicted.add(c));
    }
  for (const c of live) {
    // Only a local identity is ever merged automatically (two numbers: an analyst decides).
    if (!contradicted.has(c) && c.support >= opts.minSupport && isLocalIdentity(c.from)) out.merges.push(c);
    else out.suggestions.push(c);
  }
  return out;
}

export function identityPairKey(from: string, into: string): string {
  return pairKey(from, into);
}

export interface ChatFacts {
  id: number;
  /** The phones whose evidence holds the chat. */
  devices: string[];
  kind: 'group' | 'direct';
  /** A group's JID where a database gives it; exports have none. */
  jid: string | null;
  /** Every subject the chat is known by on this device (current and from subject changes). */
  subjects: string[];
  /** A one-to-one chat's two accounts (its owner and partner, as merges stand). */
  parties?: string[];
}

export interface ChatLink {
  from: number;
  into: number;
  /** Distinct (minute, content) units both chats hold. */
  shared: number;
  sameSubject: boolean;
}

/**
 * Which chats read from different sources are one chat.
 *  - Two chats with one JID are one chat; two different JIDs are two groups, whatever their messages.
 *  - A chat without a JID (an export) is the chat with a JID holding at least `minShared` of the same
 *    (minute, content) units, when that candidate holds at least twice as many as the next chat with a JID.
 *  - Exports no chat with a JID takes are one chat when they share at least `minShared` units and at least
 *    half of the smaller one's units (the same group seen from two phones; a forwarded burst shared by two
 *    groups is a small part of either).
 *  - Two chats without a JID read from one phone are two chats of that phone; a phone's export and its own
 *    database's chat can be one.
 *  - One-to-one chats are one chat only when they have one account in common (the owner) and at least one
 *    of the two others is a saved name (a number and a name, or names saved on two phones): the export's
 *    chat with "Camila L." and the database's chat with her number, by the same rule of shared units.
 * A shared subject is recorded as a reason but never links chats on its own: two unrelated "Family" groups
 * on two phones stay two. Senders are not compared (they are what identity resolution is about to find).
 * Links go from the chat without a JID into the one with it, else into the lowest id.
 */
export function linkChats(
  chats: ChatFacts[],
  messages: Pick<SourcedMessage, 'chat' | 'minute' | 'content'>[],
  opts: { minShared: number },
): ChatLink[] {
  const byId = new Map(chats.map((c) => [c.id, c]));
  const unitsOf = new Map<number, Set<string>>();
  for (const m of messages) {
    if (!byId.has(m.chat)) continue;
    (unitsOf.get(m.chat) ?? unitsOf.set(m.chat, new Set()).get(m.chat)!).add(`${m.minute}|${m.content}`);
  }
  const holders = new Map<string, number[]>();
  for (const [chat, us] of unitsOf)
    for (const u of us) (holders.get(u) ?? holders.set(u, []).get(u)!).push(chat);
  const shared = new Map<number, Map<number, number>>();
  for (const cs of holders.values())
    for (const a of cs)
      for (const b of cs) {
        if (a === b) continue;
        const x = byId.get(a)!;
        const y = byId.get(b)!;
        if (x.kind !== y.kind || !linkable(x, y)) continue;
        const m = shared.get(a) ?? shared.set(a, new Map()).get(a)!;
        m.set(b, (m.get(b) ?? 0) + 1);
      }
  const sharedOf = (a: number, b: number) => shared.get(a)?.get(b) ?? 0;
  const links = new Map<number, ChatLink>();
  const link = (from: ChatFacts, into: ChatFacts) => {
    if (links.has(from.id)) return;
    links.set(from.id, {
      from: from.id,
      into: into.id,
      shared: sharedOf(from.id, into.id),
      sameSubject: from.subjects.some((s) => into.subjects.includes(s)),
    });
  };
  const sorted = [...chats].sort((a, b) => a.id - b.id);
  for (const a of sorted)
    for (const b of sorted) if (a.id < b.id && a.jid !== null && a.jid === b.jid) link(b, a);
  const loose: ChatFacts[] = [];
  // A group with a JID, or a one-to-one chat between two numbers, is what the others are linked to.
  const anchored = (c: ChatFacts) =>
    c.kind === 'group' ? c.jid !== null : (c.parties ?? []).length === 2 && !c.parties!.some(isLocalIdentity);
  for (const a of sorted) {
    if (anchored(a)) continue;
    const ranked = [...(shared.get(a.id) ?? new Map<number, number>())]
      .filter(([b]) => anchored(byId.get(b)!))
      .sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    const [best, next] = ranked;
    if (best && best[1] >= opts.minShared && !(next && best[1] < 2 * next[1])) link(a, byId.get(best[0])!);
    else loose.push(a);
  }
  // Exports no chat with a JID took: components of "same group seen from two phones".
  const parent = new Map(loose.map((c) => [c.id, c.id]));
  const root = (id: number): number => {
    while (parent.get(id) !== id) id = parent.get(id)!;
    return id;
  };
  for (const a of loose)
    for (const b of loose) {
      if (a.id >= b.id) continue;
      const n = sharedOf(a.id, b.id);
      const smaller = Math.min(unitsOf.get(a.id)?.size ?? 0, unitsOf.get(b.id)?.size ?? 0);
      if (n < opts.minShared || n * 2 < smaller) continue;
      const [ra, rb] = [root(a.id), root(b.id)];
      if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
    }
  for (const a of loose) if (root(a.id) !== a.id) link(a, byId.get(root(a.id))!);
  return [...links.values()].sort((x, y) => x.from - y.from || x.into - y.into);
}

/** Whether two chats could be one chat at all (the JID, one-phone and one-to-one rules of `linkChats`). */
function linkable(x: ChatFacts, y: ChatFacts): boolean {
  if (x.kind === 'direct') {
    const px = x.parties ?? [];
    const py = y.parties ?? [];
    const common = px.filter((p) => py.includes(p));
    if (common.length !== 1) return false;
    const ox = px.find((p) => p !== common[0]);
    const oy = py.find((p) => p !== common[0]);
    if (ox === undefined || oy === undefined) return false;
    const [lx, ly] = [isLocalIdentity(ox), isLocalIdentity(oy)];
    // Two numbers are two partners; two saved names of one phone are two of its contacts.
    if (!lx && !ly) return false;
    return !(lx && ly && deviceOfLocal(ox) === deviceOfLocal(oy));
  }
  if (x.jid && y.jid) return x.jid === y.jid;
  return !!(x.jid || y.jid) || !x.devices.some((d) => y.devices.includes(d));
}
