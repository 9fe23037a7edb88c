import { categorySeverity } from './families.js';
import type { AccountFacts } from './roles.js';

/**
 * THE priority score — the one formula, in this one file.
 *
 *   score = 100 · Σ_f W_f · x_f / max_case(x_f)           (each factor scaled to [0, 1] by the case's maximum)
 *
 * factors x_f, each from the account's facts in flagged groups:
 *   severity    log(1 + Σ posts' weights): a produced novel family W_PRODUCED, a novel material post
 *               W_NOVEL, a known post W_KNOWN — each × the category's severity (families.ts).
 *               Novel > known because novel media may show a child in danger now.
 *   activity    log(1 + material posts + people added + invite links posted + flagged groups administered).
 *   degree      log(1 + flagged groups the account was a member of) — two-mode degree.
 *   betweenness normalized betweenness in the two-mode accounts–flagged-groups graph (centrality.ts;
 *               exact or sampled with a stated error).
 *   bridging    log(1 + clusters spanned − 1).
 *
 * In the spirit of "network capital" (Westlake, Bouchard & Frank 2011): content severity combined with
 * position in the network ranks targets better than either alone — so severity carries the largest weight
 * and the network factors together (degree + betweenness + bridging) carry as much again.
 * Weights sum to 1, so a score is in [0, 100]; 0 means no fact in flagged groups.
 */
export const W_SEVERITY = 0.4; // what the material is: the reason the case exists
export const W_ACTIVITY = 0.15; // how much the person did (posts, recruiting, administering)
export const W_DEGREE = 0.1; // how many flagged groups they reached
export const W_BETWEENNESS = 0.2; // brokerage: shortest paths between others pass through them
export const W_BRIDGING = 0.15; // links distinct clusters: removing them disconnects the network

export const W_PRODUCED = 5; // first poster of novel material that others re-shared
export const W_NOVEL = 2; // re-posting novel material spreads what no list knows yet
export const W_KNOWN = 1; // posting known material

export type Factor = 'severity' | 'activity' | 'degree' | 'betweenness' | 'bridging';

export const WEIGHTS: Record<Factor, number> = {
  severity: W_SEVERITY,
  activity: W_ACTIVITY,
  degree: W_DEGREE,
  betweenness: W_BETWEENNESS,
  bridging: W_BRIDGING,
};

export type FactorValues = Record<Factor, number>;

/** Raw factor values of one account. O(posts of the account). */
export function factors(f: AccountFacts, betweenness: number): FactorValues {
  let sev = 0;
  for (const p of f.produced) sev += W_PRODUCED * categorySeverity(p.category ?? 'cam');
  for (const p of f.distributed)
    sev +=
      (p.status === 'novel' ? W_NOVEL : W_KNOWN) *
      categorySeverity(p.status === 'novel' ? 'cam' : p.category);
  const added = f.recruited.reduce((n, r) => n + r.added + r.inviteMessageIds.length, 0);
  return {
    severity: Math.log1p(sev),
    activity: Math.log1p(f.produced.length + f.distributed.length + added + f.admin.length),
    degree: Math.log1p(f.memberOf.length),
    betweenness,
    bridging: Math.log1p(Math.max(0, f.clusters.length - 1)),
  };
}

/** Scores of all accounts with each factor's points. O(A). */
export function scoreAll(
  values: Map<number, FactorValues>,
): Map<number, { score: number; points: FactorValues }> {
  const max = { severity: 0, activity: 0, degree: 0, betweenness: 0, bridging: 0 } as FactorValues;
  for (const v of values.values())
    for (const k of Object.keys(max) as Factor[]) max[k] = Math.max(max[k], v[k]);
  const out = new Map<number, { score: number; points: FactorValues }>();
  for (const [id, v] of values) {
    const points = {} as FactorValues;
    let score = 0;
    for (const k of Object.keys(WEIGHTS) as Factor[]) {
      points[k] = max[k] > 0 ? (100 * WEIGHTS[k] * v[k]) / max[k] : 0;
      score += points[k];
    }
    out.set(id, { score: Math.round(score * 100) / 100, points });
  }
  return out;
}
