/**
 * The custody digest of each container discovery opens: the SHA-256 and size of the file as received,
 * which the evidence notes record and `filet verify` re-hashes. It is computed once per container, in a
 * worker thread started as soon as discovery opens the container, so hashing every byte runs beside
 * listing, matching, staging and reading instead of after them. Containers are hashed one at a time (a
 * folder can hold several). The file's size and modification time are taken before hashing and checked
 * after it: a container that changed while it was hashed has no digest.
 */
import { stat } from 'node:fs/promises';
import { sha256File } from '../../hashing/digests.js';
import { digestFileInWorker, type FileDigestJob } from '../../hashing/file-digest.js';
import { UserError } from '../../util/errors.js';

export interface ContainerDigest {
  sha256: string;
  size: number;
  /** Modification time when hashing started: what "unchanged since" is checked against. */
  mtimeMs: number;
}

async function fileStat(path: string): Promise<{ size: number; mtimeMs: number } | null> {
  const st = await stat(path).catch(() => null);
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
}

async function unchangedOrThrow(path: string, before: { size: number; mtimeMs: number }): Promise<void> {
  const after = await fileStat(path);
  if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs)
    throw new UserError('the container changed while it was being hashed; nothing was recorded', {
      file: path,
    });
}

export class ContainerHashes {
  private readonly digests = new Map<string, Promise<ContainerDigest>>();
  private readonly running = new Set<FileDigestJob>();
  private tail: Promise<unknown> = Promise.resolve();
  private cancelled = false;

  /** Starts hashing `path` after the containers already queued (a no-op when already started). */
  start(path: string): void {
    if (this.digests.has(path) || this.cancelled) return;
    const digest = this.tail.then(() => this.hash(path));
    digest.catch(() => {}); // read (and reported) by get(); an unused failure is not unhandled
    this.tail = digest.catch(() => {});
    this.digests.set(path, digest);
  }

  private async hash(path: string): Promise<ContainerDigest> {
    if (this.cancelled) throw new UserError('container hashing was stopped', { file: path });
    const before = await fileStat(path);
    if (!before) throw new UserError('not a regular file: cannot hash it as a container', { file: path });
    if (this.cancelled) throw new UserError('container hashing was stopped', { file: path });
    const job = digestFileInWorker({ path, algorithms: ['sha256'] });
    this.running.add(job);
    try {
      const r = await job.result.catch((err: Error) => {
        throw new UserError(`cannot read the container to hash it: ${err.message}`, { file: path });
      });
      await unchangedOrThrow(path, before);
      if (r.size !== before.size)
        throw new UserError('the container changed while it was being hashed; nothing was recorded', {
          file: path,
        });
      return { sha256: r.digests.sha256!, size: r.size, mtimeMs: before.mtimeMs };
    } finally {
      this.running.delete(job);
    }
  }

  /** The container's digest: the one started by discovery, else computed now. */
  async get(path: string): Promise<ContainerDigest> {
    const started = this.digests.get(path);
    if (started) return started;
    return containerDigestNow(path);
  }

  /** Stops every hash still running (discovery closed, e.g. after a dry run). */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await Promise.all([...this.running].map((j) => j.cancel()));
  }
}

/** Hashes a container on this thread (no discovery started it). */
export async function containerDigestNow(path: string): Promise<ContainerDigest> {
  const before = await fileStat(path);
  if (!before) throw new UserError('not a regular file: cannot hash it as a container', { file: path });
  const { sha256, size } = await sha256File(path);
  await unchangedOrThrow(path, before);
  return { sha256, size, mtimeMs: before.mtimeMs };
}
