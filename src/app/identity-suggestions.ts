import { canonicalizer } from '../network/data.js';
import {
  coOccurrences,
  decideIdentities,
  identityPairKey,
  type IdentityCandidate,
  type IdentityDecisions,
  type SourcedEvent,
  type SourcedMessage,
} from '../model/identity.js';
import type { CaseStore } from '../store/case-store.js';
import { messageContent } from '../store/ingest-writer.js';
import { MergeConflict, ReviewStore, type MergeRow, type RejectionRow } from '../store/review-store.js';

/**
 * Reads a case and applies the identity rules of src/model/identity.ts to it: which saved names and numbers
 * the evidence shows to be one person. Read only: nothing is merged here (`filet identity merge` does that,
 * audited). Each message and event is taken once per device whose evidence holds it (a fact already read
 * as one from two devices has one sender and pairs nobody). Chats are taken as the store joined them.
 */
export async function identitySuggestions(
  store: CaseStore,
  opts: { minSupport: number; rejected?: Set<string> },
): Promise<IdentityDecisions & { accounts: Map<string, number>; groups: Set<number> }> {
  const accounts = await store.accounts();
  const canon = canonicalizer(accounts);
  const keyOf = new Map(accounts.map((a) => [a.id, a.key]));
  const key = (id: number | null) => (id === null ? null : keyOf.get(canon(id))!);
  const devicesOf = async (factType: string) => {
    const out = new Map<number, string[]>();
    const rows = await store.db.all<{ id: number; device: string }>(
      `SELECT DISTINCT p.fact_id AS id, e.device_label AS device FROM provenance p
         JOIN evidence e ON e.case_id = p.case_id AND e.id = p.evidence_id
       WHERE p.case_id = ? AND p.fact_type = ?`,
      [store.caseId, factType],
    );
    for (const r of rows)
      (out.get(Number(r.id)) ?? out.set(Number(r.id), []).get(Number(r.id))!).push(r.device);
    return out;
  };
  const messageDevices = await devicesOf('message');
  const messages: SourcedMessage[] = [];
  for await (const page of store.messages())
    for (const m of page) {
      const content = messageContent(m.kind, m.text);
      if (content === null) continue;
      for (const device of messageDevices.get(m.id) ?? [])
        messages.push({
          id: m.id,
          chat: m.chatId,
          device,
          sender: key(m.senderId),
          minute: Math.floor(m.at / 60000),
          content,
        });
    }
  const eventDevices = await devicesOf('event');
  const events: SourcedEvent[] = [];
  for (const e of await store.events())
    for (const device of eventDevices.get(e.id) ?? [])
      events.push({
        id: e.id,
        chat: e.chatId,
        device,
        type: e.type,
        actor: key(e.actorId),
        targets: e.targets.map((t) => key(t)!),
        minute: Math.floor(e.at / 60000),
        value: e.type === 'subject_changed' || e.type === 'description_changed' ? e.value : null,
      });
  const decisions = decideIdentities(coOccurrences(messages, events), opts);
  const groups = new Set((await store.chats()).filter((c) => c.kind === 'group').map((c) => c.id));
  return { ...decisions, accounts: new Map(accounts.map((a) => [a.key, a.id])), groups };
}

/**
 * The pairs that are never suggested or merged automatically again: those whose merge was undone (by
 * anyone) and those an analyst rejected (`identity_rejections`, not undone). Each pair is given in both
 * orders, so a rejection of "A B" holds whichever way the rules name the pair. Used by every read of the
 * suggestions (CLI, API) and by `applyIdentityMerges`.
 */
export async function rejectedPairs(store: CaseStore): Promise<Set<string>> {
  const review = new ReviewStore(store);
  const keyOf = new Map((await store.accounts()).map((a) => [a.id, a.key]));
  const pairs: [string, string][] = [
    ...(await review.merges())
      .filter((m) => m.undoneAt !== null)
      .map((m) => [keyOf.get(m.from)!, keyOf.get(m.into)!] as [string, string]),
    ...(await review.rejections())
      .filter((r) => r.undoneAt === null)
      .map((r) => [r.from, r.into] as [string, string]),
  ];
  const out = new Set<string>();
  for (const [a, b] of pairs) {
    out.add(identityPairKey(a, b));
    out.add(identityPairKey(b, a));
  }
  return out;
}

