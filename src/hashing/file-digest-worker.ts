/**
 * Worker-thread side of digestFileInWorker: reads a byte range of one file front to back in 4 MiB
 * positioned reads and feeds every requested digest, so the hashing runs on another core than the
 * caller's work on the same bytes (discovery of a container, decryption of a backup).
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';

export interface FileDigestRequest {
  path: string;
  algorithms: string[];
  /** First byte (default 0) and end (exclusive, default the file's size). */
  start?: number;
  end?: number;
}

export type FileDigestReply =
  { ok: true; digests: Record<string, string>; size: number } | { ok: false; code?: string; message: string };

const CHUNK = 4 << 20;

export async function digestRange(req: FileDigestRequest): Promise<FileDigestReply> {
  const hashes: Array<[string, Hash]> = req.algorithms.map((a) => [a, createHash(a)]);
  const fh = await open(req.path, 'r');
  try {
    const end = req.end ?? (await fh.stat()).size;
    let pos = req.start ?? 0;
    let size = 0;
    // Two buffers: the next read (on the thread pool) fills one while the hashes consume the other.
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    const readInto = (buf: Buffer, at: number) =>
      at < end ? fh.read(buf, 0, Math.min(CHUNK, end - at), at).then((r) => r.bytesRead) : Promise.resolve(0);
    let next = readInto(bufs[0]!, pos);
    for (let i = 0; ; i++) {
      const bytesRead = await next;
      if (bytesRead === 0) break;
      const chunk = bufs[i % 2]!.subarray(0, bytesRead);
      pos += bytesRead;
      size += bytesRead;
      next = readInto(bufs[(i + 1) % 2]!, pos);
      for (const [, h] of hashes) h.update(chunk);
    }
    return { ok: true, digests: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')])), size };
  } finally {
    await fh.close();
  }
}

if (parentPort) {
  const port = parentPort;
  digestRange(workerData as FileDigestRequest).then(
    (r) => port.postMessage(r),
    (e: NodeJS.ErrnoException) =>
      port.postMessage({ ok: false, code: e.code, message: e.message } satisfies FileDigestReply),
  );
}
