/**
 * PDQ bit helpers shared by hashing, matching and analysis. A 256-bit PDQ hash is 8 uint32 words; word i holds hex characters 8i..8i+7 (big-endian), so the hex
 * string round-trips exactly and the Hamming distance does not depend on the word order chosen.
 */

export const PDQ_WORDS = 8;
const HEX64 = /^[0-9a-fA-F]{64}$/;

export function isPdqHex(hex: string): boolean {
  return HEX64.test(hex);
}

/** Parses 64 hex characters into `out[offset..offset+8)`; throws on anything else. */
export function pdqHexToWords(hex: string, out: Uint32Array = new Uint32Array(8), offset = 0): Uint32Array {
  if (!HEX64.test(hex)) throw new Error(`not a 64-hex-digit PDQ hash: ${JSON.stringify(hex.slice(0, 80))}`);
  for (let i = 0; i < 8; i++) out[offset + i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0;
  return out;
}

export function pdqWordsToHex(words: Uint32Array, offset = 0): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += (words[offset + i] >>> 0).toString(16).padStart(8, '0');
  return s;
}

/** SWAR popcount of a 32-bit value: no table lookups, so it stays in registers in the hot loop. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance between the hashes at `a[ao..ao+8)` and `b[bo..bo+8)`. */
export function hamming256(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
  return (
    popcount32(a[ao] ^ b[bo]) +
    popcount32(a[ao + 1] ^ b[bo + 1]) +
    popcount32(a[ao + 2] ^ b[bo + 2]) +
    popcount32(a[ao + 3] ^ b[bo + 3]) +
    popcount32(a[ao + 4] ^ b[bo + 4]) +
    popcount32(a[ao + 5] ^ b[bo + 5]) +
    popcount32(a[ao + 6] ^ b[bo + 6]) +
    popcount32(a[ao + 7] ^ b[bo + 7])
  );
}

export function hammingHex(a: string, b: string): number {
  return hamming256(pdqHexToWords(a), 0, pdqHexToWords(b), 0);
}
