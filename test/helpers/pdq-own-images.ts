import sharp from 'sharp';

/**
 * A small PDQ conformance set made by code (shapes, gradients, noise; nothing else), so a clone without
 * the shared reference images still checks PDQ bit for bit. Each picture is defined by its pixels alone
 * and written losslessly (PNG), so the pixels the reference hasher decoded when the expected hashes in
 * test/fixtures/pdq-own-expected.csv were made are the pixels the test decodes now, whatever PNG encoder
 * version writes them. Covered on purpose: the > 512 px nearest-neighbour resize, exactly 512, grey
 * stored as one channel and as RGB, a side under 5 px (all-zero hash), a 5 px side, a flat image
 * (quality 0), low quality, and the dihedral variants. (Alpha is covered by the shared reference set.)
 */
export interface OwnImage {
  name: string;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  pixel: (x: number, y: number, c: number) => number;
}

/** A deterministic 32-bit LCG keyed by position: the same value for the same (seed, x, y, c). */
function noise(seed: number, x: number, y: number, c: number): number {
  let h = (seed * 0x9e3779b1 + x * 0x85ebca6b + y * 0xc2b2ae35 + c * 0x27d4eb2f) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  return (h ^ (h >>> 15)) & 0xff;
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

export const OWN_IMAGES: OwnImage[] = [
  {
    name: 'gradient-320x240.png',
    width: 320,
    height: 240,
    channels: 3,
    pixel: (x, y, c) => clamp(c === 0 ? (x * 255) / 319 : c === 1 ? (y * 255) / 239 : ((x + y) * 255) / 558),
  },
  {
    name: 'circles-400x300.png',
    width: 400,
    height: 300,
    channels: 3,
    pixel: (x, y, c) => {
      const r = Math.hypot(x - 170, y - 140);
      return ((Math.floor(r / 18) + c) % 3) * 110;
    },
  },
  {
    name: 'checker-256.png',
    width: 256,
    height: 256,
    channels: 3,
    pixel: (x, y, c) => ((((x >> 5) + (y >> 4)) & 1) === 0 ? 30 + c * 20 : 220 - c * 30),
  },
  {
    name: 'noise-640x480.png',
    width: 640,
    height: 480,
    channels: 3,
    pixel: (x, y, c) => noise(7, x, y, c),
  },
  {
    name: 'blocks-noise-1000x700.png',
    width: 1000,
    height: 700,
    channels: 3,
    pixel: (x, y, c) => {
      const inA = x > 120 && x < 480 && y > 90 && y < 400;
      const inB = Math.hypot(x - 720, y - 450) < 170;
      const base = inA ? [200, 40, 40][c]! : inB ? [30, 60, 210][c]! : 120;
      return clamp(base + (noise(3, x, y, c) - 128) / 4);
    },
  },
  {
    name: 'grey-stripes-300x200.png',
    width: 300,
    height: 200,
    channels: 1,
    // Noise on the stripes: a pure stripe pattern puts DCT coefficients in exact ties at the median.
    pixel: (x, y) => clamp(((x + 2 * y) % 50) * 5 + (noise(5, x, y, 0) - 128) / 8),
  },
  {
    name: 'grey-as-rgb-260x260.png',
    width: 260,
    height: 260,
    channels: 3,
    pixel: (x, y) => clamp(128 + 100 * Math.sin(x / 17) * Math.cos(y / 23)),
  },
  {
    name: 'exact-512.png',
    width: 512,
    height: 512,
    channels: 3,
    pixel: (x, y, c) => clamp(((x ^ y) & 0xff) * (c + 1) * 0.33 + noise(11, x >> 3, y >> 3, c) / 4),
  },
  {
    name: 'wide-800x100.png',
    width: 800,
    height: 100,
    channels: 3,
    pixel: (x, y, c) => (Math.floor(x / 40) % 2 ? 240 : 20) - c * 5 + (y > 50 ? 10 : 0),
  },
  {
    name: 'thin-5x300.png',
    width: 5,
    height: 300,
    channels: 3,
    pixel: (x, y, c) => clamp((y * 255) / 299 - x * 10 + c),
  },
  {
    name: 'tiny-4x4.png',
    width: 4,
    height: 4,
    channels: 3,
    pixel: (x, y, c) => (x * 60 + y * 30 + c * 10) & 0xff,
  },
  {
    name: 'flat-200x200.png',
    width: 200,
    height: 200,
    channels: 3,
    pixel: () => 128,
  },
];

export function ownImagePixels(img: OwnImage): Buffer {
  const out = Buffer.alloc(img.width * img.height * img.channels);
  let i = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) for (let c = 0; c < img.channels; c++) out[i++] = img.pixel(x, y, c);
  return out;
}

export function ownImagePng(img: OwnImage): Promise<Buffer> {
  return sharp(ownImagePixels(img), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
