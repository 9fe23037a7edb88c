import type { IdentityCandidateView, IdentitySuggestions } from '../api/contract.js';
import { identityPairKey, type IdentityCandidate, type IdentityDecisions } from '../model/identity.js';
import type { CaseStore } from '../store/case-store.js';
import { currentSuggestions, rejectedPairs } from '../store/identity-resolution.js';
import { MergeConflict, ReviewStore, type MergeRow, type RejectionRow } from '../store/review-store.js';

export {
  AUTOMATIC,
  applyIdentityMerges,
  currentSuggestions,
  identitySuggestions,
  rejectedPairs,
} from '../store/identity-resolution.js';
/** The decisions as the CLI's --json and the API give them: accounts by id and key, minutes as ISO times. */
export function suggestionsView(
  d: IdentityDecisions & { accounts: Map<string, number>; groups?: Set<number> },
  minSupport: number,
): IdentitySuggestions {
  const contradicted = new Set(d.contradictions.flatMap((c) => c.candidates));
  const view = (c: IdentityCandidate): IdentityCandidateView => ({
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
