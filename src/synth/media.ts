import { digestBuffer } from '../hashing/digests.js';
import { pdqFromImage } from '../hashing/decode.js';
import { hammingHex } from '../hashing/pdq.js';
import { pdqSignal } from '../hashing/signal-types.js';
import { renderImage, transformImage, type TransformSpec } from './images.js';
import type { Operation } from './operation.js';

/**
 * Our abstract pictures are far more sensitive to cropping and borders than photographs are (a 1 % crop
 * can move PDQ by 30 bits), so a copy whose edit takes it past the match threshold is redone with half the
 * edit, and after three tries becomes a plain re-encode. The copy then is, for PDQ as for truth, the same
 * picture as its parent; the distance is recorded in truth.json.
 */
async function withinThreshold(
  parent: Buffer,
  t: TransformSpec,
): Promise<{ buf: Buffer; transform: TransformSpec; distance: number; quality: number }> {
  const p = (await pdqFromImage(parent)).hash;
  let spec = t;
  for (let attempt = 0; ; attempt++) {
    const buf = await transformImage(parent, spec);
    const c = await pdqFromImage(buf, { dihedral: true });
    const views = [c.hash, ...Object.values(c.dihedral ?? {}).filter((v): v is string => !!v)];
    const distance = Math.min(...views.map((v) => hammingHex(v, p)));
    // WhatsApp's own re-encode cannot be made lighter: its distance is what it is (recorded in truth).
    if (distance <= pdqSignal.matchThreshold || spec.kind === 'reencode')
      return { buf, transform: spec, distance, quality: c.quality };
    spec =
      attempt < 2 && spec.kind !== 'flip'
        ? { ...spec, strength: (spec.strength ?? 1) / 2 }
        : { kind: 'reencode', seed: spec.seed };
  }
}

/**
 * Renders every media item (parents before their copies: ids grow with creation) and fills in its
 * hashes. Bytes are kept in memory: even the large scale stays in the low hundreds of megabytes
 * because its image budget is capped and its pictures are smaller.
 */
export async function renderMedia(
  op: Operation,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<number, Buffer>> {
  const bytes = new Map<number, Buffer>();
  const total = op.media.length;
  let done = 0;
  // Two at a time: libvips threads do the rest, and the machine is shared.
  const queue = op.media.slice();
  const worker = async () => {
    for (;;) {
      const m = queue.shift();
      if (!m) return;
      let buf: Buffer;
      if (m.parentId === null) {
        buf = await renderImage(m.spec);
      } else {
        // A parent is always created earlier, but under concurrency may still be rendering.
        while (!bytes.has(m.parentId)) await new Promise((r) => setImmediate(r));
        const copy = await withinThreshold(bytes.get(m.parentId)!, m.transform!);
        [buf, m.transform, m.pdqDistance, m.pdqQuality] = [
          copy.buf,
          copy.transform,
          copy.distance,
          copy.quality,
        ];
      }
      const h = await pdqFromImage(buf, { dihedral: true });
      m.pdqQuality = h.quality;
      m.pdqViews = [h.hash, ...Object.values(h.dihedral ?? {}).filter((v): v is string => !!v)];
      const d = digestBuffer(buf);
      Object.assign(m, { sha256: d.sha256, md5: d.md5, sha1: d.sha1, size: d.size });
      bytes.set(m.id, buf);
      onProgress?.(++done, total);
    }
  };
  await Promise.all([worker(), worker()]);
  return bytes;
}
