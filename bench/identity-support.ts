/**
 * Not a speed benchmark: measures the identity rule's support threshold (run it alone; `npm run bench` does
 * not). On a synthetic operation whose export-only phones saved most contacts by name
 * (`--saved-contacts realistic`): (1) ingested without automatic resolution, every pair the rules find is
 * checked against the generator's saved-contact table (devices.json savedContacts), per support value;
 * (2) ingested as filet ingests (chats linked and identities resolved after each item), every automatic
 * merge is checked the same way. Writes JSON.
 * Usage: npx tsx bench/identity-support.ts [--seed 7] [--scale small] [--out bench/results/identity-support.json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { identitySuggestions } from '../src/app/identity-suggestions.js';
import { initCase } from '../src/store/case-dir.js';
import { AUTOMATIC, DEFAULT_MIN_SUPPORT } from '../src/store/identity-resolution.js';
import { ReviewStore } from '../src/store/review-store.js';
import { synthesize } from '../src/synth/index.js';
import { ingestSynthDevices, isTruePair, readDevices, savedNameKeys } from '../src/synth/ingest-devices.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '7' },
    scale: { type: 'string', default: 'small' },
    out: { type: 'string', default: 'bench/results/identity-support.json' },
  },
});
/** A second case, ingested the way filet ingests: the merges resolution made, judged against the table. */
async function automaticAtIngest(op: string, saved: Map<string, string>) {
  const { store } = await initCase(join(root, 'case-auto'), { store: 'sqlite' });
  try {
    const started = performance.now();
    await ingestSynthDevices(store, op);
    const ms = performance.now() - started;
    const accounts = new Map((await store.accounts()).map((a) => [a.id, a.key]));
    const merges = (await new ReviewStore(store).merges()).filter(
      (m) => m.by === AUTOMATIC && m.undoneAt === null,
    );
    const wrong = merges.filter((m) => !isTruePair(saved, accounts.get(m.from)!, accounts.get(m.into)!));
    const chatLinks = await store.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM chat_links WHERE case_id = ?',
      [store.caseId],
    );
    return {
      minSupport: DEFAULT_MIN_SUPPORT,
      automaticMerges: merges.length,
      wrong: wrong.length,
      precision: merges.length ? (merges.length - wrong.length) / merges.length : null,
      savedNamesMerged: (merges.length - wrong.length) / saved.size,
      chatLinks: Number(chatLinks?.n),
      ingestMs: Math.round(ms),
    };
  } finally {
    await store.close();
  }
}

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
    await ingestSynthDevices(store, op, { resolveIdentities: false });
    const d = await identitySuggestions(store, { minSupport: 1 });
    const all = [...d.merges, ...d.suggestions];
    const contradicted = new Set(d.contradictions.flatMap((c) => c.candidates));
    const bySupport: Record<string, { true: number; false: number; contradicted: number }> = {};
    for (const c of all) {
      const k = String(Math.min(c.support, 10));
      bySupport[k] ??= { true: 0, false: 0, contradicted: 0 };
      bySupport[k][isTruePair(saved, c.from, c.into) ? 'true' : 'false']++;
      if (contradicted.has(c)) bySupport[k].contradicted++;
    }
    const threshold = (n: number) => {
      const merged = d.merges.filter((c) => c.support >= n);
      const tp = merged.filter((c) => isTruePair(saved, c.from, c.into)).length;
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
      atIngest: await automaticAtIngest(op, saved),
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
