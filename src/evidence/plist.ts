/**
 * Property lists as iOS stores them (backups, app preferences): binary (`bplist00`) and XML. Values map to JS as
 * string, number (integers and reals), bigint (integers beyond 2^53), boolean, Date, Buffer (data), arrays,
 * plain objects (dictionaries), null, and `PlistUid` (the object references NSKeyedArchiver uses).
 * The writer is used by the synthetic backup writer; integers are written as integers, other numbers as reals.
 */
import { UserError } from '../util/errors.js';

export class PlistUid {
  constructor(readonly value: number) {}
}

export type PlistValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Buffer
  | null
  | PlistUid
  | PlistValue[]
  | { [key: string]: PlistValue };

export type PlistDict = { [key: string]: PlistValue };

const APPLE_EPOCH_MS = 978307200000;
const MAX_OBJECTS = 5_000_000;

/** Parses a binary or XML property list. */
export function parsePlist(buf: Buffer, what = 'property list'): PlistValue {
  if (buf.subarray(0, 8).toString('latin1') === 'bplist00') return parseBinary(buf, what);
  const head = buf.subarray(0, 512).toString('utf8').trimStart();
  if (head.startsWith('<?xml') || head.startsWith('<plist') || head.startsWith('<!DOCTYPE'))
    return parseXml(buf.toString('utf8'), what);
  throw new UserError(`${what}: not a property list (neither bplist00 nor XML)`);
}

function parseBinary(buf: Buffer, what: string): PlistValue {
  const bad = (m: string): never => {
    throw new UserError(`${what}: damaged binary property list (${m})`);
  };
  if (buf.length < 40) bad('too short');
  const t = buf.length - 32;
  const offSize = buf[t + 6]!;
  const refSize = buf[t + 7]!;
  const numObjects = Number(buf.readBigUInt64BE(t + 8));
  const top = Number(buf.readBigUInt64BE(t + 16));
  const tableAt = Number(buf.readBigUInt64BE(t + 24));
  if (!offSize || !refSize || numObjects > MAX_OBJECTS || top >= numObjects) bad('trailer');
  if (tableAt + numObjects * offSize > t) bad('offset table');
  const uint = (at: number, n: number): number => {
    if (at + n > buf.length) bad('read past the end');
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + buf[at + i]!;
    return v;
  };
  const offsets: number[] = [];
  for (let i = 0; i < numObjects; i++) offsets.push(uint(tableAt + i * offSize, offSize));
  const active = new Set<number>();
  const readObj = (ref: number): PlistValue => {
    if (ref >= numObjects) bad(`reference ${ref} out of range`);
    if (active.has(ref)) bad('cyclic reference');
    active.add(ref);
    try {
      return readAt(offsets[ref]!);
    } finally {
      active.delete(ref);
    }
  };
  const count = (at: number, low: number): [number, number] => {
    if (low !== 0xf) return [low, at + 1];
    const m = buf[at + 1]!;
    if (m >> 4 !== 1) bad('count marker');
    const n = 1 << (m & 0xf);
    return [uint(at + 2, n), at + 2 + n];
  };
  const readAt = (at: number): PlistValue => {
    if (at >= t) bad('object offset');
    const m = buf[at]!;
    const hi = m >> 4;
    const lo = m & 0xf;
    switch (hi) {
      case 0:
        if (m === 0x00) return null;
        if (m === 0x08) return false;
        if (m === 0x09) return true;
        return bad(`marker 0x${m.toString(16)}`);
      case 1: {
        const n = 1 << lo;
        if (n === 8) {
          const v = buf.readBigInt64BE(at + 1);
          return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        }
        if (n === 16) return buf.readBigInt64BE(at + 9);
        return uint(at + 1, n);
      }
      case 2:
        if (lo === 2) return buf.readFloatBE(at + 1);
        if (lo === 3) return buf.readDoubleBE(at + 1);
        return bad('real size');
      case 3:
        if (m !== 0x33) bad('date marker');
        return new Date(APPLE_EPOCH_MS + buf.readDoubleBE(at + 1) * 1000);
      case 4: {
        const [n, s] = count(at, lo);
        if (s + n > t) bad('data length');
        return Buffer.from(buf.subarray(s, s + n));
      }
      case 5: {
        const [n, s] = count(at, lo);
        if (s + n > t) bad('string length');
        return buf.subarray(s, s + n).toString('latin1');
      }
      case 6: {
        const [n, s] = count(at, lo);
        if (s + 2 * n > t) bad('string length');
        const b = Buffer.from(buf.subarray(s, s + 2 * n));
        return b.swap16().toString('utf16le');
      }
      case 8:
        return new PlistUid(uint(at + 1, lo + 1));
      case 0xa: {
        const [n, s] = count(at, lo);
        const out: PlistValue[] = [];
        for (let i = 0; i < n; i++) out.push(readObj(uint(s + i * refSize, refSize)));
        return out;
      }
      case 0xd: {
        const [n, s] = count(at, lo);
        const out: PlistDict = {};
        for (let i = 0; i < n; i++) {
          const k = readObj(uint(s + i * refSize, refSize));
          if (typeof k !== 'string') bad('dictionary key is not a string');
          out[k as string] = readObj(uint(s + (n + i) * refSize, refSize));
        }
        return out;
      }
      default:
        return bad(`marker 0x${m.toString(16)}`);
    }
  };
  return readObj(top);
}

