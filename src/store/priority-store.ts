import { DEFAULT_WEIGHTS, validateWeights, type Weights } from '../network/score.js';
import { UserError } from '../util/errors.js';
import type { CaseStore } from './case-store.js';

/**
 * The priority weights of a case (src/network/score.ts, docs/priority.md), kept in `case_meta` under one key
 * as `{ weights, by, at }`; no key: the defaults. Changes go through src/app/priority.ts, which audits them
 * and recomputes the analysis in the same transaction.
 */
export const PRIORITY_KEY = 'priority.weights';

export interface PriorityInForce {
  weights: Weights;
  /** `default`: nobody set weights for this case (or they were reset); `case`: a lead set them. */
  source: 'default' | 'case';
  /** Who set them and when (epoch ms); null for the defaults. */
  by: string | null;
  at: number | null;
}

export class PriorityStore {
  constructor(private readonly store: CaseStore) {}

  async get(): Promise<PriorityInForce> {
    const raw = await this.store.getMeta(PRIORITY_KEY);
    if (raw === null) return { weights: { ...DEFAULT_WEIGHTS }, source: 'default', by: null, at: null };
    const v = JSON.parse(raw) as { weights: Record<string, unknown>; by: string; at: number };
    // Validated again on read: a value written by a version with other factors fails loudly here. Weights
    // set before the `keywords` factor existed (migration 20) sum to 1 without it: it weighs 0 for them,
    // so the ranking the lead chose stays as it was.
    const weights = 'keywords' in v.weights ? v.weights : { ...v.weights, keywords: 0 };
    try {
      return { weights: validateWeights(weights), source: 'case', by: v.by, at: v.at };
    } catch (err) {
      throw new UserError(
        `the priority weights stored in the case are not valid (${(err as Error).message}); set them again or reset them: filet priority CASE --reset`,
      );
    }
  }

  async set(weights: Weights, by: string, at: number): Promise<void> {
    await this.store.setMeta(PRIORITY_KEY, JSON.stringify({ weights, by, at }));
  }

  async reset(): Promise<void> {
    await this.store.db.run('DELETE FROM case_meta WHERE case_id = ? AND key = ?', [
      this.store.caseId,
      PRIORITY_KEY,
    ]);
  }
}