/** The suggestions of a case as every reader sees them: with the rejected pairs left out. */
export async function currentSuggestions(store: CaseStore, minSupport: number) {
  return identitySuggestions(store, { minSupport, rejected: await rejectedPairs(store) });
}

/** Who an automatic merge is recorded as made by (a person's undo of it is what stops it coming back). */
export const AUTOMATIC = 'filet (automatic identity resolution)';

/**
 * Applies the unambiguous pairs as merges, each recorded with its reasons and reversible like a manual one
 * (`filet identity split`). A pair whose merge was undone is not merged again. `store` is the transaction
 * the caller's audit entry commits with.
 */
export async function applyIdentityMerges(
  store: CaseStore,
  opts: { minSupport: number; at: number },
): Promise<{
  merged: { id: number; from: string; into: string; support: number }[];
  suggestions: number;
  contradictions: number;
}> {
  const review = new ReviewStore(store);
  const accounts = await store.accounts();
  const d = await identitySuggestions(store, {
    minSupport: opts.minSupport,
    rejected: await rejectedPairs(store),
  });
  const merged: { id: number; from: string; into: string; support: number }[] = [];
  // This loop is the transaction's only writer of merges: its own map follows them, no re-reading.
  const into = new Map(accounts.map((a) => [a.id, a.mergedInto]));
  for (const c of d.merges) {
    let target = d.accounts.get(c.into)!;
    for (let hops = 0; into.get(target) != null && hops < 64; hops++) target = into.get(target)!;
    const from = d.accounts.get(c.from)!;
    if (into.get(from) != null || from === target) continue;
    const reason = `automatic: ${c.support} facts seen from two devices pair ${c.from} with ${c.into} (${c.reasons
      .slice(0, 5)
      .map((r) => `${r.kind} ${r.facts.join('/')}`)
      .join(', ')}${c.reasons.length > 5 ? ', …' : ''})`;
    const row = await review.merge(from, target, AUTOMATIC, reason, opts.at);
    into.set(from, target);
    merged.push({ id: row.id, from: c.from, into: c.into, support: c.support });
  }
  return { merged, suggestions: d.suggestions.length, contradictions: d.contradictions.length };
}

/** The decisions as the CLI's --json and the API give them: accounts by id and key, minutes as ISO times. */
export function suggestionsView(
  d: IdentityDecisions & { accounts: Map<string, number>; groups?: Set<number> },
  minSupport: number,
) {
  const contradicted = new Set(d.contradictions.flatMap((c) => c.candidates));
  const view = (c: IdentityCandidate) => ({
    from: { id: d.accounts.get(c.from) ?? null, key: c.from },
    into: { id: d.accounts.get(c.into) ?? null, key: c.into },
    support: c.support,
    /** Part of a contradiction: never accepted by one click (acceptSuggestion refuses it). */
    contradicted: contradicted.has(c),
    reasons: c.reasons.map((r) => ({
      ...r,
      minute: new Date(r.minute * 60000).toISOString(),
      /** Whether the chat is a group (the web app has a page for groups only). */
      group: d.groups?.has(r.chat) ?? false,
    })),
  });
  return {
    minSupport,
    unambiguous: d.merges.map(view),
    suggestions: d.suggestions.map(view),
    contradictions: d.contradictions.map((c) => ({
      identity: c.identity,
      candidates: c.candidates.map(view),
    })),
  };
}

/**
 * Why an analyst's accept or reject was refused: `notFound` for an account or a pair the case does not
 * have (the server answers 404), else a conflict (409). The CLI prints the message.
 */
export class SuggestionRefused extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

const reasonsText = (c: IdentityCandidate) =>
  c.reasons
    .map(
      (r) =>
        `${r.kind} ${r.facts.join('/')} in chat ${r.chat} at ${new Date(r.minute * 60000).toISOString().slice(0, 16)}Z`,
    )
    .join(', ');

