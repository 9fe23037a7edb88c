/**
 * A pool of worker threads hashing files: SHA-256, MD5, SHA-1 and PDQ per file, one read each. Workers
 * (not processes) keep start-up cost to one per thread; each runs libvips single-threaded, so N threads
 * hash N images at once without oversubscribing the cores.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DecodeMode } from './decode.js';
import type { HashJob } from './hash-worker.js';
import type { PdqDihedral } from './pdq.js';

export type FileHashResult =
  | {
      path: string;
      ok: true;
      sha256: string;
      md5: string;
      sha1: string;
      size: number;
      /** Null when the file is not a decodable image; `pdqError` then says why. */
      pdq: string | null;
      quality: number | null;
      width?: number;
      height?: number;
      dihedral?: PdqDihedral;
      pdqError?: string;
    }
  | { path: string; ok: false; error: string };

export interface HashFilesOptions {
  mode: DecodeMode;
  /** Defaults to os.availableParallelism(). */
  threads?: number;
  dihedral?: boolean;
  /** Called as each file finishes (completion order, not input order). */
  onResult?: (r: FileHashResult) => void;
  /**
   * Aborted: no further file is started; the call resolves once the files being hashed are done, and the
   * results of the files never started are left out (undefined in the returned array).
   */
  signal?: AbortSignal;
}

function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./hash-worker.js', import.meta.url));
  // Running from the .ts source (vitest, tsx): the worker must load through tsx too. On Node 20 a
  // worker's `execArgv: ['--import', 'tsx']` does not install the loader ("Unknown file extension
  // .ts"), so a small bootstrap registers tsx inside the worker and then imports the real module.
  const boot = new URL('./tsx-worker-boot.mjs', import.meta.url);
  return new Worker(boot, { workerData: { tsEntry: new URL('./hash-worker.ts', import.meta.url).href } });
}

/** Hashes every path; results come back in the order of `paths`. Per-file failures never stop the run. */
export async function hashFiles(paths: string[], opts: HashFilesOptions): Promise<FileHashResult[]> {
  const results: FileHashResult[] = new Array(paths.length);
  if (paths.length === 0) return results;
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), paths.length));
  let next = 0;
  let done = 0;

  return new Promise<FileHashResult[]>((resolve) => {
    const workers: Worker[] = [];
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      resolve(results);
    };
    // Stopped early: done once every started file has finished.
    const onAbort = () => {
      if (done === next) end();
    };
    opts.signal?.addEventListener('abort', onAbort);
    const finish = (id: number, r: FileHashResult) => {
      results[id] = r;
      done++;
      opts.onResult?.(r);
      if (done === paths.length || (opts.signal?.aborted && done === next)) end();
    };
    const start = () => {
      const w = spawnWorker();
      workers.push(w);
      let current = -1;
      const feed = () => {
        if (next >= paths.length || opts.signal?.aborted) {
          current = -1;
          return;
        }
        current = next++;
        const job: HashJob = {
          id: current,
          path: paths[current],
          mode: opts.mode,
          dihedral: !!opts.dihedral,
        };
        w.postMessage(job);
      };
      w.on('message', (m: { id: number; result: FileHashResult }) => {
        finish(m.id, m.result);
        feed();
      });
      // A crashed worker (e.g. a decoder abort) costs the file it held, not the run: replace it.
      w.on('error', (e) => {
        const lost = current;
        current = -1;
        workers.splice(workers.indexOf(w), 1);
        if (lost >= 0) finish(lost, { path: paths[lost], ok: false, error: `worker failed: ${e.message}` });
        if (next < paths.length && !opts.signal?.aborted) start();
      });
      w.on('exit', (code) => {
        if (current >= 0 && code !== 0) {
          const lost = current;
          current = -1;
          workers.splice(workers.indexOf(w), 1);
          finish(lost, { path: paths[lost], ok: false, error: `worker exited with code ${code}` });
          if (next < paths.length && !opts.signal?.aborted) start();
        }
      });
      feed();
    };
    for (let i = 0; i < threads; i++) start();
    if (opts.signal?.aborted) onAbort();
  });
}
