/** Deterministic synthetic PDQ hash sets (random bits only) for the index tests and benchmark. */

/** mulberry32: small, fast, seeded; good enough to spread bits for index tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export function randomHashes(n: number, seed: number): Uint32Array {
  const r = rng(seed);
  const out = new Uint32Array(n * 8);
  for (let i = 0; i < out.length; i++) out[i] = r();
  return out;
}

/** Flips `k` distinct random bits of the hash at `out[o..o+8)`. */
export function flipBits(out: Uint32Array, o: number, k: number, r: () => number): void {
  const done = new Set<number>();
  while (done.size < k) {
    const bit = r() & 255;
    if (done.has(bit)) continue;
    done.add(bit);
    out[o + (bit >>> 5)] ^= 1 << (bit & 31);
  }
}

/** `centres` random hashes, each hash in the set a copy of one with 0..maxFlip distinct bits flipped. */
export function clusteredHashes(n: number, centres: number, maxFlip: number, seed: number): Uint32Array {
  const r = rng(seed);
  const c = randomHashes(centres, seed ^ 0x9e3779b9);
  const out = new Uint32Array(n * 8);
  for (let i = 0; i < n; i++) {
    const k = r() % centres;
    out.set(c.subarray(k * 8, k * 8 + 8), i * 8);
    flipBits(out, i * 8, r() % (maxFlip + 1), r);
  }
  return out;
}

/** `count` queries: copies of random members of `hashes` with 0..maxFlip bits flipped. */
export function nearQueries(hashes: Uint32Array, count: number, maxFlip: number, seed: number): Uint32Array {
  const r = rng(seed);
  const n = hashes.length / 8;
  const out = new Uint32Array(count * 8);
  for (let i = 0; i < count; i++) {
    const k = r() % n;
    out.set(hashes.subarray(k * 8, k * 8 + 8), i * 8);
    flipBits(out, i * 8, r() % (maxFlip + 1), r);
  }
  return out;
}
