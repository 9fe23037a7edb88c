/**
 * Membership periods of each account in each group, replayed from the group's events and completed by what
 * the sources saw directly (a database's participant list, a message sent). O(E log E) for E events.
 */
export interface MembershipInterval {
  from: number | null;
  to: number | null;
}

export interface MemberState {
  accountId: number;
  intervals: MembershipInterval[];
  admin: boolean;
  /** Still a member at the end of the evidence. */
  active: boolean;
}

export interface MembershipInput {
  events: { type: string; actorId: number | null; targets: number[]; at: number }[];
  snapshot: { accountId: number; rank: number; active: boolean }[];
  senders: { accountId: number; at: number }[];
}

export function replayMembership(input: MembershipInput): MemberState[] {
  const state = new Map<number, MemberState>();
  const get = (id: number) => {
    let s = state.get(id);
    if (!s) {
      s = { accountId: id, intervals: [], admin: false, active: false };
      state.set(id, s);
    }
    return s;
  };
  const join = (id: number, at: number) => {
    const s = get(id);
    if (!s.active) {
      s.intervals.push({ from: at, to: null });
      s.active = true;
    }
  };
  const leave = (id: number, at: number) => {
    const s = get(id);
    if (s.active) {
      s.intervals[s.intervals.length - 1]!.to = at;
    } else if (s.intervals.length === 0) {
      // Left before the evidence begins: a member from an unknown time.
      s.intervals.push({ from: null, to: at });
    }
    s.active = false;
  };
  const events = [...input.events].sort((a, b) => a.at - b.at);
  for (const e of events) {
    const who = e.targets.length ? e.targets : e.actorId !== null ? [e.actorId] : [];
    switch (e.type) {
      case 'created':
        if (e.actorId !== null) {
          join(e.actorId, e.at);
          get(e.actorId).admin = true;
        }
        break;
      case 'added':
        if (e.actorId !== null && e.targets.length) join(e.actorId, e.at);
        for (const t of who) join(t, e.at);
        break;
      case 'joined_via_link':
        for (const t of who) join(t, e.at);
        break;
      case 'left':
      case 'removed':
        for (const t of who) leave(t, e.at);
        break;
      case 'admin_promoted':
        for (const t of who) {
          join(t, e.at);
          get(t).admin = true;
        }
        break;
    }
  }
  for (const m of [...input.senders].sort((a, b) => a.at - b.at)) {
    const s = get(m.accountId);
    const inside = s.intervals.some(
      (i) => (i.from === null || i.from <= m.at) && (i.to === null || m.at <= i.to),
    );
    if (!inside) {
      // Sent a message outside any known period: a member from before the evidence begins.
      if (s.intervals.length === 0) {
        s.intervals.push({ from: null, to: null });
        s.active = true;
      }
    }
  }
  for (const m of input.snapshot) {
    const s = get(m.accountId);
    if (m.rank > 0) s.admin = true;
    if (m.active && !s.active) {
      s.intervals.push({ from: null, to: null });
      s.active = true;
    }
  }
  return [...state.values()].sort((a, b) => a.accountId - b.accountId);
}
