import type { SuspectTimeline } from '../../api/contract.js';
import type { CaseStore } from '../../store/case-store.js';
import { ReviewStore } from '../../store/review-store.js';
import { identitiesOf, mediaStatus, type CaseView } from './case-view.js';
import { HttpError, iso, isoAt } from './paging.js';

/**
 * One person on one time axis (the suspect file's timeline): a lane per chat they were a member of or
 * wrote in, with their membership periods, their messages, their media posts and the events they took part
 * in. The person is the account and every account merged into it. Nothing of the media but its status.
 */
export async function accountTimeline(store: CaseStore, v: CaseView, id: number): Promise<SuspectTimeline> {
  if (!v.accounts.has(id)) throw new HttpError(404, `no account ${id}`);
  const ids = identitiesOf(v, id);
  const lanes = new Map<number, SuspectTimeline['lanes'][number]>();
  const chatKinds = new Map((await store.chats()).map((c) => [c.id, c]));
  const lane = (chatId: number) => {
    let l = lanes.get(chatId);
    if (!l) {
      const c = chatKinds.get(chatId);
      l = {
        chatId,
        subject: c?.subject ?? null,
        kind: c?.kind ?? 'group',
        flagged: v.groupAnalysis.get(chatId)?.flagged ?? null,
        intervals: [],
        admin: false,
        posts: [],
        media: [],
        events: [],
      };
      lanes.set(chatId, l);
    }
    return l;
  };
  let lo = Infinity;
  let hi = -Infinity;
  const span = (ms: number | null) => {
    if (ms === null) return;
    lo = Math.min(lo, ms);
    hi = Math.max(hi, ms);
  };
  for (const i of ids)
    for (const { chatId, state } of v.accountGroups.get(i) ?? []) {
      const l = lane(chatId);
      l.admin ||= state.admin;
      for (const x of state.intervals) {
        l.intervals.push({ from: iso(x.from), to: iso(x.to) });
        span(x.from);
        span(x.to);
      }
    }
  for (const p of await new ReviewStore(store).postsBy(ids)) {
    const l = lane(p.chatId);
    span(p.at);
    if (p.mediaSha256) {
      const m = v.mediaBySha.get(p.mediaSha256);
      l.media.push({
        messageId: p.id,
        at: isoAt(p.at),
        mediaId: m?.id ?? null,
        status: m ? mediaStatus(v, m.id) : null,
      });
    } else l.posts.push({ id: p.id, at: isoAt(p.at) });
  }
  const seen = new Set<number>();
  for (const i of ids)
    for (const e of v.eventsByAccount.get(i) ?? []) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      lane(e.chatId).events.push({ id: e.id, at: isoAt(e.at), type: e.type });
      span(e.at);
    }
  const out = [...lanes.values()];
  for (const l of out) l.events.sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
  // Flagged groups first, then by how much the person did there.
  const weight = (l: (typeof out)[number]) => l.posts.length + 2 * l.media.length + l.events.length;
  out.sort(
    (a, b) =>
      Number(b.flagged === true) - Number(a.flagged === true) || weight(b) - weight(a) || a.chatId - b.chatId,
  );
  return {
    account: id,
    from: Number.isFinite(lo) ? isoAt(lo) : null,
    to: Number.isFinite(hi) ? isoAt(hi) : null,
    lanes: out,
  };
}
