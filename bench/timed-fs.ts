/**
 * An EvidenceFs wrapper for benchmarks: delegates everything, and adds the wall time of the first full
 * listing (discovery's) to `clock.listing` and of copies (and later listings, staging's media search) to
 * `clock.staging`. Opening the container (reading the central directory) is timed by the caller.
 */
import type { Readable } from 'node:stream';
import type { CopyResult, EvidenceFs, VfsEntry } from '../src/evidence/vfs/index.js';

export function timedFs(inner: EvidenceFs, clock: { listing: number; staging: number }): EvidenceFs {
  let listings = 0;
  return {
    kind: inner.kind,
    origin: inner.origin,
    refused: inner.refused,
    async *entries(): AsyncGenerator<VfsEntry> {
      const first = listings++ === 0;
      const t0 = performance.now();
      let paused = 0;
      for await (const e of inner.entries()) {
        const p0 = performance.now();
        yield e;
        paused += performance.now() - p0;
      }
      const own = performance.now() - t0 - paused;
      if (first) clock.listing += own;
      else clock.staging += own;
    },
    stat: (p: string) => inner.stat(p),
    open: (p: string): Promise<Readable> => inner.open(p),
    copyTo: (p: string, dest: string): Promise<CopyResult> => inner.copyTo(p, dest),
    async copyMany(wanted: Map<string, string>): Promise<Map<string, CopyResult>> {
      const t0 = performance.now();
      try {
        return await inner.copyMany(wanted);
      } finally {
        clock.staging += performance.now() - t0;
      }
    },
    close: () => inner.close(),
  };
}
