/**
 * A .tar or .tar.gz as an EvidenceFs, read as a stream with node:zlib and a small header parser (ustar,
 * GNU long names `L`, pax `x` headers with `path`/`size`; global pax headers ignored). Listing reads the
 * archive once front to back, skipping data. A plain .tar's entries are then opened at their offset; a
 * .tar.gz is re-read from the start (use `copyMany` to take several entries in one pass). Symbolic and
 * hard links, devices and FIFOs are refused; a header whose checksum does not add up, or an archive that
 * ends inside an entry, is an error naming the entry (a truncated tar is never read as complete).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../util/errors.js';
import {
  NameTable,
  isMacOsNoise,
  normaliseEntryName,
  writeHashed,
  type CopyResult,
  type EvidenceFs,
  type RefusedEntry,
  type VfsEntry,
} from './index.js';

interface StoredCount {
  hash: ReturnType<typeof createHash>;
  size: number;
}

interface TarItem {
  vfs: VfsEntry;
  /** Offset of the entry's data in the (uncompressed) tar stream. */
  offset: number;
  index: number;
}

/** Exact-size reads over an async byte stream. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  pos = 0;
  private readonly it: AsyncIterator<Buffer>;

  constructor(src: AsyncIterable<Buffer>) {
    this.it = src[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
  }

  /** Up to n bytes (fewer only at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    this.pos += out.length;
    return out;
  }

  /** n bytes as chunks, without holding them all. Returns how many were available. */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!this.buf.length) await this.fill(1);
      if (!this.buf.length) return;
      const take = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(take.length);
      this.pos += take.length;
      left -= take.length;
      yield take;
    }
  }

  async skip(n: number): Promise<number> {
    let got = 0;
    for await (const c of this.chunks(n)) got += c.length;
    return got;
  }
}

function cstr(b: Buffer): string {
  const z = b.indexOf(0);
  return (z >= 0 ? b.subarray(0, z) : b).toString('utf8');
}

