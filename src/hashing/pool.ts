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

/**
 * Worker threads kept between calls: a caller that hashes batch after batch (a worker running hash jobs)
 * starts its threads once instead of once per batch (a thread's start costs about as much as hashing
 * dozens of small images). One `hash` call at a time; `close` ends the threads.
 */
export class HashPool {
  private readonly workers = new Set<Worker>();
  private busy = false;

  constructor(readonly threads: number = availableParallelism()) {}

  private spawn(): Worker {
    const w = spawnWorker();
    this.workers.add(w);
    w.once('exit', () => this.workers.delete(w));
    return w;
  }

  /** Hashes every path; results come back in the order of `paths`. Per-file failures never stop the run. */
  hash(paths: string[], opts: Omit<HashFilesOptions, 'threads'>): Promise<FileHashResult[]> {
    const results: FileHashResult[] = new Array(paths.length);
    if (paths.length === 0) return Promise.resolve(results);
    if (this.busy) return Promise.reject(new Error('a HashPool hashes one list at a time'));
    this.busy = true;
    const threads = Math.max(1, Math.min(this.threads, paths.length));
    while (this.workers.size < threads) this.spawn();
    let next = 0;
    let done = 0;

    return new Promise<FileHashResult[]>((resolve) => {
      const detach: (() => void)[] = [];
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        opts.signal?.removeEventListener('abort', onAbort);
        for (const d of detach) d();
        for (const w of this.workers) w.unref();
        this.busy = false;
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
      const drive = (w: Worker) => {
        w.ref();
        let current = -1;
        const feed = () => {
          if (ended || next >= paths.length || opts.signal?.aborted) {
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
        const onMessage = (m: { id: number; result: FileHashResult }) => {
          current = -1;
          finish(m.id, m.result);
          feed();
        };
        // A crashed worker (e.g. a decoder abort) costs the file it held, not the run: replace it.
        const lost = (error: string) => {
          off();
          this.workers.delete(w);
          void w.terminate();
          const id = current;
          current = -1;
          if (id >= 0) finish(id, { path: paths[id], ok: false, error });
          if (!ended && next < paths.length && !opts.signal?.aborted) drive(this.spawn());
        };
        const onError = (e: Error) => lost(`worker failed: ${e.message}`);
        const onExit = (code: number) => {
          if (current >= 0 && code !== 0) lost(`worker exited with code ${code}`);
          else off();
        };
        const off = () => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        detach.push(off);
        feed();
      };
      for (const w of [...this.workers].slice(0, threads)) drive(w);
      if (opts.signal?.aborted) onAbort();
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.clear();
  }
}

/** Hashes every path on threads of its own; results come back in the order of `paths`. */
export async function hashFiles(paths: string[], opts: HashFilesOptions): Promise<FileHashResult[]> {
  if (paths.length === 0) return [];
  const pool = new HashPool(Math.max(1, Math.min(opts.threads ?? availableParallelism(), paths.length)));
  try {
    return await pool.hash(paths, opts);
  } finally {
    void pool.close();
  }
}