async function accountPair(s: CaseStore, a: number, b: number) {
  const accounts = await s.accounts();
  const x = accounts.find((r) => r.id === a);
  const y = accounts.find((r) => r.id === b);
  if (!x) throw new SuggestionRefused(`no account ${a}`, true);
  if (!y) throw new SuggestionRefused(`no account ${b}`, true);
  if (a === b) throw new SuggestionRefused('an account cannot be paired with itself');
  return { x, y };
}

/** What the audit entry of an accept says. */
export const acceptSummary = (r: { merge: MergeRow; support: number }) => ({
  merge: r.merge.id,
  from: r.merge.from,
  into: r.merge.into,
  support: r.support,
});

/**
 * An analyst accepts a suggestion (or an unambiguous pair the resolve has not merged yet): a merge made by
 * `by`, in the direction the rules give the pair (the accounts may be named in either order), whose reason
 * carries the pair's support and every reason (fact ids, chat, minute) and the analyst's own words. A pair
 * that is part of a contradiction is refused: a contradiction is never resolved by one click. Reversible
 * with a split like any merge. `s` is the transaction the caller's audit entry commits with.
 */
export async function acceptSuggestion(
  s: CaseStore,
  opts: { a: number; b: number; by: string; reason?: string; at: number },
): Promise<{ merge: MergeRow; support: number; pair: { from: string; into: string } }> {
  const { x, y } = await accountPair(s, opts.a, opts.b);
  // Any threshold: accept takes a suggestion and an unambiguous pair alike; contradictions do not depend on it.
  const d = await currentSuggestions(s, 1);
  const same = (c: IdentityCandidate) =>
    (c.from === x.key && c.into === y.key) || (c.from === y.key && c.into === x.key);
  if (d.contradictions.some((k) => k.candidates.some(same)))
    throw new SuggestionRefused(
      `${x.key} and ${y.key} are part of a contradiction: check its reasons and merge by hand (identity merge) if the evidence says so`,
    );
  const c = d.merges.find(same);
  if (!c)
    throw new SuggestionRefused(
      `no suggestion pairs ${x.key} with ${y.key} (already merged, rejected, or no evidence pairs them)`,
      true,
    );
  const from = d.accounts.get(c.from)!;
  const into = d.accounts.get(c.into)!;
  const own = opts.reason?.trim();
  const reason = `accepted suggestion: ${c.support} fact(s) seen from two devices pair ${c.from} with ${c.into} (${reasonsText(c)})${own ? `; ${own}` : ''}`;
  try {
    const merge = await new ReviewStore(s).merge(from, into, opts.by, reason, opts.at);
    return { merge, support: c.support, pair: { from: c.from, into: c.into } };
  } catch (err) {
    if (err instanceof MergeConflict) throw new SuggestionRefused(err.message, err.notFound);
    throw err;
  }
}

/**
 * An analyst rejects a pair: recorded in `identity_rejections` (by whom, why, when), after which the pair
 * is neither suggested nor merged by resolve again. Two accounts of the case, in either order; a pair
 * already rejected, or merged (split it first), is refused. `s` is the transaction of the audit entry.
 */
export async function rejectSuggestion(
  s: CaseStore,
  opts: { a: number; b: number; by: string; reason?: string; at: number },
): Promise<RejectionRow> {
  const { x, y } = await accountPair(s, opts.a, opts.b);
  if (x.mergedInto === y.id || y.mergedInto === x.id)
    throw new SuggestionRefused(`${x.key} and ${y.key} are merged: split the merge first`);
  if ((await rejectedPairs(s)).has(identityPairKey(x.key, y.key)))
    throw new SuggestionRefused(`${x.key} and ${y.key} are already kept apart`);
  // Recorded as given; rejectedPairs holds it in both orders.
  const reason = opts.reason?.trim() || 'rejected by an analyst';
  return new ReviewStore(s).reject(x.key, y.key, opts.by, reason, opts.at);
}

export const rejectSummary = (r: RejectionRow) => ({ rejection: r.id, from: r.from, into: r.into });