/** Writes a binary property list (`bplist00`). */
export function writeBinaryPlist(root: PlistValue): Buffer {
  const objects: Buffer[] = [];
  const pending: Array<{ idx: number; refs: number[]; marker: number; n: number }> = [];
  const sizeHeader = (hi: number, n: number): Buffer =>
    n < 15 ? Buffer.from([(hi << 4) | n]) : Buffer.concat([Buffer.from([(hi << 4) | 0xf]), intBytes(n)]);
  const add = (v: PlistValue): number => {
    const idx = objects.length;
    objects.push(Buffer.alloc(0));
    if (v === null) objects[idx] = Buffer.from([0]);
    else if (v === false) objects[idx] = Buffer.from([0x08]);
    else if (v === true) objects[idx] = Buffer.from([0x09]);
    else if (typeof v === 'bigint') {
      const b = Buffer.alloc(9);
      b[0] = 0x13;
      b.writeBigInt64BE(v, 1);
      objects[idx] = b;
    } else if (typeof v === 'number') {
      if (Number.isInteger(v)) objects[idx] = intBytes(v);
      else {
        const b = Buffer.alloc(9);
        b[0] = 0x23;
        b.writeDoubleBE(v, 1);
        objects[idx] = b;
      }
    } else if (v instanceof Date) {
      const b = Buffer.alloc(9);
      b[0] = 0x33;
      b.writeDoubleBE((v.getTime() - APPLE_EPOCH_MS) / 1000, 1);
      objects[idx] = b;
    } else if (Buffer.isBuffer(v)) objects[idx] = Buffer.concat([sizeHeader(4, v.length), v]);
    else if (typeof v === 'string') {
      if (isAscii(v)) objects[idx] = Buffer.concat([sizeHeader(5, v.length), Buffer.from(v, 'latin1')]);
      else {
        const b = Buffer.from(v, 'utf16le').swap16();
        objects[idx] = Buffer.concat([sizeHeader(6, b.length / 2), b]);
      }
    } else if (v instanceof PlistUid) {
      const n = v.value < 256 ? 1 : v.value < 65536 ? 2 : 4;
      const b = Buffer.alloc(1 + n);
      b[0] = 0x80 | (n - 1);
      b.writeUIntBE(v.value, 1, n);
      objects[idx] = b;
    } else if (Array.isArray(v)) {
      const refs = v.map(add);
      pending.push({ idx, refs, marker: 0xa, n: v.length });
    } else {
      const keys = Object.keys(v);
      const krefs = keys.map((k) => add(k));
      const vrefs = keys.map((k) => add(v[k]!));
      pending.push({ idx, refs: [...krefs, ...vrefs], marker: 0xd, n: keys.length });
    }
    return idx;
  };
  const top = add(root);
  const refSize = objects.length < 256 ? 1 : objects.length < 65536 ? 2 : 4;
  for (const p of pending) {
    const r = Buffer.alloc(p.refs.length * refSize);
    p.refs.forEach((ref, i) => r.writeUIntBE(ref, i * refSize, refSize));
    objects[p.idx] = Buffer.concat([sizeHeader(p.marker, p.n), r]);
  }
  const parts: Buffer[] = [Buffer.from('bplist00', 'latin1')];
  const offsets: number[] = [];
  let pos = 8;
  for (const o of objects) {
    offsets.push(pos);
    parts.push(o);
    pos += o.length;
  }
  const offSize = pos < 256 ? 1 : pos < 65536 ? 2 : 4;
  const table = Buffer.alloc(offsets.length * offSize);
  offsets.forEach((o, i) => table.writeUIntBE(o, i * offSize, offSize));
  const trailer = Buffer.alloc(32);
  trailer[6] = offSize;
  trailer[7] = refSize;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(BigInt(top), 16);
  trailer.writeBigUInt64BE(BigInt(pos), 24);
  return Buffer.concat([...parts, table, trailer]);
}

const isAscii = (s: string) => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
};

