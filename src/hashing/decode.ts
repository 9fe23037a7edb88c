/**
 * Image decoding for PDQ with sharp (libvips), shaped to feed the hasher the pixels the reference
 * `pdq-photo-hasher` sees: it decodes through ImageMagick into PNM (so alpha is dropped, an image whose
 * pixels are all grey arrives as one grey channel, other colour models arrive as sRGB) and, when a side
 * exceeds 512, resizes to exactly 512×512 by nearest neighbour before hashing.
 *
 * EXIF orientation is deliberately NOT applied: the reference does not apply it, and the hash lists
 * filet matches against were built with it, so a rotated-by-EXIF photo must hash as stored to match.
 * (The dihedral variants cover the rotated views.)
 */
import sharp from 'sharp';
import { pdqFromPixels, type PdqResult } from './pdq.js';

export const PDQ_DOWNSAMPLE = 512;

export type DecodeMode = 'exact' | 'fast';

export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** Size as stored in the file. */
  sourceWidth: number;
  sourceHeight: number;
  format: string;
}

/** Formats the reference's ImageMagick decodes and filet hashes (first frame of animations). */
export const PDQ_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff']);

/**
 * Nearest-neighbour resize to n×n with the reference's (CImg's) sampling: source index floor(x·W/n).
 * Used both for down- and up-sampling one axis (e.g. 640×480 → 512×512).
 */
export function resizeNearest(
  src: Uint8Array,
  w: number,
  h: number,
  ch: number,
  n = PDQ_DOWNSAMPLE,
): Uint8Array {
  const out = new Uint8Array(n * n * ch);
  const xs = new Int32Array(n);
  for (let x = 0; x < n; x++) xs[x] = Math.floor((x * w) / n) * ch;
  let o = 0;
  for (let y = 0; y < n; y++) {
    const row = Math.floor((y * h) / n) * w * ch;
    if (ch === 1) {
      for (let x = 0; x < n; x++) out[o++] = src[row + xs[x]];
    } else {
      for (let x = 0; x < n; x++) {
        const p = row + xs[x];
        for (let c = 0; c < ch; c++) out[o++] = src[p + c];
      }
    }
  }
  return out;
}

/** ImageMagick writes an image whose every pixel has R = G = B as a grey PNM; the reference then hashes v, not 0.299v+…. */
function isAllGrey(data: Uint8Array, n: number): boolean {
  for (let p = 0, q = 0; p < n; p++, q += 3) {
    const r = data[q];
    if (r !== data[q + 1] || r !== data[q + 2]) return false;
  }
  return true;
}

function toGrey(data: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let p = 0, q = 0; p < n; p++, q += 3) out[p] = data[q];
  return out;
}

/**
 * ImageMagick's CMYK → sRGB without a profile: R = (1 − C)(1 − K), rounded to 8 bits. libvips would use
 * an ICC profile instead, which moves the hash by about 10 bits on the reference's CMYK test image.
 */
function cmykToRgbLikeImageMagick(src: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  for (let p = 0, q = 0, o = 0; p < n; p++, q += 4) {
    const k = 255 - src[q + 3];
    out[o++] = Math.round(((255 - src[q]) * k) / 255);
    out[o++] = Math.round(((255 - src[q + 1]) * k) / 255);
    out[o++] = Math.round(((255 - src[q + 2]) * k) / 255);
  }
  return out;
}

// Worker threads each run one image at a time: libvips' own thread pool would only contend with them,
// and its operation cache holds decoded images nobody asks for again.
export function configureSharpForWorker(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}

/**
 * Decodes an image for PDQ. `exact` decodes at full size (what the reference sees); `fast` lets libvips
 * shrink JPEGs while decoding (DCT scaling) and resize to 512×512 itself, which is several times faster
 * on large photos and moves the hash by a few bits (see test/pdq-conformance.test.ts for the bound).
 */
export async function decodeForPdq(
  input: Buffer | string,
  mode: DecodeMode = 'exact',
): Promise<DecodedImage> {
  // ignoreIcc: ImageMagick's PNM output carries the stored values, without any colour management.
  const img = sharp(input, {
    pages: 1,
    autoOrient: false,
    failOn: 'none',
    ignoreIcc: true,
    limitInputPixels: 0x3fff ** 2,
  });
  const meta = await img.metadata();
  const format = meta.format ?? 'unknown';
  if (!PDQ_FORMATS.has(format)) throw new Error(`not a supported image format (${format})`);
  const sw = meta.width ?? 0;
  // For a multi-page image metadata.height is one page's height when pages: 1.
  const sh = meta.pageHeight ?? meta.height ?? 0;
  const big = sw > PDQ_DOWNSAMPLE || sh > PDQ_DOWNSAMPLE;
  const cmyk = meta.space === 'cmyk';

  // Alpha is dropped without compositing (ImageMagick's PNM writer ignores it); Lab and other models
  // come out as sRGB; CMYK is kept as CMYK here and converted below the way ImageMagick does it;
  // 16-bit input is reduced to 8 bits.
  let pipeline = img.removeAlpha();
  const grey = meta.channels !== undefined && meta.channels <= 2 && meta.space === 'b-w';
  // A CMYK pipeline keeps the stored inks; toColourspace('cmyk') alone would round-trip through sRGB
  // with a profile and invent a black channel.
  if (cmyk) pipeline = pipeline.pipelineColourspace('cmyk');
  pipeline = pipeline.toColourspace(grey ? 'b-w' : cmyk ? 'cmyk' : 'srgb');
  if (mode === 'fast' && big) {
    pipeline = pipeline.resize(PDQ_DOWNSAMPLE, PDQ_DOWNSAMPLE, {
      fit: 'fill',
      kernel: 'nearest',
      fastShrinkOnLoad: true,
    });
  }
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  let px: Uint8Array = data;
  if (cmyk) {
    if (info.channels !== 4) throw new Error(`CMYK image decoded to ${info.channels} channels`);
    px = cmykToRgbLikeImageMagick(data, info.width * info.height);
    info.channels = 3;
  }
  let ch = info.channels;
  let w = info.width;
  let h = info.height;
  if (ch !== 1 && ch !== 3) throw new Error(`unexpected channel count ${ch} after decoding`);
  if (ch === 3 && isAllGrey(px, w * h)) {
    px = toGrey(px, w * h);
    ch = 1;
  }
  if (w > PDQ_DOWNSAMPLE || h > PDQ_DOWNSAMPLE) {
    px = resizeNearest(px, w, h, ch);
    w = h = PDQ_DOWNSAMPLE;
  }
  return { data: px, width: w, height: h, channels: ch as 1 | 3, sourceWidth: sw, sourceHeight: sh, format };
}

export interface ImagePdq extends PdqResult {
  width: number;
  height: number;
  format: string;
}

/** Decode and hash in one call. */
export async function pdqFromImage(
  input: Buffer | string,
  opts: { mode?: DecodeMode; dihedral?: boolean } = {},
): Promise<ImagePdq> {
  const d = await decodeForPdq(input, opts.mode ?? 'exact');
  const r = pdqFromPixels(d.data, d.width, d.height, d.channels, { dihedral: opts.dihedral });
  return { ...r, width: d.sourceWidth, height: d.sourceHeight, format: d.format };
}
