import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectReader } from '../src/evidence/registry.js';
import { UserError } from '../src/util/errors.js';
import { filet } from './helpers/cli.js';
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

/** WhatsApp Desktop for Windows stores its databases encrypted to the Windows account: explained, not "nothing". */
describe('WhatsApp Desktop for Windows in a searched tree', () => {
  it('a user profile holding only WhatsApp Desktop data: the error says why it cannot be read and what to ask for', () => {
    const tree = join(tempDir('filet-hints-'), 'laptop-C');
    const local = join(tree, 'Users', 'synthetic', 'AppData', 'Local', 'Packages');
    const app = join(local, '5319275A.WhatsAppDesktop_cv1g1gvanyjgm', 'LocalState');
    mkdirSync(app, { recursive: true });
    // SYNTHETIC stand-ins: random bytes, as the DPAPI-protected databases look without their key.
    writeFileSync(join(app, 'session.db'), randomBytes(4096));
    writeFileSync(join(app, 'nativeSettings.db'), randomBytes(4096));
    writeFileSync(join(tree, 'SYNTHETIC'), 'SYNTHETIC test tree\n');
    const caseDir = join(tree, '..', 'case');
    expect(filet(['init', caseDir]).code).toBe(0);
    const r = filet(['ingest', caseDir, tree]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no WhatsApp artifact found/);
    expect(r.stderr).toMatch(
      /2 × WhatsApp Desktop for Windows: its databases are encrypted to the Windows user account \(DPAPI\) and cannot be read offline; ask the lab for the phone itself/,
    );
    const dry = filet(['ingest', caseDir, tree, '--dry-run', '--json']);
    expect(dry.code).not.toBe(0);
  });

  it('one of its files given directly gets the same explanation', async () => {
    const dir = join(
      tempDir('filet-hints-'),
      'Packages',
      '5319275A.WhatsAppDesktop_cv1g1gvanyjgm',
      'LocalState',
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'session.db'), randomBytes(4096));
    await expect(detectReader(join(dir, 'session.db'))).rejects.toThrow(
      /WhatsApp Desktop for Windows.*DPAPI/,
    );
  });
});
