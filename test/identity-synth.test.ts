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
import { ingestSynthDevices, isTruePair, readDevices, savedNameKeys } from '../src/synth/ingest-devices.js';

const root = mkdtempSync(join(tmpdir(), 'filet-idsynth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Medium when CI=true or FILET_ACCURACY_MEDIUM=1 (synth and ingest take minutes). */
const MEDIUM = process.env.CI === 'true' || process.env.FILET_ACCURACY_MEDIUM === '1';

describe('automatic identity merges on a synthetic operation with saved names', () => {
  it.each([['small', 30], ...(MEDIUM ? ([['medium', 80]] as const) : [])] as const)(
    '%s: merges only true pairs (precision 1.0) and joins their messages',
    async (scale, floor) => {
      const op = join(root, `op-${scale}`);
      await synthesize({ out: op, seed: 7, scale, savedContacts: 'realistic' });
      const truth = savedNameKeys(readDevices(op));
      expect(truth.size).toBeGreaterThan(50);
      const { store } = await initCase(join(root, `case-${scale}`), { store: 'sqlite' });
      try {
        // Ingest resolves identities after every item: those merges are what is judged here.
        await ingestSynthDevices(store, op);
        const keyOf = new Map((await store.accounts()).map((a) => [a.id, a.key]));
        const merges = (await new ReviewStore(store).merges()).filter((m) => m.by === AUTOMATIC);
        const wrong = merges.filter((m) => !isTruePair(truth, keyOf.get(m.from)!, keyOf.get(m.into)!));
        expect(wrong).toEqual([]);
        // A floor, not the measured figure: most saved names of people some database shows are found.
        expect(merges.length).toBeGreaterThanOrEqual(floor);
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
    },
    900_000,
  );
});
