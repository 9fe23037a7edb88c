/**
 * The evidence share: a folder where labs place extractions (device folders, containers, chat exports) and
 * from which a lead picks what to ingest. Everything filet reads from the share is named by a path relative
 * to its root and goes through `EvidenceShare.resolve`, which refuses anything that could lead outside it.
 *
 * Symbolic links are refused at every step, even one pointing to somewhere inside the share: telling a
 * harmless link from a harmful one means following it and re-checking where it lands, a check that a link
 * rewritten between the check and the read defeats; refusing them all needs no such judgement, and an
 * extraction never needs a link to be read (folders and containers are searched without following links
 * anyway, see vfs/folder.ts).
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { UserError } from '../util/errors.js';

export type { ShareEntry, ShareListing } from '../api/contract.js';
import type { ShareEntry, ShareListing } from '../api/contract.js';

/** One page of a folder listing: at most this many entries (a device folder can hold 100 000 files). */
export const SHARE_LIST_MAX = 1000;
const SHARE_LIST_DEFAULT = 200;

/** Segments of a share path: '/'-separated, empty and '.' segments dropped ('' is the root itself). */
function segments(relPath: string, root: string): string[] {
  const refuse = (why: string) =>
    new UserError(`"${relPath.replace(/\0/g, '\\0')}" ${why}: refused`, { file: root });
  if (typeof relPath !== 'string') throw new UserError('a share path must be a string');
  if (relPath.includes('\0')) throw refuse('holds a NUL character');
  if (relPath.includes('\\'))
    throw refuse('holds a backslash (share paths are separated by "/"; a backslash is no separator here)');
  if (relPath.startsWith('/') || /^[A-Za-z]:/.test(relPath))
    throw refuse('is an absolute path (give a path relative to the evidence share)');
  const parts = relPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw refuse('has a ".." segment (paths stay inside the evidence share)');
  return parts;
}

export class EvidenceShare {
  private constructor(
    /** The real path of the share's root (symbolic links in the path to it resolved once, at open). */
    readonly root: string,
  ) {}

  static async open(rootDir: string): Promise<EvidenceShare> {
    let root: string;
    try {
      root = await realpath(rootDir);
    } catch {
      throw new UserError('the evidence share does not exist', { file: rootDir });
    }
    if (!(await stat(root)).isDirectory())
      throw new UserError('the evidence share is not a folder', { file: rootDir });
    return new EvidenceShare(root);
  }

  /**
   * The absolute real path of `relPath` inside the share, which must exist and be a regular file or a
   * folder. Refused (UserError naming the path and the reason): an absolute path, a `..` segment, a NUL, a
   * backslash, a symbolic link at any segment, and anything whose real path is outside the root.
   */
  async resolve(relPath: string): Promise<string> {
    const parts = segments(relPath, this.root);
    const shown = parts.join('/') || '.';
    const refuse = (why: string) => new UserError(`"${shown}" ${why}`, { file: this.root });
    let cur = this.root;
    for (const [i, part] of parts.entries()) {
      cur = join(cur, part);
      const st = await lstat(cur).catch(() => null);
      const at = parts.slice(0, i + 1).join('/');
      if (!st) throw refuse(`is not in the evidence share (no ${at})`);
      if (st.isSymbolicLink())
        throw refuse(`goes through a symbolic link (${at}): refused (links are never followed in the share)`);
      if (i < parts.length - 1 && !st.isDirectory()) throw refuse(`cannot be reached: ${at} is not a folder`);
    }
    // Every segment was a plain folder or file when looked at. The real path is checked too: it catches a
    // segment swapped for a link meanwhile, or the share's root itself replaced after it was opened.
    let real: string;
    try {
      real = await realpath(cur);
    } catch {
      throw refuse('is not in the evidence share any more');
    }
    if (real !== this.root && !real.startsWith(this.root + sep))
      throw refuse(`leaves the evidence share (its real path is ${real}): refused`);
    const st = await stat(real);
    if (!st.isFile() && !st.isDirectory())
      throw refuse('is not a regular file or folder (a device, FIFO or socket): refused');
    return real;
  }

  /** The path relative to the root of an absolute path inside the share (as `resolve` returns them). */
  relative(abs: string): string {
    if (abs === this.root) return '';
    if (!abs.startsWith(this.root + sep)) throw new UserError('not inside the evidence share', { file: abs });
    return abs
      .slice(this.root.length + 1)
      .split(sep)
      .join('/');
  }

  /**
   * One page of a folder of the share for a picker, sorted by name (code unit order). Symbolic links,
   * devices, FIFOs and sockets are listed as `refused` (they can never be picked).
   */
  async list(relDir = '', page: { offset?: number; limit?: number } = {}): Promise<ShareListing> {
    const offset = page.offset ?? 0;
    const limit = page.limit ?? SHARE_LIST_DEFAULT;
    if (!Number.isInteger(offset) || offset < 0)
      throw new UserError(`listing offset must be a non-negative integer, got ${offset}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > SHARE_LIST_MAX)
      throw new UserError(`listing limit must be an integer from 1 to ${SHARE_LIST_MAX}, got ${limit}`);
    const dir = await this.resolve(relDir);
    if (!(await stat(dir)).isDirectory())
      throw new UserError(`"${segments(relDir, this.root).join('/')}" is not a folder`, { file: this.root });
    const names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const entries: ShareEntry[] = [];
    // Only the page's entries are looked at: a huge folder costs one readdir, not one lstat per file.
    for (const name of names.slice(offset, offset + limit)) {
      const st = await lstat(join(dir, name)).catch(() => null);
      if (!st) continue; // removed meanwhile
      if (st.isSymbolicLink())
        entries.push({ name, kind: 'refused', size: null, reason: 'symbolic link: never followed' });
      else if (st.isDirectory()) entries.push({ name, kind: 'dir', size: null });
      else if (st.isFile()) entries.push({ name, kind: 'file', size: st.size });
      else
        entries.push({
          name,
          kind: 'refused',
          size: null,
          reason: 'not a regular file (device, FIFO or socket)',
        });
    }
    return { path: this.relative(dir), entries, total: names.length, offset, limit };
  }
}
