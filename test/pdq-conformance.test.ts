import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { pdqFromImage } from '../src/hashing/decode.js';
import {
  hammingHex,
  hammingWords,
  hexToWords,
  pdqFromLuma,
  pdqFromPixels,
  popcount32,
  ZERO_HASH,
  type PdqDihedral,
} from '../src/hashing/pdq.js';

// Meta's reference test images and the hashes its C++ hasher printed for them (never copied here).
const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data', 'pdq');

/** A clone from elsewhere has no ../shared: the reference vectors are then skipped visibly (never in CI). */
const MISSING = existsSync(join(DATA, 'expected-dihedral.csv')) ? null : `${DATA} not found`;
if (MISSING) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true but ${MISSING}: the PDQ conformance suite cannot be skipped`);
  console.warn(
    `[filet tests] ${MISSING}: the PDQ reference-vector conformance tests are SKIPPED on this machine (test/pdq-own-conformance.test.ts still checks PDQ bit for bit on generated pictures)`,
  );
}

interface Expected {
  path: string;
  pdq: string;
  variants: PdqDihedral;
  quality: number;
}

function readExpected(): Expected[] {
  const lines = readFileSync(join(DATA, 'expected-dihedral.csv'), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('path,pdq,rot90,rot180,rot270,flipx,flipy,flip_plus1,flip_minus1,quality');
  return lines.slice(1).map((l) => {
    const [path, pdq, rot90, rot180, rot270, flipx, flipy, flipPlus1, flipMinus1, q] = l.split(',');
    return {
      path,
      pdq,
      variants: { rot90, rot180, rot270, flipx, flipy, flipPlus1, flipMinus1 },
      quality: +q,
    };
  });
}

const VARIANT_NAMES: (keyof PdqDihedral)[] = [
  'rot90',
  'rot180',
  'rot270',
  'flipx',
  'flipy',
  'flipPlus1',
  'flipMinus1',
];

/**
 * Images whose decode is known to differ from ImageMagick's, with the reason. Empty: with embedded ICC
 * profiles ignored (ImageMagick does not apply them), all-grey RGB hashed as grey (ImageMagick writes it
 * as a grey PNM) and CMYK converted with ImageMagick's profile-less formula, every reference image
 * decodes to the same pixels through libvips and hashes to identical bits.
 */
const DECODE_EXCEPTIONS = new Map<string, string>();

describe.skipIf(!!MISSING)('PDQ conformance with the reference test vectors', () => {
  // A skipped describe still runs its body to collect tests: read nothing when the data is absent.
  const expected = MISSING ? [] : readExpected();
  const rows: { path: string; pdq: number; worstVariant: number; quality: string; fast: number }[] = [];

  beforeAll(async () => {
    for (const e of expected) {
      const r = await pdqFromImage(join(DATA, e.path), { dihedral: true });
      const f = await pdqFromImage(join(DATA, e.path), { mode: 'fast' });
      const dists = VARIANT_NAMES.map((n) => hammingHex(r.dihedral![n], e.variants[n]));
      rows.push({
        path: e.path,
        pdq: hammingHex(r.hash, e.pdq),
        worstVariant: Math.max(...dists),
        quality: `${r.quality}/${e.quality}`,
        fast: hammingHex(f.hash, r.hash),
      });
    }
    console.table(rows);
  });

  it('covers every image in the CSV', () => {
    expect(expected.length).toBe(49);
    expect(rows.length).toBe(expected.length);
  });

  it('no image is further than 10 bits from the reference, in any of the 8 hashes', () => {
    for (const r of rows) {
      expect(r.pdq, r.path).toBeLessThanOrEqual(10);
      expect(r.worstVariant, r.path).toBeLessThanOrEqual(10);
    }
  });

  it('gives identical bits and quality wherever the decode matches the reference', () => {
    const exact = rows.filter((r) => !DECODE_EXCEPTIONS.has(r.path));
    // At least every JPEG/PNG of bridge-mods and reg-test-input.
    expect(exact.filter((r) => /^(bridge-mods|reg-test-input)\/.*\.(jpg|png)$/.test(r.path)).length).toBe(32);
    for (const r of exact) {
      expect(r.pdq, r.path).toBe(0);
      expect(r.worstVariant, r.path).toBe(0);
      const [ours, theirs] = r.quality.split('/');
      expect(ours, r.path).toBe(theirs);
    }
  });

  it('fast mode stays close to exact', () => {
    // Shrink-on-load averages 2×2…8×8 blocks where the reference samples single pixels; after the
    // Jarosz blur this moves only bits whose coefficients sit near the median. Measured: mean ≈ 2.5,
    // max 16 (the 1-bit black/white image, where a single sampled pixel swings by 255). A bound of 20
    // keeps fast-mode hashes well inside the match threshold of 31.
    const d = rows.map((r) => r.fast);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    console.log(`fast vs exact over ${d.length} images: mean ${mean.toFixed(2)}, max ${Math.max(...d)}`);
    expect(Math.max(...d)).toBeLessThanOrEqual(20);
    expect(mean).toBeLessThanOrEqual(5);
  });
});

describe('PDQ units', () => {
  it('gives quality 0 and the all-zero hash below 5 pixels on a side', () => {
    const px = new Uint8Array(4 * 100 * 3).map((_, i) => (i * 37) & 255);
    const r = pdqFromPixels(px, 4, 100, 3, { dihedral: true });
    expect(r).toMatchObject({ hash: ZERO_HASH, quality: 0 });
    expect(r.dihedral!.rot90).toBe(ZERO_HASH);
    expect(pdqFromPixels(px, 100, 4, 3).quality).toBe(0);
    // 5×5 is hashable.
    expect(pdqFromPixels(px, 5, 5, 3).hash).not.toBe(ZERO_HASH);
  });

  it('lays out the hex as w[15]…w[0]: a big-endian 256-bit integer whose bit k is coefficient k', async () => {
    // Synthesise a 64×64 luma plane whose DCT is +1 on a chosen set of 128 coefficients and −1 on the
    // rest (the DCT rows are orthonormal, so B = D·A·Dᵀ recovers the signs); the hash must then be the
    // integer Σ 2^k over the chosen k, computed here independently with BigInt.
    const chosen = new Set<number>();
    let seed = 12345;
    while (chosen.size < 128) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      chosen.add(seed % 256);
    }
    const dct = (i: number, x: number) =>
      Math.sqrt(2 / 64) * Math.cos((Math.PI / 128) * (i + 1) * (2 * x + 1));
    const luma = new Float32Array(64 * 64);
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        let v = 0;
        for (let k = 0; k < 256; k++) v += (chosen.has(k) ? 1 : -1) * dct(k >> 4, y) * dct(k & 15, x);
        luma[y * 64 + x] = v;
      }
    }
    let expectedInt = 0n;
    for (const k of chosen) expectedInt |= 1n << BigInt(k);
    const r = pdqFromLuma(luma, 64, 64);
    expect(r.hash).toBe(expectedInt.toString(16).padStart(64, '0'));
    // The words view keeps the string's order: word 0 holds bits 255…224.
    const words = hexToWords(r.hash);
    expect(BigInt(words[0]) << 224n).toBe(expectedInt & (0xffffffffn << 224n));
    expect(BigInt(words[7])).toBe(expectedInt & 0xffffffffn);
  });

  it('hashes an image through sharp the same as its raw pixels', async () => {
    const w = 300;
    const px = new Uint8Array(w * 200 * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 7 + ((i / 900) | 0) * 3) & 255;
    const png = await sharp(Buffer.from(px), { raw: { width: w, height: 200, channels: 3 } })
      .png()
      .toBuffer();
    expect((await pdqFromImage(png)).hash).toBe(pdqFromPixels(px, w, 200, 3).hash);
  });

  it('computes Hamming distances', () => {
    const a = '0'.repeat(64);
    const b = 'f'.repeat(64);
    expect(hammingHex(a, b)).toBe(256);
    expect(hammingHex(a, a)).toBe(0);
    expect(hammingHex(a, '8' + '0'.repeat(62) + '1')).toBe(2);
    expect(hammingHex('0123456789abcdef'.repeat(4), '0123456789abcdef'.repeat(4))).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    const packed = new Uint32Array(16);
    hexToWords(a, packed, 0);
    hexToWords('0'.repeat(56) + '000000ff', packed, 8);
    expect(hammingWords(packed, 0, packed, 8)).toBe(8);
    expect(() => hexToWords('xyz')).toThrow(/64-hex-digit/);
  });
});
