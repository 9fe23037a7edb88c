/**
 * Property lists as iOS stores them: binary (`bplist00`) or XML. Enough of both to read preference files
 * (strings, numbers, booleans, data, dates, arrays, dictionaries, UIDs). Offsets and references are
 * checked against the buffer, and an object referring back to one being decoded is refused, so a damaged
 * or hostile file fails with an error instead of looping.
 */
export type PlistValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Buffer
  | Date
  | { uid: number }
  | PlistValue[]
  | { [key: string]: PlistValue };

export class PlistError extends Error {}

function readUInt(buf: Buffer, off: number, size: number): number {
  if (off < 0 || off + size > buf.length) throw new PlistError('binary plist: offset outside the file');
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + buf[off + i]!;
  return v;
}

export function parseBinaryPlist(buf: Buffer): PlistValue {
  if (buf.length < 40 || buf.subarray(0, 6).toString('latin1') !== 'bplist')
    throw new PlistError('not a binary plist');
  const t = buf.length - 32;
  const offSize = buf[t + 6]!;
  const refSize = buf[t + 7]!;
  const numObjects = readUInt(buf, t + 8, 8);
  const top = readUInt(buf, t + 16, 8);
  const tableOff = readUInt(buf, t + 24, 8);
  if (!offSize || !refSize || top >= numObjects || tableOff + numObjects * offSize > t)
    throw new PlistError('binary plist: damaged trailer');
  const offsets = (i: number) => readUInt(buf, tableOff + i * offSize, offSize);
  const decoding = new Set<number>();

  const lengthAt = (off: number, nibble: number): { len: number; start: number } => {
    if (nibble !== 0xf) return { len: nibble, start: off + 1 };
    const m = buf[off + 1]!;
    if (m >> 4 !== 0x1) throw new PlistError('binary plist: bad length marker');
    const size = 1 << (m & 0xf);
    return { len: readUInt(buf, off + 2, size), start: off + 2 + size };
  };

  const obj = (ref: number): PlistValue => {
    if (ref >= numObjects) throw new PlistError('binary plist: reference outside the object table');
    if (decoding.has(ref)) throw new PlistError('binary plist: an object contains itself');
    decoding.add(ref);
    try {
      const off = offsets(ref);
      if (off >= t) throw new PlistError('binary plist: object outside the file');
      const marker = buf[off]!;
      const hi = marker >> 4;
      const lo = marker & 0xf;
      switch (hi) {
        case 0x0:
          return lo === 0x8 ? false : lo === 0x9 ? true : null;
        case 0x1: {
          const size = 1 << lo;
          if (size === 8) return Number(buf.readBigInt64BE(off + 1));
          if (size > 8) throw new PlistError('binary plist: integer wider than 64 bits');
          return readUInt(buf, off + 1, size);
        }
        case 0x2:
          return lo === 2 ? buf.readFloatBE(off + 1) : buf.readDoubleBE(off + 1);
        case 0x3:
          return new Date((buf.readDoubleBE(off + 1) + 978307200) * 1000);
        case 0x4: {
          const { len, start } = lengthAt(off, lo);
          if (start + len > t) throw new PlistError('binary plist: data outside the file');
          return Buffer.from(buf.subarray(start, start + len));
        }
        case 0x5: {
          const { len, start } = lengthAt(off, lo);
          if (start + len > t) throw new PlistError('binary plist: string outside the file');
          return buf.subarray(start, start + len).toString('latin1');
        }
        case 0x6: {
          const { len, start } = lengthAt(off, lo);
          if (start + 2 * len > t) throw new PlistError('binary plist: string outside the file');
          const le = Buffer.from(buf.subarray(start, start + 2 * len));
          le.swap16();
          return le.toString('utf16le');
        }
        case 0x8:
          return { uid: readUInt(buf, off + 1, lo + 1) };
        case 0xa: {
          const { len, start } = lengthAt(off, lo);
          const out: PlistValue[] = [];
          for (let i = 0; i < len; i++) out.push(obj(readUInt(buf, start + i * refSize, refSize)));
          return out;
        }
        case 0xd: {
          const { len, start } = lengthAt(off, lo);
          const out: { [k: string]: PlistValue } = {};
          for (let i = 0; i < len; i++) {
            const k = obj(readUInt(buf, start + i * refSize, refSize));
            const v = obj(readUInt(buf, start + (len + i) * refSize, refSize));
            out[String(k)] = v;
          }
          return out;
        }
        default:
          throw new PlistError(`binary plist: unknown object type 0x${marker.toString(16)}`);
      }
    } finally {
      decoding.delete(ref);
    }
  };
  return obj(top);
}

/** The top-level string values of an XML plist's dictionary (enough for preference files). */
function parseXmlPlistStrings(xml: string): { [key: string]: PlistValue } {
  const out: { [key: string]: PlistValue } = {};
  const re = /<key>([^<]*)<\/key>\s*<string>([^<]*)<\/string>/g;
  const unescape = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  for (let m; (m = re.exec(xml));) out[unescape(m[1]!)] = unescape(m[2]!);
  return out;
}

export function parsePlist(buf: Buffer): PlistValue {
  if (buf.subarray(0, 6).toString('latin1') === 'bplist') return parseBinaryPlist(buf);
  const text = buf.toString('utf8');
  if (text.includes('<plist')) return parseXmlPlistStrings(text);
  throw new PlistError('not a property list');
}
