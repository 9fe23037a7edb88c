/**
 * One virtual file system over every shape evidence arrives in: a folder, a .zip, a .tar, a .tar.gz, and
 * containers nested in them (a zip inside a folder is opened as its own EvidenceFs by discovery).
 *
 * The interface (`EvidenceFs`), for implementers (e.g. an iTunes-backup or decrypted-backup view) and
 * consumers (discovery, readers, staging):
 * - `entries()` streams every regular file once, as a `VfsEntry` with a normalised relative path:
 *   `/`-separated, no leading `/` (absolute names such as `/private/var/…` are stripped of it), no `.`,
 *   `..` or empty segment. Nothing is extracted to list. Directories are not listed.
 * - `refused` lists, after `entries()` has run, every entry that was not listed and why (symbolic link,
 *   `..` traversal, hard link, device node, `__MACOSX/` noise, duplicate name). A duplicate name is never
 *   resolved to "the first one": both copies are listed under distinguishable names
 *   (`<path>#dup<N>`, N = the entry's position in the container) and `stat`/`open` of the bare name fail
 *   with an error naming both.
 * - `stat(path)` → the entry or null; `open(path)` → a read stream of its bytes; `copyTo(path, dest)`
 *   writes it to `dest` (created exclusively) computing its SHA-256 while copying.
 * - `copyMany(wanted)` copies several entries in one pass (a .tar.gz is only readable front to back).
 * - `readHead(path, n)` (optional) gives an entry's first bytes; discovery sniffs every entry with it.
 * - `close()` releases the container.
 * An implementation must refuse symbolic links (never follow one), paths that leave the root, and
 * ambiguity; it must stream (never hold a whole entry in memory). `openEvidenceFs(path)` picks the
 * implementation: first any registered `FsOpener` that claims the path (`registerFsOpener`, for views
 * such as an iTunes backup), then the file's content (zip / gzip / tar magic), or the folder one.
 * `writeHashed`, `NameTable` and `normaliseEntryName` are there for implementers.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../../util/errors.js';

export type VfsKind = 'folder' | 'zip' | 'tar' | 'tar.gz' | (string & {});

export interface VfsEntry {
  /** Normalised relative path (see the module comment). */
  path: string;
  size: number;
  /** Modification time (ms since the epoch) when the container records one. */
  mtime: number | null;
  /** The name exactly as the container stores it, when it differs from `path`. */
  rawName?: string;
}

export interface RefusedEntry {
  name: string;
  reason: string;
}

export interface CopyResult {
  sha256: string;
  size: number;
}

/**
 * What a vendor extraction says about itself (a Cellebrite report or .ufd, a GrayKey file name): recorded in
 * the discovery notes beside what discovery finds in the files.
 */
export interface ContainerDescription {
  /** The device label the extraction gives (used when nothing above the artifacts names the device). */
  label?: string;
  /** Vendor metadata (tool, vendor, model, IMEI, hashes checked, roots chosen), recorded as given. */
  metadata: Record<string, unknown>;
  /** Files beside the container that describe it (.ufd, .ufdx), with their SHA-256. */
  companions: Array<{ path: string; role: string; size: number; sha256: string }>;
  /** WhatsApp accounts the extraction report decoded, with where they were read. */
  accounts: Array<{
    number: string;
    app: 'consumer' | 'business';
    name?: string;
    file: string;
    key: string;
    /** What gave it, e.g. "Cellebrite report". */
    from: string;
  }>;
}

export interface EvidenceFs {
  readonly kind: VfsKind;
  /** Set by views of vendor extractions (see ContainerDescription). */
  readonly described?: ContainerDescription;
  /** Absolute path of the folder or container file on the lab's machine. */
  readonly origin: string;
  readonly refused: RefusedEntry[];
  entries(): AsyncIterable<VfsEntry>;
  stat(path: string): Promise<VfsEntry | null>;
  open(path: string): Promise<Readable>;
  copyTo(path: string, dest: string): Promise<CopyResult>;
  copyMany(wanted: Map<string, string>): Promise<Map<string, CopyResult>>;
  /** The first `n` bytes of an entry, where the file system can give them cheaper than `open` (a zip). */
  readHead?(path: string, n: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A container's name turned into a relative path, or a reason to refuse it. Backslashes are separators
 * (zips written on Windows); a leading `/` or drive letter is stripped; `.` segments dropped; `..` refused.
 */
export function normaliseEntryName(raw: string): { path: string } | { refused: string } {
  let p = raw.replace(/\\/g, '/');
  p = p.replace(/^[A-Za-z]:\//, '').replace(/^\/+/, '');
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..')) return { refused: 'name leaves the container (`..`): refused' };
  if (parts.some((s) => s.includes('\0'))) return { refused: 'name holds a NUL byte: refused' };
  if (!parts.length) return { refused: 'empty name' };
  return { path: parts.join('/') };
}

export function isMacOsNoise(path: string): boolean {
  return path === '__MACOSX' || path.startsWith('__MACOSX/');
}

/** Writes a stream to `dest` (which must not exist), hashing it on the way. */
/**
 * Copying for file systems that can open any entry at any time (a folder, a zip): one entry after the other.
 * A tar, read front to back only, copies many entries in one pass instead.
 */
export async function copyEachOpened(
  fs: Pick<EvidenceFs, 'open'>,
  wanted: Map<string, string>,
): Promise<Map<string, CopyResult>> {
  const out = new Map<string, CopyResult>();
  for (const [p, dest] of wanted) out.set(p, await writeHashed(await fs.open(p), dest));
  return out;
}

export async function writeHashed(src: Readable, dest: string): Promise<CopyResult> {
  await mkdir(dirname(dest), { recursive: true });
  const h = createHash('sha256');
  let size = 0;
  const out = createWriteStream(dest, { flags: 'wx' });
  const done = new Promise<void>((res, rej) => {
    out.on('finish', res);
    out.on('error', rej);
  });
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      h.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
    }
  } catch (err) {
    out.destroy();
    throw err;
  }
  out.end();
  await done;
  return { sha256: h.digest('hex'), size };
}

/** Keeps duplicate names apart: the first time a name repeats, both copies get a `#dup<N>` suffix. */
export class NameTable<T> {
  private readonly byName = new Map<string, Array<{ index: number; value: T }>>();

