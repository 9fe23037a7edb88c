/**
 * Digests of a whole file (or a byte range) computed in a worker thread, so that a pass which must see
 * every byte anyway — the custody SHA-256 of a container as received, the MD5 a crypt15 backup ends
 * with — runs beside the caller's own work on the file instead of in series with it. On a machine with
 * one core the result is the same, only not faster.
 */
import { Worker } from 'node:worker_threads';
import type { FileDigestReply, FileDigestRequest } from './file-digest-worker.js';

export interface FileDigestJob {
  /** The digests (hex, by algorithm name) and the number of bytes read. */
  readonly result: Promise<{ digests: Record<string, string>; size: number }>;
  /** Stops the worker; `result` then rejects (nobody waits for it after a cancel). */
  cancel(): Promise<void>;
}

function spawn(req: FileDigestRequest): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./file-digest-worker.js', import.meta.url), { workerData: req });
  // From the .ts source (vitest, tsx) the worker loads through tsx: see pool.ts for why a bootstrap.
  return new Worker(new URL('./tsx-worker-boot.mjs', import.meta.url), {
    workerData: { ...req, tsEntry: new URL('./file-digest-worker.ts', import.meta.url).href },
  });
}

export class FileDigestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function digestFileInWorker(req: FileDigestRequest): FileDigestJob {
  const worker = spawn(req);
  let settled = false;
  const result = new Promise<{ digests: Record<string, string>; size: number }>((resolve, reject) => {
    worker.once('message', (r: FileDigestReply) => {
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
