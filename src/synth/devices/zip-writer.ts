/**
 * A minimal zip writer for the synthetic vendor containers and the tests' hand-built zips: entries under any
 * name exactly as given — GrayKey writes absolute names (`/private/var/…`), and the tests need `..` names,
 * links and encrypted flags, all of which yazl refuses — with a fixed modification time so that the same
 * input gives byte-identical zips. No zip64: synthetic devices are small.
 */
import { crc32 } from 'node:zlib';

export interface ZipInput {
  name: string;
  data: Buffer;
  /** General purpose flags (default 0x800, UTF-8 names; bit 0 marks an encrypted entry). */
  flags?: number;
  /** Unix mode in the external attributes (default 0o100644; 0o120777 is a symbolic link). */
  mode?: number;
  /** Compression method as recorded (default 0, stored: the data is written as given). */
  method?: number;
  /** Declared uncompressed size when it differs from the data's length (e.g. an encrypted entry). */
  uncompressedSize?: number;
}

// 2020-01-01 00:00 in DOS date/time: synthetic output carries no clock.
const DOS_TIME = 0;
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;

export function zipBuffer(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data);
    const flags = e.flags ?? 0x800; // UTF-8 names
    const method = e.method ?? 0;
    const size = e.uncompressedSize ?? e.data.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(DOS_TIME, 10);
    lh.writeUInt16LE(DOS_DATE, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(e.data.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    locals.push(lh, name, e.data);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(0x031e, 4); // made by Unix
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(DOS_TIME, 12);
    ch.writeUInt16LE(DOS_DATE, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(e.data.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    centrals.push(ch, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}
