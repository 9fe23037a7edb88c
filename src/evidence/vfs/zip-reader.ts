/**
 * The byte source yauzl reads a zip through. yauzl asks for the central directory one record at a time
 * (46 bytes, then the name, then the extra field) and for each entry's local header (30 bytes, then the
 * name): through yauzl's own fd reader every one of those is a separate read on the thread pool, which
 * made listing a 50,000-entry extraction take seconds. Here small reads are served from one 1 MiB block
 * read ahead of them, so reading the central directory front to back, or the local headers of entries in
 * container order, costs one system call per MiB. Reads larger than a block, and entry data streams that
 * do not fit in the block, go to the file directly (positioned reads, 1 MiB chunks), so copying a large
 * entry never passes through the block or evicts it.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

const BLOCK = 1 << 20;

export class BlockReader extends yauzl.RandomAccessReader {
  private block = Buffer.alloc(0);
  private blockStart = -1;
  private closed = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly fileSize: number,
  ) {
    super();
  }

  /** Bytes [position, position + length) from the block when they are in it, else null. */
  private cached(position: number, length: number): Buffer | null {
    if (this.blockStart < 0 || position < this.blockStart) return null;
    const from = position - this.blockStart;
    return from + length <= this.block.length ? this.block.subarray(from, from + length) : null;
  }

  private async load(position: number): Promise<void> {
    const size = Math.min(BLOCK, Math.max(0, this.fileSize - position));
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await this.fh.read(buf, got, size - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.block = buf.subarray(0, got);
    this.blockStart = position;
  }

  /** Reads exactly `length` bytes at `position` (fewer only at the end of the file). */
  async readAt(position: number, length: number): Promise<Buffer> {
    const hit = this.cached(position, length);
    if (hit) return hit;
    if (length > BLOCK / 2) {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await this.fh.read(buf, got, length - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    }
    await this.load(position);
    return this.cached(position, length) ?? this.block.subarray(0, Math.min(length, this.block.length));
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    this.readAt(position, length).then(
      (bytes) => {
        bytes.copy(buffer, offset);
        // yauzl treats a short read as "unexpected EOF" itself, as with its own fd reader.
        callback(bytes.length < length ? new Error('unexpected EOF') : null);
      },
      (err: Error) => callback(err),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const hit = this.cached(start, end - start);
    // A copy: the block is replaced when the next read misses it.
    if (hit) return Readable.from([Buffer.from(hit)], { objectMode: false });
    return new RangeStream(this.fh, start, end);
  }

  override close(callback: (err: Error | null) => void): void {
    if (this.closed) return callback(null);
    this.closed = true;
    this.fh.close().then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }
}

/**
 * Bytes [start, end) of the shared file handle, in 1 MiB positioned reads. Not fs.createReadStream: a
 * destroyed fs stream closes its descriptor, and every entry stream shares the container's one handle.
 */
class RangeStream extends Readable {
  private pos: number;

  constructor(
    private readonly fh: FileHandle,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: BLOCK });
    this.pos = start;
  }

  override _read(): void {
    const n = Math.min(BLOCK, this.end - this.pos);
    if (n <= 0) return void this.push(null);
    const buf = Buffer.allocUnsafe(n);
    this.fh.read(buf, 0, n, this.pos).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) return this.destroy(new Error('unexpected EOF'));
        this.pos += bytesRead;
        this.push(bytesRead < n ? buf.subarray(0, bytesRead) : buf);
      },
      (err: Error) => this.destroy(err),
    );
  }
}
