/**
 * Digests of a whole file (or a byte range) computed in a worker thread, so that a pass which must see
 * every byte anyway — the custody SHA-256 of a container as received, the MD5 a crypt15 backup ends
 * with — runs beside the caller's own work on the file instead of in series with it. On a machine with
 * one core the result is the same, only not faster.
 *
 * The worker's code is a plain JavaScript string (`eval`), not a module file: it loads nothing but
 * node:crypto and node:fs, so it costs a bare isolate (no TypeScript loader when running from source),
 * and it runs the same from src/ and dist/.
 */
import { Worker } from 'node:worker_threads';

export interface FileDigestRequest {
  path: string;
  /** node:crypto hash names (sha256, md5, …). */
  algorithms: string[];
  /** First byte (default 0) and end (exclusive, default the file's size). */
  start?: number;
  end?: number;
}

type Reply =
  { ok: true; digests: Record<string, string>; size: number } | { ok: false; code?: string; message: string };

export interface FileDigestJob {
  /** The digests (hex, by algorithm name) and the number of bytes read. */
  readonly result: Promise<{ digests: Record<string, string>; size: number }>;
  /** Stops the worker; `result` then rejects (nobody waits for it after a cancel). */
  cancel(): Promise<void>;
}

export class FileDigestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

// Reads the range in 1 MiB positioned reads into two buffers: the next read (on the thread pool) fills
// one while the hashes consume the other.
const WORKER_CODE = `
const { parentPort, workerData: req } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { open } = require('node:fs/promises');
const CHUNK = 1 << 20;
(async () => {
  const hashes = req.algorithms.map((a) => [a, createHash(a)]);
  const fh = await open(req.path, 'r');
  try {
    const end = req.end ?? (await fh.stat()).size;
    let pos = req.start ?? 0;
    let size = 0;
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    const readInto = (buf, at) =>
      at < end ? fh.read(buf, 0, Math.min(CHUNK, end - at), at).then((r) => r.bytesRead) : Promise.resolve(0);
    let next = readInto(bufs[0], pos);
    for (let i = 0; ; i++) {
      const n = await next;
      if (n === 0) break;
      const chunk = bufs[i % 2].subarray(0, n);
      pos += n;
      size += n;
      next = readInto(bufs[(i + 1) % 2], pos);
      for (const [, h] of hashes) h.update(chunk);
    }
    return { ok: true, digests: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')])), size };
  } finally {
    await fh.close();
  }
})().then(
  (r) => parentPort.postMessage(r),
  (e) => parentPort.postMessage({ ok: false, code: e.code, message: e.message }),
);
`;

export function digestFileInWorker(req: FileDigestRequest): FileDigestJob {
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: req });
  let settled = false;
  const result = new Promise<{ digests: Record<string, string>; size: number }>((resolve, reject) => {
    worker.once('message', (r: Reply) => {
      settled = true;
      if (r.ok) resolve({ digests: r.digests, size: r.size });
      else reject(new FileDigestError(r.message, r.code));
      void worker.terminate();
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new FileDigestError(`digest worker stopped (exit code ${code})`));
    });
  });
  // A cancelled or abandoned job must not surface as an unhandled rejection.
  result.catch(() => {});
  return {
    result,
    async cancel() {
      if (!settled) await worker.terminate();
    },
  };
}
