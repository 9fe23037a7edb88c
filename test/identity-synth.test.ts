/**
 * Automatic identity merges on a synthetic operation whose export-only phones saved most contacts by name
 * (`savedContacts: 'realistic'`): every merge ingest's identity resolution makes must be a true one, judged
 * by the generator's own table of saved contacts (devices.json), and the messages of a merged person must be
 * joined.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedChange, cliPolicy } from '../src/app/audited.js';
import { AUTOMATIC, applyIdentityMerges } from '../src/app/identity-suggestions.js';
import { ReviewStore } from '../src/store/review-store.js';
import { initCase } from '../src/store/case-dir.js';
import { synthesize } from '../src/synth/index.js';
import { ingestSynthDevices, readDevices, savedNameKeys } from '../src/synth/ingest-devices.js';

const root = mkdtempSync(join(tmpdir(), 'filet-idsynth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('automatic identity merges on a synthetic operation with saved names', () => {
  it('merges only true pairs (precision 1.0) and joins their messages', async () => {
    const op = join(root, 'op');
    await synthesize({ out: op, seed: 7, scale: 'small', savedContacts: 'realistic' });
    const truth = savedNameKeys(readDevices(op));
    expect(truth.size).toBeGreaterThan(50);
    const { store } = await initCase(join(root, 'case'), { store: 'sqlite' });
    try {
      // Ingest resolves identities after every item: those merges are what is judged here.
      await ingestSynthDevices(store, op);
      const keyOf = new Map((await store.accounts()).map((a) => [a.id, a.key]));
      const merges = (await new ReviewStore(store).merges()).filter((m) => m.by === AUTOMATIC);
      const wrong = merges.filter((m) => truth.get(keyOf.get(m.from)!) !== keyOf.get(m.into));
      expect(wrong).toEqual([]);
      // A floor, not the measured figure: most saved names of people some database shows are found.
      expect(merges.length).toBeGreaterThanOrEqual(30);
      // Their messages were joined: export lines absorbed into the database rows of the same messages.
      const joined = await store.db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM fact_joins WHERE case_id = ? AND merge_id IN (${merges.map(() => '?').join(',')})`,
        [store.caseId, ...merges.map((m) => m.id)],
      );
      expect(Number(joined?.n)).toBeGreaterThan(merges.length);
      // Nothing is left for an explicit resolve at the same threshold.
      const again = await auditedChange(store, cliPolicy(), 'identity.resolve', { minSupport: 2 }, (s) =>
        applyIdentityMerges(s, { minSupport: 2, at: Date.now() }),
      );
      expect(again.merged).toEqual([]);
    } finally {
      await store.close();
    }
  }, 300_000);
});
