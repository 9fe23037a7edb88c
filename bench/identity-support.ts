/**
 * Not a speed benchmark: measures the identity rule's support threshold (run it alone; `npm run bench` does not): on a synthetic operation whose export-only phones saved
 * most contacts by name (`--saved-contacts realistic`), every pair the rules find is checked against the
 * generator's saved-contact table (devices.json savedContacts), per support value. Writes JSON.
 * Usage: npx tsx bench/identity-support.ts [--seed 7] [--scale small] [--out bench/results/identity-support.json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { identitySuggestions } from '../src/app/identity-suggestions.js';
import { initCase } from '../src/store/case-dir.js';
import { synthesize } from '../src/synth/index.js';
import { ingestSynthDevices, readDevices, savedNameKeys } from '../src/synth/ingest-devices.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '7' },
    scale: { type: 'string', default: 'small' },
    out: { type: 'string', default: 'bench/results/identity-support.json' },
  },
});
const root = mkdtempSync(join(tmpdir(), 'filet-idsup-'));
try {
  const op = join(root, 'op');
  await synthesize({
    out: op,
    seed: Number(values.seed),
    scale: values.scale as 'small',
    savedContacts: 'realistic',
  });
  const saved = savedNameKeys(readDevices(op));
  const { store } = await initCase(join(root, 'case'), { store: 'sqlite' });
  try {
    await ingestSynthDevices(store, op);
    const d = await identitySuggestions(store, { minSupport: 1 });
    const all = [...d.merges, ...d.suggestions];
    const contradicted = new Set(d.contradictions.flatMap((c) => c.candidates));
    const bySupport: Record<string, { true: number; false: number; contradicted: number }> = {};
    for (const c of all) {
      const k = String(Math.min(c.support, 10));
      bySupport[k] ??= { true: 0, false: 0, contradicted: 0 };
      bySupport[k][saved.get(c.from) === c.into ? 'true' : 'false']++;
      if (contradicted.has(c)) bySupport[k].contradicted++;
    }
    const threshold = (n: number) => {
      const merged = d.merges.filter((c) => c.support >= n);
      const tp = merged.filter((c) => saved.get(c.from) === c.into).length;
      return {
        n,
        merged: merged.length,
        tp,
        fp: merged.length - tp,
        precision: merged.length ? tp / merged.length : null,
        recallOfSavedNames: tp / saved.size,
      };
    };
    const result = {
      synthetic: true,
      input: {
        seed: Number(values.seed),
        scale: values.scale,
        savedContacts: 'realistic',
        savedNames: saved.size,
        pairsFound: all.length,
      },
      bySupport,
      thresholds: [1, 2, 3, 4, 5].map(threshold),
    };
    mkdirSync(dirname(values.out!), { recursive: true });
    writeFileSync(values.out!, JSON.stringify(result, null, 2));
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await store.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
