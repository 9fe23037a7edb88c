import { join } from 'node:path';
import { runDemo } from '../../src/demo.js';
import { importHashList } from '../../src/matching/import-list.js';
import { matchCase } from '../../src/matching/match.js';
import { analyzeAndSave } from '../../src/network/service.js';
import { initCase } from '../../src/store/case-dir.js';
import { ingestSynthDevices } from '../../src/synth/ingest-devices.js';
import { tempDir, type StoreTarget } from './stores.js';

/**
 * A served demo case for the server tests: `demoRoot()` runs the demo once (synth → ingest → list → match →
 * analyze, SQLite); `caseOn(root, target)` gives that case for SQLite, or the same pipeline from the demo's
 * synthetic operation into PostgreSQL (the same two lists, marked synthetic like the demo's case).
 */
export async function demoRoot(prefix: string): Promise<string> {
  const root = tempDir(prefix);
  await runDemo({ dir: root, seed: 7, scale: 'small', quiet: true });
  return root;
}

export async function caseOn(root: string, target: StoreTarget): Promise<string> {
  if (target.name === 'sqlite') return join(root, 'case');
  const op = join(root, 'operation');
  const dir = join(tempDir('filet-server-pg-'), 'case');
  const { store } = await initCase(dir, { store: target.store });
  try {
    await store.setSynthetic(true);
    await ingestSynthDevices(store, op, { examiner: 'test' });
    // The demo's two lists (the CSV carries SHA-256 for media a database knows by hash only).
    await importHashList(store, join(op, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
    await importHashList(store, join(op, 'lists', 'known.csv'), { name: 'synthetic-known-csv' });
    await matchCase(store, dir, {});
    await analyzeAndSave(store, {});
  } finally {
    await store.close();
  }
  return dir;
}
