import sharp from 'sharp';
import { Rng } from './random.js';

/**
 * Benign generated pictures: gradients, geometric shapes, stripes and smoothed noise. Nothing
 * figurative is ever drawn. An image is fully described by its `ImageSpec`, so the generator can keep
 * specs instead of bytes and re-render identically.
 */
export type ImageStyle = 'shapes' | 'stripes' | 'gradient' | 'noise';

export interface ImageSpec {
  seed: number;
  width: number;
  height: number;
  style: ImageStyle;
}

/** How WhatsApp (or the person re-sending) altered a copy before it was sent again. */
export type TransformKind = 'reencode' | 'crop' | 'border' | 'flip';
export interface TransformSpec {
  kind: TransformKind;
  seed: number;
}

const SIZES: Array<[number, number]> = [
  [640, 480],
  [800, 600],
  [1024, 768],
  [1280, 960],
  [1600, 1200],
  [2000, 1500],
  [480, 640],
  [1200, 1600],
  [1080, 1080],
];

/** Picks a spec; `maxSide` keeps large-scale runs cheap. */
export function randomSpec(rng: Rng, maxSide = 2000): ImageSpec {
  const fits = SIZES.filter(([w, h]) => Math.max(w, h) <= maxSide);
  const [width, height] = rng.pick(fits.length ? fits : SIZES.slice(0, 1));
  const style = rng.weighted<ImageStyle>(['shapes', 'stripes', 'gradient', 'noise'], [4, 2, 2, 1]);
  return { seed: rng.u32(), width, height, style };
}

function color(rng: Rng): string {
  return `hsl(${rng.int(0, 359)},${rng.int(35, 90)}%,${rng.int(25, 75)}%)`;
}

function svgFor(spec: ImageSpec, rng: Rng): string {
  const { width: w, height: h } = spec;
  const parts: string[] = [];
  const angle = rng.int(0, 359);
  parts.push(
    `<defs><linearGradient id="g" gradientTransform="rotate(${angle} .5 .5)">` +
      `<stop offset="0" stop-color="${color(rng)}"/><stop offset="1" stop-color="${color(rng)}"/>` +
      `</linearGradient></defs><rect width="${w}" height="${h}" fill="url(#g)"/>`,
  );
  if (spec.style === 'stripes') {
    const n = rng.int(6, 24);
    const band = Math.ceil((Math.max(w, h) * 2) / n);
    const stripes: string[] = [];
    for (let i = 0; i < n; i += 2) {
      stripes.push(
        `<rect x="${i * band - w}" y="${-h}" width="${band}" height="${h * 3}" fill="${color(rng)}"/>`,
      );
    }
    parts.push(
      `<g opacity="0.8" transform="rotate(${rng.int(0, 179)} ${w / 2} ${h / 2})">${stripes.join('')}</g>`,
    );
  }
  if (spec.style === 'shapes' || spec.style === 'stripes') {
    const n = spec.style === 'shapes' ? rng.int(6, 30) : rng.int(1, 5);
    for (let i = 0; i < n; i++) {
      const x = rng.int(0, w);
      const y = rng.int(0, h);
      const s = rng.int(Math.round(Math.min(w, h) / 20), Math.round(Math.min(w, h) / 3));
      const fill = color(rng);
      const op = (0.4 + rng.float() * 0.6).toFixed(2);
      const kind = rng.int(0, 2);
      if (kind === 0) parts.push(`<circle cx="${x}" cy="${y}" r="${s}" fill="${fill}" opacity="${op}"/>`);
      else if (kind === 1)
        parts.push(
          `<rect x="${x - s}" y="${y - s / 2}" width="${2 * s}" height="${s}" fill="${fill}" opacity="${op}" ` +
            `transform="rotate(${rng.int(0, 89)} ${x} ${y})"/>`,
        );
      else {
        const pts = [0, 1, 2].map(() => `${x + rng.int(-s, s)},${y + rng.int(-s, s)}`).join(' ');
        parts.push(`<polygon points="${pts}" fill="${fill}" opacity="${op}"/>`);
      }
    }
  }
  if (spec.style === 'gradient') {
    const cx = rng.int(0, 100);
    const cy = rng.int(0, 100);
    parts.push(
      `<defs><radialGradient id="r" cx="${cx}%" cy="${cy}%" r="${rng.int(30, 80)}%">` +
        `<stop offset="0" stop-color="${color(rng)}"/><stop offset="1" stop-color="${color(rng)}" stop-opacity="0"/>` +
        `</radialGradient></defs><rect width="${w}" height="${h}" fill="url(#r)"/>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${parts.join('')}</svg>`;
}

/** Renders the original as a camera-like JPEG (quality 90, no metadata). */
export async function renderImage(spec: ImageSpec): Promise<Buffer> {
  const rng = new Rng(spec.seed, 7);
  if (spec.style === 'noise') {
    // A small random tile blown up gives smooth blobs: cheap, and unlike any other image.
    const tw = Math.max(4, Math.round(spec.width / 40));
    const th = Math.max(3, Math.round(spec.height / 40));
    const raw = Buffer.alloc(tw * th * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = rng.int(0, 255);
    return sharp(raw, { raw: { width: tw, height: th, channels: 3 } })
      .resize(spec.width, spec.height, { kernel: 'cubic' })
      .jpeg({ quality: 90 })
      .toBuffer();
  }
  return sharp(Buffer.from(svgFor(spec, rng)))
    .flatten({ background: '#808080' })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/**
 * What a re-sent copy looks like: optionally cropped, bordered or mirrored by the sender, then
 * WhatsApp's own re-encoding (longest side at most 1600 px, JPEG quality about 75).
 */
export async function transformImage(input: Buffer, t: TransformSpec): Promise<Buffer> {
  const rng = new Rng(t.seed, 11);
  let img = sharp(input);
  const meta = await img.metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (t.kind === 'crop' && w > 64 && h > 64) {
    const left = Math.round(w * (0.03 + rng.float() * 0.1));
    const top = Math.round(h * (0.03 + rng.float() * 0.1));
    const width = w - left - Math.round(w * (0.03 + rng.float() * 0.1));
    const height = h - top - Math.round(h * (0.03 + rng.float() * 0.1));
    img = sharp(await img.extract({ left, top, width, height }).toBuffer());
  } else if (t.kind === 'border') {
    const b = Math.max(8, Math.round(Math.min(w, h) * (0.02 + rng.float() * 0.05)));
    const v = rng.int(0, 1) * 255;
    img = sharp(
      await img.extend({ top: b, bottom: b, left: b, right: b, background: { r: v, g: v, b: v } }).toBuffer(),
    );
  } else if (t.kind === 'flip') {
    img = img.flop();
  }
  return img.resize(1600, 1600, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
}
