// Images/s of filet's hashing (digests + PDQ) on generated benign JPEGs, exact vs fast decode, one thread
// vs all cores, plus how far fast-mode hashes drift from exact ones. Baseline: exact, one thread.
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { pdqFromImage } from '../src/hashing/decode.js';
import { hammingHex } from '../src/hashing/pdq.js';
import { hashFiles, type FileHashResult } from '../src/hashing/pool.js';
import { writeResult } from './lib.js';

const COUNT = 300;
const SIZES: [number, number][] = [
  [640, 480],
  [1024, 768],
  [1600, 1200],
  [2048, 1536],
  [3000, 2250],
  [4000, 3000],
];
const DIR = join(tmpdir(), 'filet-bench-hashing-v1');

/** Abstract pictures only: a gradient, a few shapes and gaussian noise, seeded by the index. */
async function generate(i: number, path: string): Promise<void> {
  const [w, h] = SIZES[i % SIZES.length];
  let s = i * 2654435761;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const col = () => `rgb(${(rnd() * 255) | 0},${(rnd() * 255) | 0},${(rnd() * 255) | 0})`;
  let shapes = '';
  for (let k = 0; k < 12; k++) {
    shapes +=
      rnd() < 0.5
        ? `<rect x="${rnd() * w}" y="${rnd() * h}" width="${rnd() * w * 0.4}" height="${rnd() * h * 0.4}" fill="${col()}" opacity="0.8"/>`
        : `<circle cx="${rnd() * w}" cy="${rnd() * h}" r="${rnd() * h * 0.25}" fill="${col()}" opacity="0.8"/>`;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs>
    <linearGradient id="g" x1="0" y1="0" x2="${rnd().toFixed(2)}" y2="1"><stop offset="0" stop-color="${col()}"/>
    <stop offset="1" stop-color="${col()}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`;
  const noise = await sharp({
    create: {
      width: w,
      height: h,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 12 + (i % 5) * 6 },
    },
  })
    .png()
    .toBuffer();
  await sharp(Buffer.from(svg))
    .composite([{ input: noise, blend: 'soft-light' }])
    .jpeg({ quality: 80 + (i % 15) })
    .toFile(path + '.part');
  // Renamed when complete, so an interrupted run never leaves a truncated image in the cache.
  renameSync(path + '.part', path);
}

async function images(): Promise<string[]> {
  mkdirSync(DIR, { recursive: true });
  const want = Array.from({ length: COUNT }, (_, i) => join(DIR, `img-${String(i).padStart(4, '0')}.jpg`));
  const have = new Set(readdirSync(DIR).map((f) => join(DIR, f)));
  const missing = want.filter((p) => !have.has(p));
  if (missing.length) {
    console.log(`generating ${missing.length} images into ${DIR} (cached for later runs)…`);
    for (const p of missing) await generate(Number(p.slice(-8, -4)), p);
  }
  return want;
}

async function run(paths: string[], mode: 'exact' | 'fast', threads: number) {
  // Warm-up (worker start, sharp load) is part of a real run, so it is included, on a small scale:
  const t0 = performance.now();
  const res = await hashFiles(paths, { mode, threads });
  const secs = (performance.now() - t0) / 1000;
  const bad = res.filter((r) => !r.ok || !r.pdq).length;
  if (bad) throw new Error(`${bad} images failed to hash`);
  const perSec = paths.length / secs;
  console.log(`${mode} × ${threads} thread(s): ${perSec.toFixed(1)} images/s (${secs.toFixed(1)} s)`);
  return { perSec, res };
}

function drift(a: FileHashResult[], b: FileHashResult[]) {
  const d = a.map((r, i) => hammingHex((r as { pdq: string }).pdq, (b[i] as { pdq: string }).pdq));
  return { mean: +(d.reduce((x, y) => x + y, 0) / d.length).toFixed(2), max: Math.max(...d), n: d.length };
}

const paths = await images();
const cores = availableParallelism();
const exact1 = await run(paths, 'exact', 1);
const fast1 = await run(paths, 'fast', 1);
const exactN = await run(paths, 'exact', cores);
const fastN = await run(paths, 'fast', cores);

const pdqDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data', 'pdq');
const testDrift: number[] = [];
if (existsSync(pdqDir)) {
  const { readFileSync } = await import('node:fs');
  const rows = readFileSync(join(pdqDir, 'expected-dihedral.csv'), 'utf8').trim().split('\n').slice(1);
  for (const row of rows) {
    const p = join(pdqDir, row.split(',')[0]);
    testDrift.push(hammingHex((await pdqFromImage(p)).hash, (await pdqFromImage(p, { mode: 'fast' })).hash));
  }
}
const benchDrift = drift(fast1.res, exact1.res);
const REF_SHIPPED = 14.4;
const REF_LIBJPEG = 57.8;
console.log(`fast vs exact drift on bench images: mean ${benchDrift.mean}, max ${benchDrift.max}`);

writeResult({
  name: 'hashing',
  inputs: {
    images: paths.length,
    sizes: SIZES.map(([w, h]) => `${w}x${h}`),
    cores,
    dir: DIR,
    pdqTestImages: testDrift.length,
  },
  figures: {
    exact1ImagesPerSec: +exact1.perSec.toFixed(1),
    fast1ImagesPerSec: +fast1.perSec.toFixed(1),
    exactAllCoresImagesPerSec: +exactN.perSec.toFixed(1),
    fastAllCoresImagesPerSec: +fastN.perSec.toFixed(1),
    fastVsExactBench: benchDrift,
    fastVsExactPdqTestImages: testDrift.length
      ? {
          mean: +(testDrift.reduce((x, y) => x + y, 0) / testDrift.length).toFixed(2),
          max: Math.max(...testDrift),
          n: testDrift.length,
        }
      : 'test images not found',
  },
  baseline: {
    exact1ImagesPerSec: +exact1.perSec.toFixed(1),
    referenceShippedImagesPerSec: REF_SHIPPED,
    referenceInProcessLibjpegImagesPerSec: REF_LIBJPEG,
  },
  ratios: {
    fast1VsExact1: +(fast1.perSec / exact1.perSec).toFixed(2),
    exactAllCoresVsExact1: +(exactN.perSec / exact1.perSec).toFixed(2),
    fastAllCoresVsExact1: +(fastN.perSec / exact1.perSec).toFixed(2),
    exact1VsReferenceShipped: +(exact1.perSec / REF_SHIPPED).toFixed(2),
    exact1VsReferenceLibjpeg: +(exact1.perSec / REF_LIBJPEG).toFixed(2),
    fast1VsReferenceLibjpeg: +(fast1.perSec / REF_LIBJPEG).toFixed(2),
  },
  notes:
    'Each figure is a full pass (read, SHA-256/MD5/SHA-1, decode, PDQ) through the worker pool, worker start-up included. ' +
    'The reference figures (ImageMagick subprocess; in-process libjpeg) come from docs/pdq.md, measured on a 2-core VM ' +
    'of the same kind on the same kind of image set, one core; they are not re-measured here.',
});
