/**
 * PDQ (Meta's 256-bit perceptual hash), bit-exact with the C++ reference in ThreatExchange (see
 * docs/pdq.md in the shared docs). Every operation the reference does in `float` is done here in
 * float32: values live in Float32Arrays (a store rounds to float32) and running sums go through
 * Math.fround after every single add, because float64 accumulation flips bits that sit near the median.
 */

export interface PdqDihedral {
  rot90: string;
  rot180: string;
  rot270: string;
  flipx: string;
  flipy: string;
  flipPlus1: string;
  flipMinus1: string;
}

export interface PdqResult {
  /** 64 lower-case hex digits, words w[15]…w[0]. */
  hash: string;
  /** 0..100; below 50 the hash is unreliable. */
  quality: number;
  dihedral?: PdqDihedral;
}

const f32 = Math.fround;
const MIN_HASHABLE_DIM = 5;
export const ZERO_HASH = '0'.repeat(64);

// The reference keeps the coefficients as `float` and multiplies float × int in float, so a lookup
// table of fround(c · v) gives the identical products without a multiply per pixel.
const LUT_R = new Float32Array(256);
const LUT_G = new Float32Array(256);
const LUT_B = new Float32Array(256);
for (let v = 0; v < 256; v++) {
  LUT_R[v] = f32(v) * f32(0.299);
  LUT_G[v] = f32(v) * f32(0.587);
  LUT_B[v] = f32(v) * f32(0.114);
}

/**
 * 16×64 DCT-II rows 1..16 (DC skipped). The reference multiplies a float scale by a double cosine and
 * stores the product as float; the argument is built in the same order of double operations.
 */
const DCT = (() => {
  const d = new Float32Array(16 * 64);
  const scale = f32(Math.sqrt(2.0 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      d[i * 64 + j] = scale * Math.cos((Math.PI / 2.0 / 64) * (i + 1) * (2 * j + 1));
    }
  }
  return d;
})();

/** Luminance of interleaved 8-bit pixels; channels 2 and 4 carry alpha, which PDQ ignores. */
export function lumaFromPixels(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
): Float32Array {
  const n = width * height;
  if (data.length < n * channels) throw new Error(`pixel buffer too short: ${data.length} < ${n * channels}`);
  const luma = new Float32Array(n);
  if (channels === 1 || channels === 2) {
    for (let p = 0, q = 0; p < n; p++, q += channels) luma[p] = data[q];
  } else if (channels === 3 || channels === 4) {
    for (let p = 0, q = 0; p < n; p++, q += channels) {
      luma[p] = f32(LUT_R[data[q]] + LUT_G[data[q + 1]]) + LUT_B[data[q + 2]];
    }
  } else {
    throw new Error(`unsupported channel count ${channels}`);
  }
  return luma;
}

/** Jarosz window: floor((dim + 127) / 128) for a 64-wide output. */
function windowSize(dim: number): number {
  return Math.floor((dim + 2 * 64 - 1) / (2 * 64));
}

/**
 * One box pass along each row (the reference's box1DFloat with stride 1): a running float32 sum over a
 * window centred with half-width floor((w+2)/2), truncated at the edges and divided by the samples in it.
 */
function boxRows(src: Float32Array, dst: Float32Array, rows: number, cols: number, w: number): void {
  const half = (w + 2) >> 1;
  const p1 = half - 1;
  const p2 = w - half + 1;
  const p3 = cols - w;
  const p4 = half - 1;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let ri = base;
    let li = base;
    let oi = base;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < p1; i++) {
      sum = f32(sum + src[ri++]);
      n++;
    }
    for (let i = 0; i < p2; i++) {
      sum = f32(sum + src[ri++]);
      n++;
      dst[oi++] = sum / n;
    }
    for (let i = 0; i < p3; i++) {
      sum = f32(sum + src[ri++]);
      sum = f32(sum - src[li++]);
      dst[oi++] = sum / n;
    }
    for (let i = 0; i < p4; i++) {
      sum = f32(sum - src[li++]);
      n--;
      dst[oi++] = sum / n;
    }
  }
}

/**
 * The same box along columns, run for all columns at once, row by row: each column keeps its own float32
 * sum in `sums` (a Float32Array store rounds like the reference's float), so the per-column order of
 * operations is the reference's while memory is walked sequentially instead of with a stride.
 */