function intBytes(v: number): Buffer {
  if (v >= 0 && v < 256) return Buffer.from([0x10, v]);
  if (v >= 0 && v < 65536) {
    const b = Buffer.alloc(3);
    b[0] = 0x11;
    b.writeUInt16BE(v, 1);
    return b;
  }
  if (v >= 0 && v < 2 ** 32) {
    const b = Buffer.alloc(5);
    b[0] = 0x12;
    b.writeUInt32BE(v, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0x13;
  b.writeBigInt64BE(BigInt(v), 1);
  return b;
}

// ---- XML ----

const unescape = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-f]+|#\d+);/gi, (_, e: string) => {
    const l = e.toLowerCase();
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'amp') return '&';
    if (l === 'quot') return '"';
    if (l === 'apos') return "'";
    return String.fromCodePoint(l.startsWith('#x') ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10));
  });
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function parseXml(xml: string, what: string): PlistValue {
  const re = /<(\/?)([A-Za-z]+)\s*(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<plist[^>]*>/g;
  type Frame = { kind: 'array'; items: PlistValue[] } | { kind: 'dict'; obj: PlistDict; key: string | null };
  const stack: Frame[] = [];
  let result: PlistValue | undefined;
  let textStart = 0;
  let open: string | null = null;
  const bad = (m: string): never => {
    throw new UserError(`${what}: damaged XML property list (${m})`);
  };
  const put = (v: PlistValue) => {
    const f = stack[stack.length - 1];
    if (!f) result = v;
    else if (f.kind === 'array') f.items.push(v);
    else {
      if (f.key === null) bad('value without key');
      f.obj[f.key!] = v;
      f.key = null;
    }
  };
  const scalar = (tag: string, text: string): PlistValue => {
    switch (tag) {
      case 'string':
        return unescape(text);
      case 'integer': {
        const b = BigInt(text.trim());
        return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
      }
      case 'real':
        return Number(text.trim());
      case 'date':
        return new Date(text.trim());
      case 'data':
        return Buffer.from(text.replace(/\s+/g, ''), 'base64');
      default:
        return bad(`tag <${tag}>`);
    }
  };
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const [, close, tag, selfClose] = m;
    if (!tag || tag === 'plist') continue;
    if (open) {
      if (close && tag === open) {
        const text = xml.slice(textStart, m.index);
        if (open === 'key') {
          const f = stack[stack.length - 1];
          if (!f || f.kind !== 'dict') bad('key outside a dictionary');
          (f as { key: string | null }).key = unescape(text);
        } else put(scalar(open, text));
        open = null;
        continue;
      }
      bad(`unexpected <${tag}> inside <${open}>`);
    }
    if (close) {
      const f = stack.pop();
      if (!f || (tag === 'array') !== (f.kind === 'array')) bad(`unbalanced </${tag}>`);
      put(f!.kind === 'array' ? f!.items : f!.obj);
      continue;
    }
    if (tag === 'true' || tag === 'false') {
      put(tag === 'true');
      if (!selfClose) open = null;
      continue;
    }
    if (tag === 'array' || tag === 'dict') {
      if (selfClose) put(tag === 'array' ? [] : {});
      else stack.push(tag === 'array' ? { kind: 'array', items: [] } : { kind: 'dict', obj: {}, key: null });
      continue;
    }
    if (selfClose) {
      put(tag === 'key' ? bad('empty key') : scalar(tag, ''));
      continue;
    }
    open = tag;
    textStart = m.index + m[0].length;
  }
  if (result === undefined || stack.length) bad('incomplete');
  return result!;
}

/** Writes an XML property list, as Apple writes Info.plist. */
export function writeXmlPlist(root: PlistValue): Buffer {
  const out: string[] = [];
  const emit = (v: PlistValue, ind: string) => {
    if (v === null) throw new Error('XML property lists have no null');
    if (typeof v === 'boolean') out.push(`${ind}<${v}/>`);
    else if (typeof v === 'bigint') out.push(`${ind}<integer>${v}</integer>`);
    else if (typeof v === 'number')
      out.push(Number.isInteger(v) ? `${ind}<integer>${v}</integer>` : `${ind}<real>${v}</real>`);
    else if (typeof v === 'string') out.push(`${ind}<string>${escape(v)}</string>`);
    else if (v instanceof Date) out.push(`${ind}<date>${v.toISOString().replace(/\.\d{3}Z$/, 'Z')}</date>`);
    else if (Buffer.isBuffer(v)) out.push(`${ind}<data>${v.toString('base64')}</data>`);
    else if (v instanceof PlistUid) throw new Error('XML property lists have no UID');
    else if (Array.isArray(v)) {
      out.push(`${ind}<array>`);
      for (const x of v) emit(x, ind + '\t');
      out.push(`${ind}</array>`);
    } else {
      out.push(`${ind}<dict>`);
      for (const [k, x] of Object.entries(v)) {
        out.push(`${ind}\t<key>${escape(k)}</key>`);
        emit(x, ind + '\t');
      }
      out.push(`${ind}</dict>`);
    }
  };
  emit(root, '');
  return Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" ' +
      '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n' +
      out.join('\n') +
      '\n</plist>\n',
    'utf8',
  );
}

export function isDict(v: PlistValue | undefined): v is PlistDict {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !Buffer.isBuffer(v) &&
    !(v instanceof Date) &&
    !(v instanceof PlistUid)
  );
}
