/**
 * A .zip as an EvidenceFs (yauzl; zip64 included). Only the central directory is read to list; an entry's
 * bytes are inflated when opened. Names are decoded here (UTF-8 when the zip flags it, else CP437 read as
 * Latin-1) so that an absolute name is stripped of its leading `/` and a `..` name refused per entry
 * instead of failing the whole archive. Symbolic-link entries are refused; `__MACOSX/` is ignored; an
 * encrypted entry (traditional PKWARE or AES) fails the whole container with an error saying so.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { UserError } from '../../util/errors.js';
import {
  NameTable,
  copyEachOpened,
  isMacOsNoise,
  normaliseEntryName,
  writeHashed,
  type CopyResult,
  type EvidenceFs,
  type RefusedEntry,
  type VfsEntry,
} from './index.js';
import { BlockReader } from './zip-reader.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

interface ZipItem {
  entry: yauzl.Entry;
  vfs: VfsEntry;
}

/**
 * `origin` names the zip in errors and provenance: the path itself, or for a zip found inside another
 * container (read from its private copy at `path`) the chain `outer.zip!/inner/path.zip`.
 */
export async function openZipFs(path: string, origin = path): Promise<ZipFs> {
  const fh = await open(path, 'r').catch((err: Error) => {
    throw new UserError(`cannot open as a zip: ${err.message}`, { file: origin });
  });
  let reader: BlockReader | null = null;
  const zf = await fh
    .stat()
    .then(
      (st) =>
        new Promise<yauzl.ZipFile>((res, rej) =>
          yauzl.fromRandomAccessReader(
            (reader = new BlockReader(fh, st.size)),
            st.size,
            { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false },
            (err, z) => (err ? rej(err) : res(z!)),
          ),
        ),
    )
    .catch(async (err: Error) => {
      await fh.close().catch(() => {});
      throw new UserError(`cannot open as a zip: ${err.message}`, { file: origin });
    });
  const fs = new ZipFs(origin, zf, reader!);
  try {
    await fs.load();
  } catch (err) {
    zf.close();
    throw err;
  }
  return fs;
}

export class ZipFs implements EvidenceFs {
  readonly kind = 'zip';
  readonly refused: RefusedEntry[] = [];
  private readonly table = new NameTable<ZipItem>();

  constructor(
    readonly origin: string,
    private readonly zf: yauzl.ZipFile,
    private readonly reader: BlockReader,
  ) {}

  async load(): Promise<void> {
    let index = 0;
    const encrypted: string[] = [];
    await new Promise<void>((resolve, reject) => {
      this.zf.on('error', (err: Error) =>
        reject(new UserError(`damaged zip: ${err.message}`, { file: this.origin })),
      );
      this.zf.on('end', () => resolve());
      this.zf.on('entry', (e: yauzl.Entry) => {
        index++;
        const rawBuf = e.fileName as unknown as Buffer;
        const raw = rawBuf.toString(e.generalPurposeBitFlag & 0x800 ? 'utf8' : 'latin1');
        const mode = (e.externalFileAttributes >>> 16) & S_IFMT;
        const n = normaliseEntryName(raw);
        if (e.generalPurposeBitFlag & 0x1 || e.compressionMethod === 99) encrypted.push(raw);
        if ('refused' in n) {
          if (!raw.endsWith('/') || raw.split(/[\\/]/).includes('..'))
            this.refused.push({ name: raw, reason: n.refused });
        } else if (isMacOsNoise(n.path)) {
          this.refused.push({ name: raw, reason: '__MACOSX/ (macOS metadata): ignored' });
        } else if (mode === S_IFLNK) {
          this.refused.push({ name: raw, reason: 'symbolic link entry: refused' });
        } else if (raw.endsWith('/') || raw.endsWith('\\') || mode === S_IFDIR) {
          // a directory
        } else {
          const vfs: VfsEntry = {
            path: n.path,
            size: e.uncompressedSize,
            mtime: e.getLastModDate().getTime(),
          };
          if (n.path !== raw) vfs.rawName = raw;
          this.table.add(n.path, index, { entry: e, vfs });
        }
        this.zf.readEntry();
      });
      this.zf.readEntry();
    });
    if (encrypted.length)
      throw new UserError(
        `the zip is password-protected or AES-encrypted (${encrypted.length} encrypted entries, e.g. ` +
          `${encrypted[0]}): filet cannot read it; ask for an unencrypted copy or decrypt it with the ` +
          `password first`,
        { file: this.origin },
      );
    for (const d of this.table.duplicates())
      this.refused.push({
        name: d.name,
        reason: `the same name ${d.indexes.length} times (entries ${d.indexes.map((i) => '#' + i).join(', ')}): kept apart as ${d.indexes.map((i) => `${d.name}#dup${i}`).join(', ')}`,
      });
  }

