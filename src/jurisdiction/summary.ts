import type { Jurisdiction } from './resolve.js';
import { UNRESOLVED } from './resolve.js';

/**
 * Per-country summaries for referral: suspects by role and the groups they were in. Accounts with no role
 * are not suspects and are only counted. Unresolved identities form their own bucket, with their reasons.
 * O(A · roles + Σ groups).
 */
export interface CountrySummary {
  country: string;
  accounts: number;
  suspects: number;
  roles: Record<string, number>;
  /** Suspect account ids, highest score first. */
  suspectIds: number[];
  /** Flagged groups that at least one of the country's suspects was a member of. */
  groupIds: number[];
  /** For the unresolved bucket: reason → count. */
  reasons?: Record<string, number>;
}

export interface CountryInput {
  accountId: number;
  jurisdiction: Jurisdiction;
  roles: string[];
  score: number;
  flaggedGroups: number[];
}

export function summarizeCountries(inputs: CountryInput[]): CountrySummary[] {
  const by = new Map<string, CountrySummary & { scores: Map<number, number>; groups: Set<number> }>();
  for (const x of inputs) {
    const c = x.jurisdiction.country ?? UNRESOLVED;
    const s =
      by.get(c) ??
      by
        .set(c, {
          country: c,
          accounts: 0,
          suspects: 0,
          roles: {},
          suspectIds: [],
          groupIds: [],
          scores: new Map(),
          groups: new Set(),
        })
        .get(c)!;
    s.accounts++;
    if (c === UNRESOLVED) {
      s.reasons ??= {};
      const r = x.jurisdiction.unresolvedReason ?? 'unknown';
      s.reasons[r] = (s.reasons[r] ?? 0) + 1;
    }
    if (!x.roles.length) continue;
    s.suspects++;
    s.scores.set(x.accountId, x.score);
    for (const r of x.roles) s.roles[r] = (s.roles[r] ?? 0) + 1;
    for (const g of x.flaggedGroups) s.groups.add(g);
  }
  return [...by.values()]
    .map(({ scores, groups, ...s }) => ({
      ...s,
      suspectIds: [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id]) => id),
      groupIds: [...groups].sort((a, b) => a - b),
    }))
    .sort((a, b) => b.suspects - a.suspects || a.country.localeCompare(b.country));
}
