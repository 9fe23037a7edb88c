/**
 * A folder as an EvidenceFs. Walked with lstat semantics: a symbolic link is never followed (so a link
 * loop cannot hang the walk) and is listed in `refused`; so are sockets, FIFOs and devices.
 */
import { constants, createReadStream } from 'node:fs';
import { lstat, opendir, open as fsOpen } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../../util/errors.js';
import {
  copyEachOpened,
  normaliseEntryName,
  writeHashed,
  type CopyResult,
  type EvidenceFs,
  type RefusedEntry,
  type VfsEntry,
} from './index.js';

export class FolderFs implements EvidenceFs {
  readonly kind = 'folder';
  readonly origin: string;
  readonly refused: RefusedEntry[] = [];

  constructor(root: string) {
    this.origin = resolve(root);
  }

  async *entries(): AsyncGenerator<VfsEntry> {
    this.refused.length = 0;
    const stack: string[] = [''];
    while (stack.length) {
      const rel = stack.pop()!;
      const dir = await opendir(join(this.origin, rel));
      const subdirs: string[] = [];
      for await (const d of dir) {
        const p = rel ? `${rel}/${d.name}` : d.name;
        if (d.isSymbolicLink()) this.refused.push({ name: p, reason: 'symbolic link: not followed' });
        else if (d.isDirectory()) subdirs.push(p);
        else if (d.isFile()) {
          const st = await lstat(join(this.origin, p));
          yield { path: p, size: st.size, mtime: st.mtimeMs };
        } else this.refused.push({ name: p, reason: 'not a regular file (device, socket or FIFO)' });
      }
      stack.push(...subdirs.sort().reverse());
    }
  }

  /** The absolute path of `rel`, checked segment by segment with lstat: no link, no escape. */
  private async resolve(rel: string): Promise<string | null> {
    const n = normaliseEntryName(rel);
    if ('refused' in n || n.path !== rel)
      throw new UserError(`"${rel}" is not a plain relative path inside the folder`, { file: this.origin });
    let cur = this.origin;
    for (const part of n.path.split('/')) {
      cur = join(cur, part);
      const st = await lstat(cur).catch(() => null);
      if (!st) return null;
      if (st.isSymbolicLink())
        throw new UserError(`${rel} goes through a symbolic link: refused`, { file: this.origin });
    }
    return cur;
  }

  async stat(path: string): Promise<VfsEntry | null> {
    const abs = await this.resolve(path);
    if (!abs) return null;
    const st = await lstat(abs);
    return st.isFile() ? { path, size: st.size, mtime: st.mtimeMs } : null;
  }

  async open(path: string): Promise<Readable> {
    const abs = await this.resolve(path);
    if (!abs) throw new UserError(`no entry ${path}`, { file: this.origin });
    // O_NOFOLLOW: a link swapped in after the checks fails here instead of being followed.
    const fh = await fsOpen(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new UserError(`${path} is not a regular file`, { file: this.origin });
    }
    return createReadStream('', { fd: fh, highWaterMark: 1 << 20 });
  }

  async copyTo(path: string, dest: string): Promise<CopyResult> {
    return writeHashed(await this.open(path), dest);
  }

  copyMany(wanted: Map<string, string>): Promise<Map<string, CopyResult>> {
    return copyEachOpened(this, wanted);
  }

  async close(): Promise<void> {}
}
