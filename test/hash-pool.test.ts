import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdqFromImage } from '../src/hashing/decode.js';
import { digestBuffer } from '../src/hashing/digests.js';
import { hashFiles, type FileHashResult } from '../src/hashing/pool.js';

let dir: string;
const files: string[] = [];

/** Benign synthetic pictures: gradients with a few rectangles and circles, in three formats. */
async function makeImage(i: number, path: string): Promise<void> {
  const w = 300 + i * 97;
  const h = 200 + i * 61;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#${(i * 40 + 20).toString(16).padStart(2, '0')}3080"/>
    <stop offset="1" stop-color="#f0c0${(i * 30).toString(16).padStart(2, '0')}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <rect x="${20 + i * 10}" y="30" width="${w / 3}" height="${h / 4}" fill="#204020"/>
    <circle cx="${w / 2}" cy="${h / 2 + i * 5}" r="${h / 5}" fill="#e0e040"/></svg>`;
  const img = sharp(Buffer.from(svg));
  if (path.endsWith('.png')) await img.png().toFile(path);
  else if (path.endsWith('.webp')) await img.webp().toFile(path);
  else await img.jpeg({ quality: 85 }).toFile(path);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'filet-pool-'));
  const exts = ['jpg', 'png', 'webp'];
  for (let i = 0; i < 8; i++) {
    const p = join(dir, `img-${i}.${exts[i % 3]}`);
    await makeImage(i, p);
    files.push(p);
  }
  writeFileSync(join(dir, 'notes.txt'), 'not an image\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hashFiles (worker pool)', () => {
  it('gives the same results with 1 and 2 threads, in input order, matching in-process hashing', async () => {
    const one = await hashFiles(files, { mode: 'exact', threads: 1 });
    const two = await hashFiles(files, { mode: 'exact', threads: 2 });
    expect(two).toEqual(one);
    expect(one.map((r) => r.path)).toEqual(files);
    for (const r of one) {
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.pdq).toMatch(/^[0-9a-f]{64}$/);
      expect(r.quality).toBeGreaterThan(0);
      expect(r.pdq).toBe((await pdqFromImage(r.path)).hash);
    }
    const distinct = new Set(one.map((r) => (r.ok ? r.pdq : '')));
    expect(distinct.size).toBe(files.length);
  });

  it('keeps going past a text file and a missing file, with per-file outcomes', async () => {
    const text = join(dir, 'notes.txt');
    const missing = join(dir, 'no-such-file.jpg');
    const seen: FileHashResult[] = [];
    const res = await hashFiles([files[0], text, missing, files[1]], {
      mode: 'fast',
      threads: 2,
      dihedral: true,
      onResult: (r) => seen.push(r),
    });
    expect(seen.length).toBe(4);
    const [a, t, m, b] = res;
    expect(a.ok && b.ok && a.pdq && b.pdq && a.dihedral?.rot90).toBeTruthy();
    expect(t.ok).toBe(true);
    if (t.ok) {
      expect(t.pdq).toBeNull();
      expect(t.quality).toBeNull();
      expect(t.pdqError).toMatch(/unsupported image format/);
      expect(t.sha256).toBe(digestBuffer(Buffer.from('not an image\n')).sha256);
      expect(t.size).toBe(13);
    }
    expect(m).toMatchObject({ ok: false, path: missing });
    if (!m.ok) expect(m.error).toMatch(/ENOENT/);
  });

  it('returns an empty list for no paths', async () => {
    expect(await hashFiles([], { mode: 'exact' })).toEqual([]);
  });
});
