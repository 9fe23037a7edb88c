import type { Command } from 'commander';
import { analyzeCase, type AnalysisResult } from '../../network/analyze.js';
import { AnalysisStore } from '../../store/analysis-store.js';
import { UserError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';
import { audited, parsePositiveInt, printJson, table, withCase } from '../context.js';

interface AnalyzeCliOptions {
  store?: string;
  json?: boolean;
  threshold?: string;
  seed?: string;
  top?: string;
}

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

function print(s: ReturnType<typeof summarize>): void {
  if (!s.matched)
    console.log('warning: `filet match` has not run: no media is known or novel, so nothing can be flagged');
  console.log(
    table([
      ['flagged groups', `${s.flaggedGroups} of ${s.groups}`],
      ['clusters', `${s.clusters} (${s.components} connected component(s))`],
      [
        'roles',
        Object.entries(s.roles)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none',
      ],
      [
        'betweenness',
        s.centrality.mode === 'exact'
          ? 'exact'
          : `sampled, ${s.centrality.pivots} pivots, ±${s.centrality.errorBound.toFixed(3)} (95%)`,
      ],
    ]),
  );
  console.log(`\nrule: ${s.flagRule}`);
  console.log('\ntop suspects:');
  for (const t of s.top)
    console.log(
      `  ${t.score.toFixed(1).padStart(6)}  ${t.key}  ${t.country ?? 'unresolved'}  ${t.roles.join(', ')}`,
    );
  console.log('\ncountries:');
  for (const c of s.countries)
    console.log(
      `  ${c.country.padEnd(10)} ${c.suspects} suspect(s), ${c.groups} group(s)  ${Object.entries(c.roles)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('network analysis: flagged groups, clusters, roles, priority scores with reasons, countries')
    .argument('<case>', 'the case folder')
    .option('--threshold <n>', 'PDQ distance at or below which two media are the same picture (default 31)')
    .option('--seed <n>', 'seed for Louvain and sampled betweenness (default fixed, so runs repeat)')
    .option('--top <n>', 'how many top suspects to print', '10')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet match ./op-x && filet analyze ./op-x --top 20')
    .action(async (dir: string, o: AnalyzeCliOptions) => {
      const threshold = o.threshold === undefined ? undefined : parsePositiveInt(o.threshold, '--threshold');
      if (threshold !== undefined && threshold > 256) throw new UserError('--threshold must be at most 256');
      const seed = o.seed === undefined ? undefined : parsePositiveInt(o.seed, '--seed');
      const top = parsePositiveInt(o.top ?? '10', '--top');
      const summary = await withCase(dir, o, async ({ store }) => {
        const bar = progress('analyze', 7, { quiet: o.json });
        const result = await audited(
          store,
          'analyze',
          { threshold: threshold ?? null, seed: seed ?? null },
          async () => {
            const r = await analyzeCase(store, { threshold, seed, onPhase: () => bar.tick() });
            bar.stop();
            const s = summarize(r, top);
            const run = await new AnalysisStore(store).save(r, s);
            return { ...s, run };
          },
          (s) => ({ run: s.run, flaggedGroups: s.flaggedGroups, clusters: s.clusters, roles: s.roles }),
        );
        return result;
      });
      if (o.json) printJson(summary);
      else print(summary);
    });
}
