/**
 * `filet analyze` per phase: wall time and RSS after each phase, on synth cases (small by default; set
 * FILET_BENCH_ANALYZE_SCALES=small,medium,large). Building a case (synth → ingest → match) is not timed;
 * give ready cases with FILET_BENCH_ANALYZE_CASES=small=/path/case,medium=/path/case to skip it.
 * Baseline: betweenness forced to the sampled estimate on the same case, to measure its real error
 * against the exact values (max and mean absolute error of the normalized betweenness).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPaths } from '../src/evidence/ingest.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import { analyzeCase } from '../src/network/analyze.js';
import { buildCaseExport } from '../src/report/export-json.js';
import { AnalysisStore } from '../src/store/analysis-store.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import { synthesize } from '../src/synth/index.js';
import type { DeviceEntry } from '../src/synth/truth.js';
import { peakRssMiB, writeResult } from './lib.js';

type Scale = 'small' | 'medium' | 'large';

const COMPLEXITY = {
  load: 'O(A + G + E + M) reading, O(N·Q) PDQ family linking (MIH index), O(P) flagging BFS',
  graphs: 'O(Σ members) two-mode; O(P) propagation; O(Σ_a d_a² + Σ_f g_f²) group–group',
  centrality: 'Brandes O(V·E) exact when V ≤ 5000, else O(k·E) with k = 1000 seeded pivots',
  communities: 'components O(V+E); Louvain ~O(E log V) on the flagged group–group graph',
  roles: 'O(P + E + Σ members·log P)',
  score: 'O(A) factors + provenance lookups O(R) for R cited ids',
  jurisdiction: 'O(A) libphonenumber parses',
  export: 'O(whole case) export build + one-transaction save',
};

async function buildCase(scale: Scale, root: string): Promise<string> {
  const op = join(root, 'op');
  const s = await synthesize({ out: op, seed: 7, scale });
  const { store, dir } = await initCase(join(root, 'case'), { store: 'sqlite' });
  for (const d of JSON.parse(readFileSync(join(op, 'devices.json'), 'utf8')) as DeviceEntry[])
    await ingestPaths(
      store,
      d.files.map((f) => join(op, f)),
      { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
    );
  const list = join(
    op,
    s.files.find((f) => f.startsWith('lists/') && f.endsWith('.json'))!,
  );
  await importHashList(store, list, { name: 'known' });
  await matchCase(store, dir);
  await store.close();
  return dir;
}

async function benchScale(scale: Scale, caseDir: string) {
  const { store } = await openCase(caseDir);
  try {
    const t0 = performance.now();
    const r = await analyzeCase(store);
    const analyzeMs = performance.now() - t0;
    const t1 = performance.now();
    await new AnalysisStore(store).save(r, {});
    await buildCaseExport(store);
    const exportMs = performance.now() - t1;
    const sampled = await analyzeCase(store, {
      exactMaxNodes: 0,
      pivots: Math.min(1000, r.centrality.nodes),
    });
    const exact = new Map(r.accounts.map((a) => [a.accountId, a.betweenness]));
    let maxErr = 0;
    let sumErr = 0;
    for (const a of sampled.accounts) {
      const e = Math.abs(a.betweenness - (exact.get(a.accountId) ?? 0));
      maxErr = Math.max(maxErr, e);
      sumErr += e;
    }
    return {
      figures: {
        accounts: r.accounts.length,
        groups: r.groups.length,
        flaggedGroups: r.groups.filter((g) => g.flagged).length,
        twoModeNodes: r.centrality.nodes,
        twoModeEdges: r.centrality.edges,
        betweennessMode: r.centrality.mode,
        analyzeMs: Math.round(analyzeMs),
        phases: {
          ...r.timings,
          export: { ms: Math.round(exportMs), rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) },
        },
        peakRssMiB: Math.round(peakRssMiB()),
      },
      baseline: {
        sampledCentralityMs: sampled.timings.centrality?.ms ?? 0,
        exactCentralityMs: r.timings.centrality?.ms ?? 0,
        pivots: sampled.centrality.pivots,
        statedErrorBound: sampled.centrality.errorBound,
        measuredMaxAbsError: maxErr,
        measuredMeanAbsError: sumErr / Math.max(1, sampled.accounts.length),
        exactWasExact: r.centrality.mode === 'exact' ? 'yes' : 'no (both sampled)',
      },
    };
  } finally {
    await store.close();
  }
}

const scales = (process.env.FILET_BENCH_ANALYZE_SCALES ?? 'small').split(',') as Scale[];
const given = new Map(
  (process.env.FILET_BENCH_ANALYZE_CASES ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);
const figures: Record<string, Record<string, unknown>> = {};
const baseline: Record<string, Record<string, unknown>> = {};
const ratios: Record<string, number> = {};
for (const scale of scales) {
  const root = given.has(scale) ? null : mkdtempSync(join(tmpdir(), `filet-bench-analyze-${scale}-`));
  try {
    const dir = given.get(scale) ?? (await buildCase(scale, root!));
    const r = await benchScale(scale, dir);
    figures[scale] = r.figures;
    baseline[scale] = r.baseline;
    ratios[`${scale}.sampledVsExactCentralitySpeed`] =
      Number(r.baseline.exactCentralityMs) / Math.max(1, Number(r.baseline.sampledCentralityMs));
  } finally {
    if (root) rmSync(root, { recursive: true, force: true });
  }
}
writeResult({
  name: 'analyze',
  inputs: { scales, seed: 7, complexity: COMPLEXITY },
  figures,
  baseline,
  ratios,
  notes:
    'Target: large (~30k accounts, 2k groups) under 60 s and 4 GB. Phase RSS is the RSS after the phase.',
});