  async *entries(): AsyncGenerator<VfsEntry> {
    for (const [name, item] of this.table.listed()) yield { ...item.vfs, path: name };
  }

  async stat(path: string): Promise<VfsEntry | null> {
    const it = this.table.get(path, this.origin);
    return it ? { ...it.vfs, path } : null;
  }

  async open(path: string): Promise<Readable> {
    const it = this.table.get(path, this.origin);
    if (!it) throw new UserError(`no entry ${path}`, { file: this.origin });
    return new Promise((res, rej) =>
      this.zf.openReadStream(it.entry, (err, st) =>
        err || !st
          ? rej(
              new UserError(`cannot read entry: ${err?.message ?? 'no stream'}`, {
                file: this.origin,
                entry: path,
              }),
            )
          : res(st),
      ),
    );
  }

  /**
   * The first `n` bytes of an entry (all of it when `n` reaches its size) without opening a stream:
   * discovery looks at the first bytes of tens of thousands of entries and reads hundreds of small app
   * databases whole. The local header and the data come from the reader's block; a deflated entry is
   * inflated in one call. Falls back to reading the stream when those bytes do not inflate to `n` bytes
   * (a highly compressed start, damaged data), so errors are reported as for every other read.
   */
  async readHead(path: string, n: number): Promise<Buffer> {
    const it = this.table.get(path, this.origin);
    if (!it) throw new UserError(`no entry ${path}`, { file: this.origin });
    const e = it.entry;
    const want = Math.min(n, e.uncompressedSize);
    if (e.compressionMethod === 0 || e.compressionMethod === 8) {
      const { fileDataStart } = await this.zf.readLocalFileHeaderPromise(e, { minimal: true });
      if (e.compressionMethod === 0) return Buffer.from(await this.reader.readAt(fileDataStart, want));
      // The whole entry when it is asked for whole (its declared size caps the output); else enough input
      // for text-like data to give n bytes, little enough that a zip bomb (deflate reaches about 1000:1)
      // cannot inflate to more than a few tens of MB here.
      const whole = want >= e.uncompressedSize;
      const raw = await this.reader.readAt(
        fileDataStart,
        whole ? e.compressedSize : Math.min(e.compressedSize, 1024 + (n >> 2)),
      );
      let out: Buffer | null;
      try {
        out = inflateRawSync(raw, {
          finishFlush: zlibConstants.Z_SYNC_FLUSH,
          ...(whole ? { maxOutputLength: Math.max(1, e.uncompressedSize) } : {}),
        });
      } catch {
        out = null; // damaged data or a wrong declared size: the stream below reports it as every read does
      }
      if (out && out.length >= want) return out.subarray(0, want);
    }
    const chunks: Buffer[] = [];
    let got = 0;
    const st = await this.open(path);
    await new Promise<void>((resolve, reject) => {
      st.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= want) {
          st.removeAllListeners('data');
          st.pause();
          resolve();
        }
      });
      st.on('end', resolve);
      st.on('error', (err: Error) =>
        reject(new UserError(`cannot read entry: ${err.message}`, { file: this.origin, entry: path })),
      );
    });
    st.destroy();
    return Buffer.concat(chunks).subarray(0, want);
  }

  async copyTo(path: string, dest: string): Promise<CopyResult> {
    return writeHashed(await this.open(path), dest);
  }

  copyMany(wanted: Map<string, string>): Promise<Map<string, CopyResult>> {
    return copyEachOpened(this, wanted);
  }

  async close(): Promise<void> {
    this.zf.close();
  }
}
