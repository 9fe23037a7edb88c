import { digestBuffer } from '../hashing/digests.js';
import { renderImage, transformImage } from './images.js';
import type { Operation } from './operation.js';

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
      if (m.parentId === null) buf = await renderImage(m.spec);
      else {
        // A parent is always created earlier, but under concurrency may still be rendering.
        while (!bytes.has(m.parentId)) await new Promise((r) => setImmediate(r));
        buf = await transformImage(bytes.get(m.parentId)!, m.transform!);
      }
      const d = digestBuffer(buf);
      Object.assign(m, { sha256: d.sha256, md5: d.md5, sha1: d.sha1, size: d.size });
      bytes.set(m.id, buf);
      onProgress?.(++done, total);
    }
  };
  await Promise.all([worker(), worker()]);
  return bytes;
}