function boxCols(
  src: Float32Array,
  dst: Float32Array,
  rows: number,
  cols: number,
  w: number,
  sums: Float32Array,
): void {
  const half = (w + 2) >> 1;
  const p1 = half - 1;
  const p2 = w - half + 1;
  const p3 = rows - w;
  sums.fill(0, 0, cols);
  let ri = 0;
  let li = 0;
  let oi = 0;
  let n = 0;
  for (let i = 0; i < p1; i++, n++, ri += cols) for (let c = 0; c < cols; c++) sums[c] += src[ri + c];
  for (let i = 0; i < p2; i++, ri += cols, oi += cols) {
    n++;
    for (let c = 0; c < cols; c++) {
      sums[c] += src[ri + c];
      dst[oi + c] = sums[c] / n;
    }
  }
  for (let i = 0; i < p3; i++, ri += cols, li += cols, oi += cols) {
    for (let c = 0; c < cols; c++) {
      sums[c] += src[ri + c];
      sums[c] -= src[li + c];
      dst[oi + c] = sums[c] / n;
    }
  }
  for (let i = 0; i < p1; i++, li += cols, oi += cols) {
    n--;
    for (let c = 0; c < cols; c++) {
      sums[c] -= src[li + c];
      dst[oi + c] = sums[c] / n;
    }
  }
}

/**
 * The last column pass, computed only where decimation samples it: the 64 chosen columns (gathered
 * into `sums`), written only on the 64 chosen rows, straight into the 64×64 output.
 */
function boxColsSampled(
  src: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  w: number,
  sums: Float32Array,
  colIdx: Int32Array,
  rowSlot: Int32Array,
): void {
  const half = (w + 2) >> 1;
  const p1 = half - 1;
  const p2 = w - half + 1;
  const p3 = rows - w;
  sums.fill(0, 0, 64);
  let r = 0;
  let l = 0;
  let o = 0;
  let n = 0;
  const add = (row: number) => {
    const b = row * cols;
    for (let c = 0; c < 64; c++) sums[c] += src[b + colIdx[c]];
  };
  const sub = (row: number) => {
    const b = row * cols;
    for (let c = 0; c < 64; c++) sums[c] -= src[b + colIdx[c]];
  };
  const write = (row: number) => {
    // A row may be sampled more than once when the image is shorter than 64 rows: rowSlot holds the
    // first slot and the caller copies repeats.
    const slot = rowSlot[row];
    if (slot < 0) return;
    for (let c = 0; c < 64; c++) out[slot * 64 + c] = sums[c] / n;
  };
  for (let i = 0; i < p1; i++, n++) add(r++);
  for (let i = 0; i < p2; i++) {
    add(r++);
    n++;
    write(o++);
  }
  for (let i = 0; i < p3; i++) {
    add(r++);
    sub(l++);
    write(o++);
  }
  for (let i = 0; i < p1; i++) {
    sub(l++);
    n--;
    write(o++);
  }
}

function decimationIndices(dim: number): Int32Array {
  const idx = new Int32Array(64);
  for (let i = 0; i < 64; i++) idx[i] = Math.floor(((i + 0.5) * dim) / 64);
  return idx;
}

// Scratch buffers reused across calls (each worker thread hashes one image at a time): a 512×512
// image would otherwise allocate and zero 1 MiB per pass.
let scratch = new Float32Array(0);
const sums = new Float32Array(4096);

function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch;
}

/** Blur (two Jarosz passes) and decimate to 64×64. `buf1` is consumed. */
function downsample64(buf1: Float32Array, rows: number, cols: number): Float32Array {
  const buf2 = scratchOf(rows * cols);
  const wr = windowSize(cols);
  const wc = windowSize(rows);
  const rowIdx = decimationIndices(rows);
  const colIdx = decimationIndices(cols);
  const colSums = cols <= sums.length ? sums : new Float32Array(cols);
  const rowSlot = new Int32Array(rows).fill(-1);
  for (let i = 63; i >= 0; i--) rowSlot[rowIdx[i]] = i;
  boxRows(buf1, buf2, rows, cols, wr);
  boxCols(buf2, buf1, rows, cols, wc, colSums);
  boxRows(buf1, buf2, rows, cols, wr);
  // Only 64 columns and 64 rows of the last pass are ever sampled: the rest is not computed.
  const out = new Float32Array(64 * 64);
  boxColsSampled(buf2, out, rows, cols, wc, colSums, colIdx, rowSlot);
  for (let i = 1; i < 64; i++) {
    const first = rowSlot[rowIdx[i]];
    if (first !== i) out.copyWithin(i * 64, first * 64, first * 64 + 64);
  }
  return out;
}

