/**
 * Automatic identity merges on a synthetic operation whose export-only phones saved most contacts by name
 * (`savedContacts: 'realistic'`): every merge `resolve` makes must be a true one, judged by the generator's
 * own table of saved contacts (devices.json), and the messages of a merged person must be joined.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedChange, cliPolicy } from '../src/app/audited.js';
import { applyIdentityMerges } from '../src/app/identity-suggestions.js';
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
      await ingestSynthDevices(store, op);
      const count = async () =>
        Number(
          (
            await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages WHERE case_id = ?', [
              store.caseId,
            ])
          )?.n,
        );
      const before = await count();
      const r = await auditedChange(store, cliPolicy(), 'identity.resolve', { minSupport: 2 }, (s) =>
        applyIdentityMerges(s, { minSupport: 2, at: Date.now() }),
      );
      const wrong = r.merged.filter((m) => truth.get(m.from) !== m.into);
      expect(wrong).toEqual([]);
      // A floor, not the measured figure: most saved names of people some database shows are found.
      expect(r.merged.length).toBeGreaterThanOrEqual(30);
      expect(await count()).toBeLessThan(before);
    } finally {
      await store.close();
    }
  }, 300_000);
});