function octal(b: Buffer): number {
  if (b[0]! & 0x80) {
    // GNU base-256 for sizes of 8 GiB and more.
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = cstr(b).trim();
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === octal(h.subarray(148, 156));
}

function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(body.subarray(i, sp).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = body.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export interface TarHeader {
  name: string;
  type: string;
  size: number;
  mtime: number | null;
  index: number;
  /** Offset of the data in the uncompressed stream. */
  offset: number;
}

/**
 * Walks a tar stream: calls `onEntry` for every member (after long-name/pax processing); the callback
 * may consume the data with `body()`, else it is skipped.
 */
export async function walkTar(
  src: AsyncIterable<Buffer>,
  origin: string,
  onEntry: (h: TarHeader, body: () => AsyncGenerator<Buffer>) => Promise<boolean | void>,
): Promise<void> {
  const r = new ByteReader(src);
  let longName: string | null = null;
  let pax: Record<string, string> = {};
  let index = 0;
  for (;;) {
    const h = await r.read(512);
    if (h.length === 0) return; // ended at a boundary without the end blocks: accepted
    if (h.length < 512)
      throw new UserError('truncated tar: the archive ends inside a header', { file: origin });
    if (h.every((x) => x === 0)) return;
    if (!checksumOk(h))
      throw new UserError(`damaged tar: header checksum wrong at byte ${r.pos - 512}`, { file: origin });
    const type = String.fromCharCode(h[156] || 0x30);
    let size = octal(h.subarray(124, 136));
    const ustar = h.subarray(257, 262).toString('latin1') === 'ustar';
    let name = cstr(h.subarray(0, 100));
    if (ustar && h[345]) name = `${cstr(h.subarray(345, 500))}/${name}`;
    if (type === 'L' || type === 'x' || type === 'g') {
      const body = await r.read(size);
      if (body.length < size)
        throw new UserError('truncated tar: the archive ends inside a long-name header', { file: origin });
      await r.skip((512 - (size % 512)) % 512);
      if (type === 'L') longName = cstr(body);
      if (type === 'x') pax = parsePax(body);
      continue;
    }
    if (longName) name = longName;
    if (pax.path) name = pax.path;
    if (pax.size) size = Number(pax.size);
    const mtime = pax.mtime ? Number(pax.mtime) * 1000 : octal(h.subarray(136, 148)) * 1000;
    longName = null;
    pax = {};
    index++;
    const offset = r.pos;
    let consumed = 0;
    const body = async function* () {
      for await (const c of r.chunks(size - consumed)) {
        consumed += c.length;
        yield c;
      }
    };
    const hasData = type === '0' || type === '7' || type === '\0';
    const stop = await onEntry({ name, type, size: hasData ? size : 0, mtime, index, offset }, body);
    if (stop) return;
    const dataSize = hasData || type === 'S' ? size : 0;
    if (consumed < dataSize) consumed += await r.skip(dataSize - consumed);
    if (consumed < dataSize)
      throw new UserError(
        `truncated tar: entry ${name} should hold ${dataSize} bytes, the archive ends after ${consumed}`,
        { file: origin },
      );
    await r.skip((512 - (dataSize % 512)) % 512);
  }
}

export interface TarSourceOptions {
  /**
   * The archive's bytes, when it is not a file of its own (a .tar.gz inside a zip is streamed out of the
   * outer container at every pass instead of being written to disk). Default: the file at `origin`.
   */
  source?: () => Promise<Readable>;
  /** Called with every entry's declared size while listing (a nested container's expansion budget). */
  onEntrySize?: (name: string, size: number) => void;
}

export class TarFs implements EvidenceFs {
  readonly kind: 'tar' | 'tar.gz';
  readonly refused: RefusedEntry[] = [];
  private table: NameTable<TarItem> | null = null;
  /** SHA-256 and size of the archive's bytes as stored (compressed), computed while listing. */
  stored: CopyResult | null = null;

  constructor(
    readonly origin: string,
    private readonly gz: boolean,
    private readonly opts: TarSourceOptions = {},
  ) {
    this.kind = gz ? 'tar.gz' : 'tar';
  }

  private async *raw(stored?: StoredCount): AsyncGenerator<Buffer> {
    const src = this.opts.source
      ? await this.opts.source()
      : createReadStream(this.origin, { highWaterMark: 1 << 20 });
    for await (const c of src as AsyncIterable<Buffer>) {
      stored?.hash.update(c);
      if (stored) stored.size += c.length;
      yield c;
    }
  }

  /**
   * The uncompressed tar stream, as an async generator (so that a caller can keep draining it after the
   * walk stopped at the end blocks: the stored bytes are hashed to their end).
   */
  private stream(stored?: StoredCount): AsyncGenerator<Buffer> {
    const raw = Readable.from(this.raw(stored));
    if (!this.gz) return wrapGzipErrors(raw, this.origin, 'read error');
    const gun = createGunzip();
    raw.on('error', (e) => gun.destroy(e));
    gun.on('error', () => raw.destroy());
    return wrapGzipErrors(raw.pipe(gun), this.origin);
  }

  private async load(): Promise<NameTable<TarItem>> {
    if (this.table) return this.table;
    const table = new NameTable<TarItem>();
    this.refused.length = 0;
    const stored = { hash: createHash('sha256'), size: 0 };
    const src = this.stream(stored);
    await walkTar(src, this.origin, async (h) => {
      this.opts.onEntrySize?.(h.name, h.size);
      const n = normaliseEntryName(h.name);
      if ('refused' in n) {
        if (h.type !== '5') this.refused.push({ name: h.name, reason: n.refused });
        return;
      }
      if (isMacOsNoise(n.path)) {
        this.refused.push({ name: h.name, reason: '__MACOSX/ (macOS metadata): ignored' });
        return;
      }
      if (h.type === '5') return;
      if (h.type === '2')
        return void this.refused.push({ name: h.name, reason: 'symbolic link entry: refused' });
      if (h.type === '1') return void this.refused.push({ name: h.name, reason: 'hard link entry: refused' });
      if (!(h.type === '0' || h.type === '7' || h.type === '\0'))
        return void this.refused.push({
          name: h.name,
          reason: `tar entry type "${h.type}": not a regular file`,
        });
      const vfs: VfsEntry = { path: n.path, size: h.size, mtime: h.mtime };
      if (n.path !== h.name) vfs.rawName = h.name;
      table.add(n.path, h.index, { vfs, offset: h.offset, index: h.index });
    });
    // The walk stops at the end blocks: the rest (padding, a gzip trailer) is read so the digest covers it all.
    for await (const c of src) void c;
    this.stored = { sha256: stored.hash.digest('hex'), size: stored.size };
    for (const d of table.duplicates())
      this.refused.push({
        name: d.name,
        reason: `the same name ${d.indexes.length} times (entries ${d.indexes.map((i) => '#' + i).join(', ')}): kept apart as ${d.indexes.map((i) => `${d.name}#dup${i}`).join(', ')}`,
      });
    this.table = table;
    return table;
  }

  async *entries(): AsyncGenerator<VfsEntry> {
    const t = await this.load();
    for (const [name, item] of t.listed()) yield { ...item.vfs, path: name };
  }

  async stat(path: string): Promise<VfsEntry | null> {
    const it = (await this.load()).get(path, this.origin);
    return it ? { ...it.vfs, path } : null;
  }

  async open(path: string): Promise<Readable> {
    const it = (await this.load()).get(path, this.origin);
    if (!it) throw new UserError(`no entry ${path}`, { file: this.origin });
    if (!this.gz && !this.opts.source) {
      if (it.vfs.size === 0) return Readable.from([]);
      return createReadStream(this.origin, { start: it.offset, end: it.offset + it.vfs.size - 1 });
    }
    const pt = new PassThrough();
    walkTar(this.stream(), this.origin, async (h, body) => {
      if (h.index !== it.index) return;
      let n = 0;
      for await (const c of body()) {
        n += c.length;
        if (!pt.write(c)) await once(pt, 'drain');
      }
      if (n < h.size)
        throw new UserError(
          `truncated tar: entry ${h.name} should hold ${h.size} bytes, the archive ends after ${n}`,
          { file: this.origin },
        );
      pt.end();
      return true;
    }).then(
      () =>
        pt.writableEnded ||
        pt.destroy(new UserError(`entry ${path} vanished on re-read`, { file: this.origin })),
      (err: Error) => pt.destroy(err),
    );
    return pt;
  }

  async copyTo(path: string, dest: string): Promise<CopyResult> {
    return (await this.copyMany(new Map([[path, dest]]))).get(path)!;
  }

  /** One pass over the archive, writing each wanted entry as it goes by. */
  async copyMany(wanted: Map<string, string>): Promise<Map<string, CopyResult>> {
    const t = await this.load();
    const byIndex = new Map<number, { path: string; dest: string }>();
    for (const [p, dest] of wanted) {
      const it = t.get(p, this.origin);
      if (!it) throw new UserError(`no entry ${p}`, { file: this.origin });
      byIndex.set(it.index, { path: p, dest });
    }
    const out = new Map<string, CopyResult>();
    let left = byIndex.size;
    if (!left) return out;
    await walkTar(this.stream(), this.origin, async (h, body) => {
      const w = byIndex.get(h.index);
      if (!w) return;
      const res = await writeHashed(Readable.from(body()), w.dest);
      if (res.size !== h.size)
        throw new UserError(
          `truncated tar: entry ${h.name} should hold ${h.size} bytes, the archive ends after ${res.size}`,
          { file: this.origin },
        );
      out.set(w.path, res);
      return --left === 0;
    });
    return out;
  }

  async close(): Promise<void> {}
}

async function* wrapGzipErrors(
  src: AsyncIterable<Buffer>,
  origin: string,
  what = 'damaged or truncated gzip stream',
): AsyncGenerator<Buffer> {
  try {
    for await (const c of src) yield c;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${what}: ${(err as Error).message}`, { file: origin });
  }
}