function quality64(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      sum += Math.abs(Math.trunc(f32(f32(f32(a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100) / 255)));
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      sum += Math.abs(Math.trunc(f32(f32(f32(a[i * 64 + j] - a[i * 64 + j + 1]) * 100) / 255)));
    }
  }
  return Math.min(100, Math.floor(sum / 90));
}

/** B = D · A · Dᵀ with float32 accumulation in the reference's index order. */
function dct64To16(a: Float32Array): Float32Array {
  const t = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    const di = i * 64;
    for (let j = 0; j < 64; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s = f32(s + f32(DCT[di + k] * a[k * 64 + j]));
      t[i * 64 + j] = s;
    }
  }
  const b = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    const ti = i * 64;
    for (let j = 0; j < 16; j++) {
      const dj = j * 64;
      let s = 0;
      for (let k = 0; k < 64; k++) s = f32(s + f32(t[ti + k] * DCT[dj + k]));
      b[i * 16 + j] = s;
    }
  }
  return b;
}

const HEX = '0123456789abcdef';

/** Threshold at the lower median (the 128th smallest, as the reference's Torben median) and format. */
function bitsToHex(b: Float32Array): string {
  const sorted = Float32Array.from(b).sort();
  const median = sorted[127];
  let out = '';
  for (let i = 15; i >= 0; i--) {
    let w = 0;
    for (let j = 0; j < 16; j++) if (b[i * 16 + j] > median) w |= 1 << j;
    out += HEX[(w >> 12) & 15] + HEX[(w >> 8) & 15] + HEX[(w >> 4) & 15] + HEX[w & 15];
  }
  return out;
}

type Variant = (i: number, j: number) => { ti: boolean; neg: boolean };

// Sign patterns of a rotated/flipped image's DCT (the reference's dct16OriginalTo* functions):
// `ti` means the coefficient moves to the transposed slot.
const VARIANTS: Record<keyof PdqDihedral, Variant> = {
  rot90: (_i, j) => ({ ti: true, neg: (j & 1) === 0 }),
  rot180: (i, j) => ({ ti: false, neg: ((i + j) & 1) === 1 }),
  rot270: (i) => ({ ti: true, neg: (i & 1) === 0 }),
  flipx: (i) => ({ ti: false, neg: (i & 1) === 0 }),
  flipy: (_i, j) => ({ ti: false, neg: (j & 1) === 0 }),
  flipPlus1: () => ({ ti: true, neg: false }),
  flipMinus1: (i, j) => ({ ti: true, neg: ((i + j) & 1) === 1 }),
};

function dihedralOf(b: Float32Array): PdqDihedral {
  const aux = new Float32Array(256);
  const out = {} as PdqDihedral;
  for (const name of Object.keys(VARIANTS) as (keyof PdqDihedral)[]) {
    const v = VARIANTS[name];
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        const { ti, neg } = v(i, j);
        aux[ti ? j * 16 + i : i * 16 + j] = neg ? -b[i * 16 + j] : b[i * 16 + j];
      }
    }
    out[name] = bitsToHex(aux);
  }
  return out;
}

/** PDQ of a luminance plane (row-major, float32). The plane is overwritten. */
export function pdqFromLuma(
  luma: Float32Array,
  width: number,
  height: number,
  opts: { dihedral?: boolean } = {},
): PdqResult {
  if (width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM) {
    const r: PdqResult = { hash: ZERO_HASH, quality: 0 };
    if (opts.dihedral) {
      r.dihedral = {
        rot90: ZERO_HASH,
        rot180: ZERO_HASH,
        rot270: ZERO_HASH,
        flipx: ZERO_HASH,
        flipy: ZERO_HASH,
        flipPlus1: ZERO_HASH,
        flipMinus1: ZERO_HASH,
      };
    }
    return r;
  }
  const a = width === 64 && height === 64 ? luma : downsample64(luma, height, width);
  const quality = quality64(a);
  const b = dct64To16(a);
  const r: PdqResult = { hash: bitsToHex(b), quality };
  if (opts.dihedral) r.dihedral = dihedralOf(b);
  return r;
}

/**
 * PDQ of interleaved 8-bit pixels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). The caller is responsible for
 * the reference's 512×512 pre-resize (see decode.ts); this function hashes the pixels it is given.
 */
export function pdqFromPixels(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  opts: { dihedral?: boolean } = {},
): PdqResult {
  return pdqFromLuma(lumaFromPixels(data, width, height, channels), width, height, opts);
}

// The bit helpers live in pdq-bits.ts (shared with matching); re-exported under their hashing names.
export {
  pdqHexToWords as hexToWords,
  isPdqHex,
  popcount32,
  hamming256 as hammingWords,
  hammingHex,
} from './pdq-bits.js';
