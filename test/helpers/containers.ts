/**
 * Hand-built containers for the evidence file system tests: zips with any name, flag and mode exactly as
 * given (yazl refuses absolute and `..` names, which the tests need; written by synth's zip writer), and a
 * ustar writer (pax headers for long names) for .tar / .tar.gz. Stored (uncompressed) zip entries only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipBuffer } from '../../src/synth/devices/zip-writer.js';

export interface ZipSpec {
  name: string;
  data?: Buffer | string;
  /** General purpose flags (bit 0: encrypted; bit 11: UTF-8 names, set by default). */
  flags?: number;
  /** Unix mode in the external attributes (0o120777 for a symbolic link). */
  mode?: number;
  method?: number;
  /** Declared uncompressed size when it differs from the data's (an encrypted entry's header bytes). */
  uncompressedSize?: number;
}

export function rawZip(entries: ZipSpec[]): Buffer {
  return zipBuffer(
    entries.map((e) => ({
      ...e,
      data: Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8'),
    })),
  );
}

export interface TarSpec {
  name: string;
  data?: Buffer | string;
  /** '0' file (default), '2' symlink, '1' hard link, '5' directory. */
  type?: string;
  linkname?: string;
}

function header(name: string, size: number, type: string, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('14300000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(linkname, 157, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

export function tarBuffer(entries: TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8');
    const type = e.type ?? '0';
    if (Buffer.byteLength(e.name) > 100) {
      const rec = (v: string) => {
        const body = ` path=${v}\n`;
        let len = body.length + 1;
        while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
        return `${len}${body}`;
      };
      const pax = Buffer.from(rec(e.name), 'utf8');
      parts.push(header('PaxHeader', pax.length, 'x'), pax, pad(pax.length));
    }
    const size = type === '0' ? data.length : 0;
    parts.push(header(e.name, size, type, e.linkname));
    if (size) parts.push(data, pad(size));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Every file below `dir` as tar entries named `<prefix><relative path>`. */
export function treeEntries(dir: string, prefix = ''): TarSpec[] {
  const out: TarSpec[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) walk(r);
      else out.push({ name: prefix + r, data: readFileSync(join(dir, r)) });
    }
  };
  walk('');
  return out;
}

export const tarGz = (entries: TarSpec[]) => gzipSync(tarBuffer(entries));

/** A binary plist holding one dictionary of ASCII strings (as iOS writes preference files). */
export function bplistOfStrings(dict: Record<string, string>): Buffer {
  const keys = Object.keys(dict);
  const n = keys.length;
  const str = (s: string) => {
    const b = Buffer.from(s, 'latin1');
    return Buffer.concat([
      b.length < 15 ? Buffer.from([0x50 | b.length]) : Buffer.from([0x5f, 0x10, b.length]),
      b,
    ]);
  };
  const objs = [
    Buffer.from([0xd0 | n, ...keys.map((_, i) => 1 + i), ...keys.map((_, i) => 1 + n + i)]),
    ...keys.map(str),
    ...keys.map((k) => str(dict[k]!)),
  ];
  const head = Buffer.from('bplist00');
  const offsets: number[] = [];
  let pos = head.length;
  for (const o of objs) {
    offsets.push(pos);
    pos += o.length;
  }
  const table = Buffer.alloc(objs.length * 2);
  offsets.forEach((o, i) => table.writeUInt16BE(o, i * 2));
  const trailer = Buffer.alloc(32);
  trailer[6] = 2;
  trailer[7] = 1;
  trailer.writeBigUInt64BE(BigInt(objs.length), 8);
  trailer.writeBigUInt64BE(0n, 16);
  trailer.writeBigUInt64BE(BigInt(pos), 24);
  return Buffer.concat([head, ...objs, table, trailer]);
}

/** A zip of every file below `dir` (yazl), entries named `<prefix><relative path>`. */
export async function zipTree(dir: string, out: string, prefix = '', extra: TarSpec[] = []): Promise<void> {
  const yazl = (await import('yazl')).default;
  const { createWriteStream } = await import('node:fs');
  const z = new yazl.ZipFile();
  for (const e of [...treeEntries(dir, prefix), ...extra])
    z.addBuffer(Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? ''), e.name);
  z.end();
  await new Promise<void>((res, rej) =>
    z.outputStream.pipe(createWriteStream(out)).on('close', res).on('error', rej),
  );
}
