import type { Command } from 'commander';
import { analyzeAndSave, type AnalysisSummary } from '../../network/service.js';
import { UserError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';
import { audited, enqueueOne, parsePositiveInt, printJson, table, withCase } from '../context.js';

interface AnalyzeCliOptions {
  store?: string;
  json?: boolean;
  threshold?: string;
  seed?: string;
  top?: string;
  jobs?: boolean;
}

function print(s: AnalysisSummary): void {
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
    .option('--jobs', 'queue an analysis job for `filet worker` to run instead')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet match ./op-x && filet analyze ./op-x --top 20')
    .action(async (dir: string, o: AnalyzeCliOptions) => {
      const threshold = o.threshold === undefined ? undefined : parsePositiveInt(o.threshold, '--threshold');
      if (threshold !== undefined && threshold > 256) throw new UserError('--threshold must be at most 256');
      const seed = o.seed === undefined ? undefined : parsePositiveInt(o.seed, '--seed');
      if (o.jobs) {
        const params = {
          ...(threshold !== undefined ? { threshold } : {}),
          ...(seed !== undefined ? { seed } : {}),
        };
        await enqueueOne(dir, o, { kind: 'analyze', params });
        return;
      }
      const top = parsePositiveInt(o.top ?? '10', '--top');
      const summary = await withCase(dir, o, async ({ store }) => {
        const bar = progress('analyze', 7, { quiet: o.json });
        const result = await audited(
          store,
          'analyze',
          { threshold: threshold ?? null, seed: seed ?? null },
          async (tx) => {
            const { summary: s, run } = await analyzeAndSave(tx, {
              threshold,
              seed,
              top,
              onPhase: () => bar.tick(),
            });
            bar.stop();
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
