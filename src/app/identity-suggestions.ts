import type { IdentityCandidate, IdentityDecisions } from '../model/identity.js';

export { AUTOMATIC, applyIdentityMerges, identitySuggestions } from '../store/identity-resolution.js';

/** The decisions as the CLI's --json and the API give them: accounts by id and key, minutes as ISO times. */
export function suggestionsView(
  d: IdentityDecisions & { accounts: Map<string, number> },
  minSupport: number,
) {
  const view = (c: IdentityCandidate) => ({
    from: { id: d.accounts.get(c.from) ?? null, key: c.from },
    into: { id: d.accounts.get(c.into) ?? null, key: c.into },
    support: c.support,
    reasons: c.reasons.map((r) => ({ ...r, minute: new Date(r.minute * 60000).toISOString() })),
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
