import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../src/evidence/ingest.js';
import { vicsFormat } from '../src/matching/lists/vics.js';
import { isInvalid } from '../src/matching/lists/types.js';
import { openCase } from '../src/store/case-dir.js';
import { filet } from './helpers/cli.js';
import { tempDir } from './helpers/stores.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

interface TruthMedia {
  sha256: string;
  known: boolean;
  derivedFromKnown?: boolean;
  parentSha256: string | null;
}

let op: { dir: string; devices: DeviceInfo[] };
let caseDir: string;
let truthMedia: TruthMedia[];

beforeAll(async () => {
  op = await synthOperation(7);
  truthMedia = JSON.parse(readFileSync(join(op.dir, 'truth.json'), 'utf8')).media;
  caseDir = join(tempDir(), 'case');
  expect(filet(['init', caseDir]).code).toBe(0);
  const { store } = await openCase(caseDir);
  try {
    for (const d of op.devices)
      await ingestPaths(
        store,
        d.files.map((f) => join(op.dir, f)),
        { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
      );
  } finally {
    await store.close();
  }
});

describe('hash lists and matching on a synthetic case', () => {
  it('refuses a list with invalid records unless --skip-invalid, naming the lines', async () => {
    const bad = join(tempDir(), 'bad.csv');
    writeFileSync(bad, 'md5,category\n' + 'a'.repeat(32) + ',1\nnot-hex,1\n' + 'b'.repeat(31) + ',1\n');
    const r = filet(['hashes', 'import', caseDir, bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/line 3/);
    expect(r.stderr).toMatch(/line 4/);
    expect(r.stderr).toMatch(/nothing imported/);
    const ok = filet(['hashes', 'import', caseDir, bad, '--skip-invalid', '--name', 'partial', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ entryCount: 1, invalid: 2 });
  });

  it('matches exact hashes from the VICS list and PDQ near-duplicates, then exports novel media as VICS', async () => {
    const imp = filet([
      'hashes',
      'import',
      caseDir,
      join(op.dir, 'lists', 'known-vics.json'),
      '--name',
      'known',
      '--json',
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    const again = filet([
      'hashes',
      'import',
      caseDir,
      join(op.dir, 'lists', 'known-vics.json'),
      '--name',
      'known',
      '--json',
    ]);
    expect(JSON.parse(again.stdout).entryCount).toBe(JSON.parse(imp.stdout).entryCount);

    // The CSV carries SHA-256 too: media a database knows only by its hash can match it.
    expect(
      filet(['hashes', 'import', caseDir, join(op.dir, 'lists', 'known.csv'), '--name', 'known-csv']).code,
    ).toBe(0);
    // A PDQ list of the known originals present in the case (hashes only, as agencies share them).
    const first = filet(['match', caseDir, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const { store } = await openCase(caseDir);
    const knownSha = new Set(truthMedia.filter((m) => m.known).map((m) => m.sha256));
    const media = await store.media();
    await store.close();
    const originals = media.filter((m) => knownSha.has(m.sha256) && m.pdq && (m.pdqQuality ?? 0) >= 50);
    expect(originals.length).toBeGreaterThan(0);
    const pdqList = join(tempDir(), 'known.pdq.txt');
    writeFileSync(pdqList, originals.map((m) => `${m.pdq},SYNTHETIC original`).join('\n') + '\n');
    // --no-match: the explicit run below is the one that builds the index.
    expect(filet(['hashes', 'import', caseDir, pdqList, '--name', 'known-pdq', '--no-match']).code).toBe(0);

    const r = filet(['match', caseDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.indexCache).toBe('built');
    expect(summary.matchesByType.pdq).toBeGreaterThanOrEqual(originals.length);

    const { store: s2 } = await openCase(caseDir);
    const matches = await s2.matches();
    const allMedia = await s2.media();
    await s2.close();
    const byId = new Map(allMedia.map((m) => [m.id, m]));
    // Every known original in the case is matched exactly: MD5/SHA-1 (VICS) when its file is present,
    // SHA-256 (CSV) when a database knows it only by its hash.
    const exact = new Set(
      matches.filter((m) => m.hashType !== 'pdq').map((m) => byId.get(m.mediaId)!.sha256),
    );
    for (const m of allMedia) if (knownSha.has(m.sha256)) expect(exact.has(m.sha256), m.sha256).toBe(true);
    // Copies of known material (re-encoded, flipped…) are found by PDQ when their parent is on the PDQ list.
    const onPdqList = new Set(originals.map((m) => m.sha256));
    const copies = truthMedia.filter(
      (t) => t.derivedFromKnown && t.parentSha256 && onPdqList.has(t.parentSha256),
    );
    const pdqMatched = new Set(
      matches.filter((m) => m.hashType === 'pdq').map((m) => byId.get(m.mediaId)!.sha256),
    );
    const presentCopies = copies.filter((c) => allMedia.some((m) => m.sha256 === c.sha256 && m.pdq));
    const found = presentCopies.filter((c) => pdqMatched.has(c.sha256));
    console.log(`PDQ: ${found.length} of ${presentCopies.length} present copies of listed originals matched`);
    expect(found.length / Math.max(presentCopies.length, 1)).toBeGreaterThanOrEqual(0.8);

    // A second run reuses the cached index.
    const third = JSON.parse(filet(['match', caseDir, '--json']).stdout);
    expect(third.indexCache).toBe('hit');
    expect(third.known).toBe(summary.known);

    const out = join(tempDir(), 'novel.vics.json');
    expect(filet(['hashes', 'export', caseDir, '--format', 'vics', '--out', out]).code).toBe(0);
    const exported: string[] = [];
    for await (const e of vicsFormat.read(out, { categoryScheme: 'vics-us' })) {
      expect(isInvalid(e)).toBe(false);
      if (!isInvalid(e)) exported.push(e.md5!);
    }
    const matchedMd5 = new Set(matches.map((m) => byId.get(m.mediaId)!.md5));
    const matchedIds = new Set(matches.map((m) => m.mediaId));
    expect(exported.length).toBe(allMedia.filter((m) => !matchedIds.has(m.id) && m.md5).length);
    expect(exported.length).toBeGreaterThan(0);
    for (const md5 of exported) expect(matchedMd5.has(md5)).toBe(false);
  });
});
