import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pdqFromImage } from '../src/hashing/decode.js';
import { OWN_IMAGES, ownImagePng } from './helpers/pdq-own-images.js';

/**
 * PDQ bit for bit against the C++ reference on pictures made by code, so that a clone without the shared
 * reference images still checks conformance. The expected hashes were printed by the reference hasher
 * (see the fixture's header) — an independent implementation, never this code.
 */
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pdq-own-expected.csv');

const expected = new Map(
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('path,'))
    .map((l) => {
      const [path, pdq, rot90, rot180, rot270, flipx, flipy, flipPlus1, flipMinus1, quality] = l.split(',');
      return [
        path!,
        { pdq, variants: { rot90, rot180, rot270, flipx, flipy, flipPlus1, flipMinus1 }, quality: +quality! },
      ];
    }),
);

describe('PDQ conformance on generated pictures (reference hashes in the repository)', () => {
  it('covers every generated picture', () => {
    expect([...expected.keys()].sort()).toEqual(OWN_IMAGES.map((i) => i.name).sort());
  });

  for (const img of OWN_IMAGES) {
    it(`${img.name}: the hash, its 7 dihedral variants and the quality equal the reference`, async () => {
      const want = expected.get(img.name)!;
      const got = await pdqFromImage(await ownImagePng(img), { dihedral: true });
      expect(got.hash).toBe(want.pdq);
      expect(got.dihedral).toEqual(want.variants);
      expect(got.quality).toBe(want.quality);
    });
  }
});
