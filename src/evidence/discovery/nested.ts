/**
 * Containers inside containers (a zip in a zip, a backup's zip inside a lab's .tar.gz, a .tar.gz holding a
 * zip), opened as EvidenceFs of their own without extracting the outer container:
 * - a **zip** needs random access (its directory is at the end): the one entry is streamed out of the outer
 *   container into a private scratch folder (mode 0700, under the case's working area when ingesting, the
 *   system temporary folder for a dry run), hashed while copied, and opened there; the folder is removed
 *   when discovery is closed;
 * - a **.tar / .tar.gz** is read front to back: it is streamed out of the outer container at every pass
 *   and never written; its SHA-256 is computed while it is listed.
 * Every nested container is a link of a chain (outer container SHA-256 → inner path + SHA-256 → …) that the
 * evidence notes record. Two bounds make a hostile archive fail early with a clear error instead of filling
 * the disk: the nesting depth, and the total expanded size of everything inside nested containers (declared
 * sizes, checked before anything is copied; zip entries are also checked against their declared size while
 * read, by yauzl).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../util/errors.js';
import { looksLikeTar, type ContainerKind, type EvidenceFs, type VfsEntry } from '../vfs/index.js';

export interface NestingLimits {
  /** Containers below the one given (a zip in a folder counts as one level). Default 3. */
  maxDepth?: number;
  /**
   * Bytes that nested containers of one container given may expand to (their own copies plus every entry
   * they declare). Default: 100 × the outer container's size, at least 64 MiB.
   */
  maxExpandedBytes?: number;
}

export const DEFAULT_MAX_DEPTH = 3;
const EXPANSION_RATIO = 100;
const EXPANSION_FLOOR = 64 * 1024 * 1024;

export interface NestedLink {
  /** The container this one was found in (its path, or its own chain for a deeper link). */
  outer: string;
  /** Path of the nested container inside `outer`. */
  innerPath: string;
  kind: ContainerKind;
  sha256: string;
  size: number;
  readAs: string;
}

/** Where a file system sits: how deep, the chain of nested containers above it, the container given. */
export interface Level {
  depth: number;
  chain: NestedLink[];
  /** The container file given (or found as a file in a folder given): what `filet verify` re-hashes. */
  root: { path: string; size: number; kind: string } | null;
}

