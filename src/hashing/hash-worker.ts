/**
 * Worker-thread side of the hashing pool: reads each file once into memory, digests that buffer and
 * decodes the same buffer for PDQ. One image at a time per worker; parallelism comes from the pool.
 */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { configureSharpForWorker, pdqFromImage, type DecodeMode } from './decode.js';
import { digestBuffer } from './digests.js';
import type { FileHashResult } from './pool.js';

export interface HashJob {
  id: number;
  path: string;
  mode: DecodeMode;
  dihedral: boolean;
}

export async function hashOneFile(
  path: string,
  mode: DecodeMode,
  dihedral: boolean,
): Promise<FileHashResult> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { path, ok: false, error: err.code ? `${err.code}: cannot read ${path}` : String(err.message) };
  }
  const digests = digestBuffer(buf);
  try {
    const r = await pdqFromImage(buf, { mode, dihedral });
    return {
      path,
      ok: true,
      ...digests,
      pdq: r.hash,
      quality: r.quality,
      width: r.width,
      height: r.height,
      ...(r.dihedral ? { dihedral: r.dihedral } : {}),
    };
  } catch (e) {
    // Not an image (or a damaged one): the cryptographic digests still identify the file.
    const reason = (e as Error).message.replace(/^Input buffer (contains|has) /, '');
    return { path, ok: true, ...digests, pdq: null, quality: null, pdqError: reason };
  }
}

if (parentPort) {
  configureSharpForWorker();
  const port = parentPort;
  port.on('message', (job: HashJob) => {
    hashOneFile(job.path, job.mode, job.dihedral).then(
      (result) => port.postMessage({ id: job.id, result }),
      (e: unknown) =>
        port.postMessage({
          id: job.id,
          result: { path: job.path, ok: false, error: String((e as Error).message) },
        }),
    );
  });
}
