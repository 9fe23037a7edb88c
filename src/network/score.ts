import { categorySeverity } from './families.js';
import type { AccountFacts } from './roles.js';
import { UserError } from '../util/errors.js';

/**
 * THE priority score — the one formula, in this one file (docs/priority.md says the same, with the why).
 *
 *   score = 100 · Σ_f W_f · x_f / max_case(x_f)           (each factor scaled to [0, 1] by the case's maximum)
 *
 * factors x_f, each from the account's facts in flagged groups:
 *   producer    1 when the account produced novel media (roles.ts: first poster in the case of a novel
 *               family, not forwarded, re-posted later by someone else), else 0.
 *   severity    log(1 + Σ posts' weights): a produced novel family W_PRODUCED, a novel material post
 *               W_NOVEL, a known post W_KNOWN — each × the category's severity (families.ts): a known
 *               post's list category; a novel one's reviewed category (docs/triage.md), CAM when unreviewed.
 *               Novel > known because novel media may show a child in danger now.
 *   activity    log(1 + material posts + people added + invite links posted + flagged groups administered).
 *   degree      log(1 + flagged groups the account was a member of) — two-mode degree.
 *   betweenness normalized betweenness in the two-mode accounts–flagged-groups graph (centrality.ts;
 *               exact or sampled with a stated error).
 *   bridging    log(1 + clusters spanned − 1).
 *   keywords    log(1 + the account's messages in flagged groups that match a term of the case's keyword
 *               lists) (network/keywords.ts, docs/keywords.md): words, weaker evidence than material
 *               (slang is ambiguous, lists are broad), so a small weight.
 *
 * Victims first: the first duty is to the child who may be being abused now, so the people who made new
 * material outrank those who pass on what exists. The producer weight does it: a producer scores at least
 * 100·W_producer plus their severity points (> 0: a produced item weighs W_PRODUCED × a severity > 0), a
 * non-producer at most 100·(1 − W_producer). So whenever W_producer ≥ 0.5 and W_severity > 0, EVERY producer
 * outranks EVERY non-producer (`producersFirst`). The defaults give producer 0.5, keywords 0.05 and the other factors the
 * earlier formula's proportions scaled to the remaining 0.45, so without keyword hits, within producers and
 * within everyone else the order is the earlier one: in the spirit of "network capital" (Westlake, Bouchard & Frank 2011), content severity
 * combined with position in the network — severity the largest of them, the network factors together
 * (degree + betweenness + bridging) as much again.
 *
 * A case lead may set other weights (src/app/priority.ts, audited): each in [0, 1], summing to 1, so a score
 * is in [0, 100]; 0 means no fact in flagged groups.
 */
export const FACTORS = [
  'producer',
  'severity',
  'activity',
  'degree',
  'betweenness',
  'bridging',
  'keywords',
] as const;
export type Factor = (typeof FACTORS)[number];
export type Weights = Record<Factor, number>;
export type FactorValues = Record<Factor, number>;

export const DEFAULT_WEIGHTS: Readonly<Weights> = Object.freeze({
  producer: 0.5, // made new material that others passed on: a child may be being abused now
  severity: 0.18, // what the material is: the reason the case exists
  activity: 0.0675, // how much the person did (posts, recruiting, administering)
  degree: 0.045, // how many flagged groups they reached
  betweenness: 0.09, // brokerage: shortest paths between others pass through them
  bridging: 0.0675, // links distinct clusters: removing them disconnects the network
  keywords: 0.05, // wrote the case's slang and code words in flagged groups: words, weaker than material
});

export const W_PRODUCED = 5; // first poster of novel material that others re-shared
export const W_NOVEL = 2; // re-posting novel material spreads what no list knows yet
export const W_KNOWN = 1; // posting known material

/** How far from 1 a sum of weights may be (decimal input such as 0.1 + 0.2 is not exact in binary). */
export const SUM_TOLERANCE = 1e-6;

const zero = (): FactorValues => ({
  producer: 0,
  severity: 0,
  activity: 0,
  degree: 0,
  betweenness: 0,
  bridging: 0,
  keywords: 0,
});

/** True when the weights guarantee that every producer outranks every non-producer (proof above). */
export function producersFirst(w: Weights): boolean {
  return w.producer >= 1 - w.producer && w.severity > 0;
}

/**
 * Weights a lead may set: exactly the known factors, each a number in [0, 1], summing to 1 (± SUM_TOLERANCE).
 * Throws a UserError naming the factor and the problem.
 */
export function validateWeights(w: Record<string, unknown>): Weights {
  const unknown = Object.keys(w).filter((k) => !(FACTORS as readonly string[]).includes(k));
  if (unknown.length)
    throw new UserError(`unknown priority factor "${unknown[0]}" (the factors: ${FACTORS.join(', ')})`);
  const out = zero();
  for (const f of FACTORS) {
    const v = w[f];
    if (v === undefined) throw new UserError(`priority weight ${f} is missing`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
      throw new UserError(`priority weight ${f} must be a number from 0 to 1, got ${JSON.stringify(v)}`);
    out[f] = v;
  }
  const sum = FACTORS.reduce((n, f) => n + out[f], 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE)
    throw new UserError(
      `priority weights must sum to 1, these sum to ${Number(sum.toFixed(6))}: ${FACTORS.map((f) => `${f}=${out[f]}`).join(', ')}`,
    );
  return out;
}

/**
 * Raw factor values of one account. `keywordMessages`: its messages in flagged groups matching a keyword
 * list's term (network/keywords.ts). O(posts of the account).
 */
export function factors(f: AccountFacts, betweenness: number, keywordMessages = 0): FactorValues {
  let sev = 0;
  for (const p of f.produced) sev += W_PRODUCED * categorySeverity(p.category ?? 'cam');
  for (const p of f.distributed)
    sev +=
      (p.status === 'novel' ? W_NOVEL : W_KNOWN) *
      categorySeverity(p.status === 'novel' ? (p.category ?? 'cam') : p.category);
  const added = f.recruited.reduce((n, r) => n + r.added + r.inviteMessageIds.length, 0);
  return {
    producer: f.produced.length ? 1 : 0,
    severity: Math.log1p(sev),
    activity: Math.log1p(f.produced.length + f.distributed.length + added + f.admin.length),
    degree: Math.log1p(f.memberOf.length),
    betweenness,
    bridging: Math.log1p(Math.max(0, f.clusters.length - 1)),
    keywords: Math.log1p(keywordMessages),
  };
}

/** Scores of all accounts with each factor's points, under `weights`. O(A). */
export function scoreAll(
  values: Map<number, FactorValues>,
  weights: Weights = DEFAULT_WEIGHTS,
): Map<number, { score: number; points: FactorValues }> {
  const max = zero();
  for (const v of values.values()) for (const k of FACTORS) max[k] = Math.max(max[k], v[k]);
  const out = new Map<number, { score: number; points: FactorValues }>();
  for (const [id, v] of values) {
    const points = zero();
    let score = 0;
    for (const k of FACTORS) {
      points[k] = max[k] > 0 ? (100 * weights[k] * v[k]) / max[k] : 0;
      score += points[k];
    }
    out.set(id, { score: Math.round(score * 100) / 100, points });
  }
  return out;
}

export { zero as zeroFactors };