const MiB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export class NestingContext {
  readonly maxDepth: number;
  private scratch: string | null = null;
  private readonly used = new Map<string, number>();

  constructor(
    private readonly workDir: string | undefined,
    private readonly limits: NestingLimits = {},
  ) {
    this.maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** Refuses a container found deeper than the limit. */
  checkDepth(level: Level, where: string): void {
    if (level.depth + 1 > this.maxDepth)
      throw new UserError(
        `containers nested ${level.depth + 1} deep (${where}): filet opens containers up to ${this.maxDepth} ` +
          `levels inside what was given; extract the outer ones and give the inner folder or container`,
        { file: level.root?.path ?? where },
      );
  }

  limitFor(root: { path: string; size: number }): number {
    return this.limits.maxExpandedBytes ?? Math.max(EXPANSION_RATIO * root.size, EXPANSION_FLOOR);
  }

  /** Counts `bytes` against the root's expansion budget; refuses, naming the entry and the limit, beyond it. */
  charge(root: { path: string; size: number }, entry: string, bytes: number): void {
    const limit = this.limitFor(root);
    const used = (this.used.get(root.path) ?? 0) + bytes;
    if (used > limit)
      throw new UserError(
        `${entry} (${bytes} bytes declared) takes what containers nested in ${basename(root.path)} expand to ` +
          `past the limit of ${limit} bytes (${MiB(limit)}` +
          (this.limits.maxExpandedBytes === undefined
            ? `: ${EXPANSION_RATIO} × the container's ${root.size} bytes, at least ${MiB(EXPANSION_FLOOR)}`
            : '') +
          `): refused as a possible zip bomb; nothing was written to the case`,
        { file: root.path, entry },
      );
    this.used.set(root.path, used);
  }

  async scratchDir(): Promise<string> {
    if (!this.scratch) {
      const base = this.workDir ?? tmpdir();
      await mkdir(base, { recursive: true, mode: 0o700 });
      this.scratch = await mkdtemp(join(base, 'filet-nested-'));
    }
    return this.scratch;
  }

  async close(): Promise<void> {
    if (this.scratch) await rm(this.scratch, { recursive: true, force: true });
    this.scratch = null;
  }
}

/** The first `n` bytes of an entry. */
export async function entryHead(fs: EvidenceFs, path: string, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  const st = await fs.open(path);
  try {
    for await (const c of st as AsyncIterable<Buffer>) {
      chunks.push(c);
      got += c.length;
      if (got >= n) break;
    }
  } finally {
    st.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n);
}

/** The first bytes of a gzip stream, inflated (enough to tell whether it holds a tar). */
async function gunzipHead(fs: EvidenceFs, path: string, n: number): Promise<Buffer> {
  const src = await fs.open(path);
  const gun = createGunzip();
  src.on('error', (e) => gun.destroy(e));
  src.pipe(gun);
  const chunks: Buffer[] = [];
  let got = 0;
  try {
    for await (const c of gun as AsyncIterable<Buffer>) {
      chunks.push(c);
      got += c.length;
      if (got >= n) break;
    }
  } catch {
    // A damaged gzip: whatever was inflated decides.
  } finally {
    src.destroy();
    gun.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n);
}

/** Which container a nested entry is, from its first bytes (a .gz that is not a tar is none). */
export async function nestedKind(fs: EvidenceFs, entry: VfsEntry): Promise<ContainerKind | null> {
  const head = await entryHead(fs, entry.path, 512).catch(() => Buffer.alloc(0));
  if (head.length >= 4 && (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50))
    return 'zip';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)
    return looksLikeTar(await gunzipHead(fs, entry.path, 512)) ? 'tar.gz' : null;
  return looksLikeTar(head) ? 'tar' : null;
}

/**
 * Opens `entry` of `outer` (a container) as an EvidenceFs, within the limits. A zip is copied to the
 * scratch folder (it needs random access); a tar or tar.gz is streamed. Returns the file system and its link.
 */
export async function openNested(
  outer: EvidenceFs,
  entry: VfsEntry,
  kind: ContainerKind,
  level: Level,
  ctx: NestingContext,
): Promise<{ fs: EvidenceFs; link: NestedLink; copy?: string }> {
  const origin = `${outer.origin}!/${entry.path}`;
  ctx.checkDepth(level, origin);
  const root = level.root!;
  if (kind === 'zip') {
    ctx.charge(root, origin, entry.size);
    const dir = await ctx.scratchDir();
    const copy = join(dir, `${level.depth + 1}-${randomBytes(6).toString('hex')}.zip`);
    const { sha256, size } = await outer.copyTo(entry.path, copy);
    const { openZipFs } = await import('../vfs/zip.js');
    const fs = await openZipFs(copy, origin);
    try {
      for await (const e of fs.entries()) ctx.charge(root, `${origin}!/${e.path}`, e.size);
    } catch (err) {
      await fs.close();
      throw err;
    }
    return {
      fs,
      copy,
      link: {
        outer: outer.origin,
        innerPath: entry.path,
        kind,
        sha256,
        size,
        readAs:
          'copied (hashed) into a private scratch folder because a zip needs random access; removed after reading',
      },
    };
  }
  const { TarFs } = await import('../vfs/tar.js');
  const fs = new TarFs(origin, kind === 'tar.gz', {
    source: () => outer.open(entry.path),
    onEntrySize: (name, size) => ctx.charge(root, `${origin}!/${name}`, size),
  });
  for await (const e of fs.entries()) void e; // lists (and hashes) it once
  const stored = fs.stored!;
  return {
    fs,
    link: {
      outer: outer.origin,
      innerPath: entry.path,
      kind,
      sha256: stored.sha256,
      size: stored.size,
      readAs: 'streamed out of the outer container at each pass (never written to disk)',
    },
  };
}
