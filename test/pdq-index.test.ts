import { describe, expect, it } from 'vitest';
import { PdqIndex, bruteForce } from '../src/matching/pdq-index.js';
import { hamming256, pdqHexToWords, pdqWordsToHex } from '../src/matching/pdq-bits.js';
import { clusteredHashes, nearQueries, randomHashes } from '../bench/pdq-data.js';

function expectSameAsBrute(hashes: Uint32Array, queries: Uint32Array, radius: number): number {
  const index = PdqIndex.build(hashes);
  let hits = 0;
  for (let i = 0; i < queries.length / 8; i++) {
    const got = index.query(queries, i * 8, radius);
    const want = bruteForce(hashes, queries, i * 8, radius);
    expect(Array.from(got.ids)).toEqual(Array.from(want.ids));
    expect(Array.from(got.distances)).toEqual(Array.from(want.distances));
    hits += want.ids.length;
  }
  return hits;
}

describe('PdqIndex', () => {
  const random = randomHashes(20_000, 11);
  const clustered = clusteredHashes(20_000, 2_000, 40, 12);
  const queries = (h: Uint32Array, seed: number) => {
    const q = new Uint32Array(60 * 8);
    q.set(nearQueries(h, 40, 40, seed));
    q.set(randomHashes(20, seed + 1), 40 * 8);
    return q;
  };

  for (const radius of [0, 8, 31, 32, 63]) {
    it(`equals brute force on random data at radius ${radius}`, () => {
      const q = queries(random, 100 + radius);
      // Exact copies of stored hashes guarantee hits even at radius 0.
      q.set(random.subarray(8 * 77, 8 * 78), 0);
      expect(expectSameAsBrute(random, q, radius)).toBeGreaterThan(0);
    });
    it(`equals brute force on clustered data at radius ${radius}`, () => {
      const q = queries(clustered, 200 + radius);
      q.set(clustered.subarray(8 * 5, 8 * 6), 0);
      const hits = expectSameAsBrute(clustered, q, radius);
      expect(hits).toBeGreaterThan(radius >= 31 ? 40 : 0);
    });
  }

  it('handles large radii, an empty index and duplicates', () => {
    const small = randomHashes(300, 3);
    small.set(small.subarray(0, 8), 8 * 299); // an exact duplicate
    for (const r of [100, 128, 255, 256]) expectSameAsBrute(small, queries(small, r), r);
    expect(PdqIndex.build(small).query(small, 0, 0).ids).toEqual(Uint32Array.from([0, 299]));
    expect(PdqIndex.build(small).query(small, 0, 256).ids.length).toBe(300);
    expect(PdqIndex.build(new Uint32Array(0)).query(small, 0, 31).ids.length).toBe(0);
    expect(() => PdqIndex.build(small).query(small, 0, -1)).toThrow(/radius/);
  });

  it('round-trips through serialize/deserialize', () => {
    const index = PdqIndex.build(clustered);
    const copy = PdqIndex.deserialize(index.serialize());
    expect(copy.size).toBe(20_000);
    const q = queries(clustered, 7);
    for (let i = 0; i < 60; i++) expect(copy.query(q, i * 8, 31)).toEqual(index.query(q, i * 8, 31));
  });

  it('rejects a corrupted, truncated or foreign buffer with a clear error', () => {
    const buf = PdqIndex.build(random).serialize();
    const flipped = Buffer.from(buf);
    flipped[buf.length - 1000] ^= 1;
    expect(() => PdqIndex.deserialize(flipped)).toThrow(/checksum mismatch/);
    expect(() => PdqIndex.deserialize(buf.subarray(0, buf.length - 4))).toThrow(/truncated/);
    expect(() => PdqIndex.deserialize(Buffer.from('{"not":"an index"}'))).toThrow(/bad magic/);
    const newer = Buffer.from(buf);
    newer.writeUInt32LE(99, 8);
    expect(() => PdqIndex.deserialize(newer)).toThrow(/version 99/);
  });
});

describe('pdq bit helpers', () => {
  it('round-trips hex and measures distance', () => {
    const hex = 'f'.repeat(8) + '0'.repeat(48) + '0123abcd';
    const w = pdqHexToWords(hex);
    expect(pdqWordsToHex(w)).toBe(hex);
    expect(hamming256(w, 0, new Uint32Array(8), 0)).toBe(32 + 14);
    expect(() => pdqHexToWords('abc')).toThrow(/64-hex/);
  });
});
