import { AnalysisStore } from '../store/analysis-store.js';
import type { CaseStore } from '../store/case-store.js';
import { analyzeCase, type AnalysisResult, type AnalyzeOptions } from './analyze.js';

/** The short summary printed, audited and stored with the run. */
export function summarize(r: AnalysisResult, top = 10) {
  const roles: Record<string, number> = {};
  for (const a of r.accounts) for (const role of a.roles) roles[role] = (roles[role] ?? 0) + 1;
  const flagged = r.groups.filter((g) => g.flagged);
  return {
    matched: r.matched,
    flaggedGroups: flagged.length,
    groups: r.groups.length,
    flagRule: r.params.flagRule,
    weights: r.params.weights,
    clusters: r.clusters.length,
    components: r.components,
    roles,
    centrality: r.centrality,
    top: r.accounts
      .filter((a) => a.score > 0)
      .slice(0, top)
      .map((a) => ({
        account: a.accountId,
        key: a.key,
        score: a.score,
        roles: a.roles,
        country: a.jurisdiction.country,
      })),
    countries: r.countries.map((c) => ({
      country: c.country,
      suspects: c.suspects,
      roles: c.roles,
      groups: c.groupIds.length,
    })),
    timings: r.timings,
  };
}

export type AnalysisSummary = ReturnType<typeof summarize>;

/** Runs the analysis and stores it with its summary (one transaction); used by the CLI and the demo. */
export async function analyzeAndSave(store: CaseStore, opts: AnalyzeOptions & { top?: number } = {}) {
  const result = await analyzeCase(store, opts);
  const summary = summarize(result, opts.top ?? 10);
  const run = await new AnalysisStore(store).save(result, summary);
  return { result, summary, run };
}
