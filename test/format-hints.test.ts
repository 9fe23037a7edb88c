import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectReader } from '../src/evidence/registry.js';
import { UserError } from '../src/util/errors.js';
import { tempDir } from './helpers/stores.js';

/** Issue 10: a vendor's proprietary case file gets a clear message saying what to ask the lab for. */
describe('proprietary case formats', () => {
  const dir = tempDir('filet-hints-');
  for (const [name, vendor] of [
    ['Case 2026-041.mfdb', /Magnet AXIOM/],
    ['phone-B.ofb', /Oxygen/],
    ['handset.xry', /XRY/],
  ] as const) {
    it(`${name}: refused, naming the vendor format and what to ask for instead`, async () => {
      const p = join(dir, name);
      writeFileSync(p, Buffer.from('SYNTHETIC: not a real vendor file, just bytes no reader knows'));
      const err = await detectReader(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(vendor);
      expect((err as Error).message).toMatch(/ask the lab for the extraction itself/);
      expect((err as Error).message).toContain(name);
    });
  }

  it('an unknown file without such a name keeps the generic message', async () => {
    const p = join(dir, 'notes.bin');
    writeFileSync(p, Buffer.from('SYNTHETIC bytes'));
    await expect(detectReader(p)).rejects.toThrow(/not a recognised evidence format/);
  });
});