  add(path: string, index: number, value: T): void {
    const list = this.byName.get(path);
    if (list) list.push({ index, value });
    else this.byName.set(path, [{ index, value }]);
  }

  /** Every entry under its listed name. */
  *listed(): Generator<[string, T]> {
    for (const [name, list] of this.byName) {
      if (list.length === 1) yield [name, list[0]!.value];
      else for (const x of list) yield [`${name}#dup${x.index}`, x.value];
    }
  }

  duplicates(): Array<{ name: string; indexes: number[] }> {
    return [...this.byName]
      .filter(([, l]) => l.length > 1)
      .map(([name, l]) => ({ name, indexes: l.map((x) => x.index) }));
  }

  /** The one entry of that name (bare or `#dup<N>`); an error naming both when the bare name repeats. */
  get(path: string, origin: string): T | null {
    const m = /^(.*)#dup(\d+)$/.exec(path);
    if (m && this.byName.get(m[1]!)?.length) {
      const hit = this.byName.get(m[1]!)!.find((x) => x.index === Number(m[2]));
      if (hit && this.byName.get(m[1]!)!.length > 1) return hit.value;
    }
    const list = this.byName.get(path);
    if (!list) return null;
    if (list.length > 1)
      throw new UserError(
        `the container holds ${list.length} entries named ${path} (entries ` +
          `${list.map((x) => `#${x.index}`).join(' and ')}): ambiguous, refused — they are listed as ` +
          list.map((x) => `${path}#dup${x.index}`).join(' and '),
        { file: origin },
      );
    return list[0]!.value;
  }
}

async function magic(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Whether a tar header block (ustar or old v7) starts the buffer: its checksum must add up. */
export function looksLikeTar(block: Buffer): boolean {
  if (block.length < 512) return false;
  if (block.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const stored = parseInt(block.subarray(148, 156).toString('latin1').replace(/\0.*$/, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored && block[0] !== 0;
}

export type ContainerKind = 'zip' | 'tar' | 'tar.gz';

/** What kind of container a file is, from its first bytes (not its name); null when none. */
export async function containerKind(path: string): Promise<ContainerKind | null> {
  const st = await stat(path);
  if (!st.isFile()) return null;
  const head = await magic(path);
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip'; // empty zip
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (looksLikeTar(head)) return 'tar';
  return null;
}

/**
 * Other views of evidence as a file system (an iTunes/Finder backup folder seen as its device tree, a
 * decrypted backup): `claims(path)` says whether the folder or file is one (from its content), `open`
 * returns its EvidenceFs. Openers are asked in order before the built-in folder/zip/tar ones.
 */
export interface FsOpener {
  name: string;
  claims(path: string): Promise<boolean>;
  open(path: string): Promise<EvidenceFs>;
  /**
   * For an index of several extractions (a Cellebrite .ufdx): the paths to open instead, each claimed by an
   * opener in turn. Without it the path itself is opened.
   */
  expand?(path: string): Promise<string[]>;
}

const OPENERS: FsOpener[] = [];

export function registerFsOpener(opener: FsOpener): void {
  if (!OPENERS.some((o) => o.name === opener.name)) OPENERS.push(opener);
}

/** Whether a registered view claims the path (a file that is no container of its own, e.g. a .ufd). */
export async function claimedByOpener(path: string): Promise<boolean> {
  for (const o of OPENERS) if (await o.claims(path)) return true;
  return false;
}

/** The paths an evidence path stands for: an index of extractions expands to them, anything else to itself. */
export async function expandEvidencePath(path: string): Promise<string[]> {
  for (const o of OPENERS) if (await o.claims(path)) return o.expand ? o.expand(path) : [path];
  return [path];
}

/** Opens a folder or container file as an EvidenceFs. */
export async function openEvidenceFs(path: string): Promise<EvidenceFs> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new UserError('no such file or folder', { file: path });
  for (const o of OPENERS) if (await o.claims(path)) return o.open(path);
  if (st.isDirectory()) {
    const { FolderFs } = await import('./folder.js');
    return new FolderFs(path);
  }
  const kind = await containerKind(path);
  if (kind === 'zip') {
    const { openZipFs } = await import('./zip.js');
    return openZipFs(path);
  }
  if (kind === 'tar' || kind === 'tar.gz') {
    const { TarFs } = await import('./tar.js');
    return new TarFs(path, kind === 'tar.gz');
  }
  throw new UserError('not a folder, .zip, .tar or .tar.gz', { file: path });
}

/** The first `n` bytes of a stream (fewer when it is shorter); the stream is destroyed after. */
export async function streamHead(st: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const c of st as AsyncIterable<Buffer>) {
    chunks.push(c);
    got += c.length;
    if (got >= n) break;
  }
  st.destroy();
  return Buffer.concat(chunks).subarray(0, n);
}
