import { analyzeAndSave } from '../network/service.js';
import {
  DEFAULT_WEIGHTS,
  FACTORS,
  producersFirst,
  validateWeights,
  type Factor,
  type Weights,
} from '../network/score.js';
import { AnalysisStore } from '../store/analysis-store.js';
import type { CaseStore } from '../store/case-store.js';
import { PriorityStore, type PriorityInForce } from '../store/priority-store.js';
import { UserError } from '../util/errors.js';

/**
 * The priority weights of a case, as the CLI (`filet priority`) and the API (`/api/cases/:caseId/priority`)
 * read and change them (docs/priority.md). A change, the recomputed analysis and its audit entry commit in
 * one transaction: the caller runs `applyPriorityChange` inside `audited` / `ctx.audited` with
 * `priorityAction`, `priorityArgs` and `prioritySummary`, so the stored ranking is never one computed with
 * weights other than those in force, and the entry shows the weights before and after.
 */
export type PriorityChange = { set: Partial<Record<string, number>> } | { reset: true };

export interface PriorityView extends PriorityInForce {
  factors: readonly Factor[];
  defaults: Weights;
  /** The weights in force guarantee every producer outranks every non-producer (score.ts). */
  producersFirst: boolean;
  /** The stored analysis and the weights it was computed with (null: a run from before weights were stored). */
  analysis: { run: number; at: number; weights: Weights | null; current: boolean } | null;
}

const sameWeights = (a: Weights | null, b: Weights) => a !== null && FACTORS.every((f) => a[f] === b[f]);

export async function priorityView(store: CaseStore): Promise<PriorityView> {
  const inForce = await new PriorityStore(store).get();
  const run = await new AnalysisStore(store).latestRun();
  const used = (run?.params.weights as Weights | undefined) ?? null;
  return {
    ...inForce,
    factors: FACTORS,
    defaults: { ...DEFAULT_WEIGHTS },
    producersFirst: producersFirst(inForce.weights),
    analysis: run
      ? { run: run.id, at: run.at, weights: used, current: sameWeights(used, inForce.weights) }
      : null,
  };
}

export const priorityAction = (c: PriorityChange) => ('reset' in c ? 'priority.reset' : 'priority.set');
export const priorityArgs = (c: PriorityChange) => ('reset' in c ? { reset: true } : { set: c.set });

export interface PriorityChangeResult {
  before: PriorityInForce;
  after: PriorityView;
  /** The analysis run recomputed with the new weights (null: the case had no analysis yet). */
  analysisRun: number | null;
}

/**
 * Sets (named factors replace those in force; the others keep theirs; the result must pass
 * `validateWeights`) or resets the weights, then recomputes the stored analysis with the parameters of its
 * last run. `s` is the transaction the audit entry commits with. Refusals are UserErrors.
 */
export async function applyPriorityChange(
  s: CaseStore,
  change: PriorityChange,
  who: { by: string; at: number },
): Promise<PriorityChangeResult> {
  const priority = new PriorityStore(s);
  const before = await priority.get();
  if ('reset' in change) await priority.reset();
  else {
    if (!Object.keys(change.set).length) throw new UserError('no priority weight given to set');
    const weights = validateWeights({ ...before.weights, ...change.set });
    await priority.set(weights, who.by, who.at);
  }
  await s.bumpGeneration();
  const last = await new AnalysisStore(s).latestRun();
  let analysisRun: number | null = null;
  if (last) {
    const p = last.params;
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    analysisRun = (
      await analyzeAndSave(s, {
        threshold: num(p.threshold),
        seed: num(p.seed),
        exactMaxNodes: num(p.exactMaxNodes),
        pivots: num(p.pivots),
      })
    ).run;
  }
  return { before, after: await priorityView(s), analysisRun };
}

/** The audit entry's result: the weights before and after, who set them, and the recomputed run. */
export function prioritySummary(r: PriorityChangeResult) {
  return {
    before: { weights: r.before.weights, source: r.before.source, by: r.before.by },
    after: { weights: r.after.weights, source: r.after.source, by: r.after.by },
    producersFirst: r.after.producersFirst,
    analysisRun: r.analysisRun,
  };
}

/** `--set producer=0.5,severity=0.2`: factor=number pairs, comma-separated (validated again on apply). */
export function parseWeightList(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const m = /^([a-z]+)\s*=\s*(\S+)$/.exec(part);
    if (!m) throw new UserError(`--set: "${part}" is not factor=number (e.g. severity=0.2)`);
    const [, name, value] = m;
    if (!(FACTORS as readonly string[]).includes(name!))
      throw new UserError(`--set: unknown priority factor "${name}" (the factors: ${FACTORS.join(', ')})`);
    if (name! in out) throw new UserError(`--set: ${name} is given twice`);
    const n = /^(\d+(\.\d+)?|\.\d+)$/.test(value!) ? Number(value) : NaN;
    if (!Number.isFinite(n) || n < 0 || n > 1)
      throw new UserError(`--set: ${name} must be a number from 0 to 1, got "${value}"`);
    out[name!] = n;
  }
  if (!Object.keys(out).length) throw new UserError('--set: no weight given (e.g. --set severity=0.2)');
  return out;
}
