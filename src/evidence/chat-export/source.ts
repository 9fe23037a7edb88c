/**
 * Where the chat text and its media come from: a `.txt` (media may sit beside it) or a `.zip` read in
 * place with yauzl. Nothing is extracted or written. Zip entries are checked before any is read: unsafe
 * names, declared sizes over the limits and bomb-like compression ratios stop the reading.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { digestFile, digestStream, type Digests } from '../../hashing/digests.js';
import { UserError } from '../../util/errors.js';
import { subjectFromFileName } from './locales.js';

export const DEFAULT_LIMITS = {
  maxEntryBytes: 2 * 1024 ** 3,
  maxTotalBytes: 8 * 1024 ** 3,
  /** uncompressed : compressed, checked on entries larger than `ratioMinBytes`. */
  maxRatio: 200,
  ratioMinBytes: 1024 ** 2,
};
export type Limits = typeof DEFAULT_LIMITS;

export interface MediaFile {
  digests: Digests;
  /** Zip entry name or a path relative to the text file's folder. */
  ref: string;
  locKind: 'zip-entry' | 'file';
}

export interface ChatSource {
  kind: 'chat-export-txt' | 'chat-export-zip';
  /** Zip entry holding the text (null for a plain `.txt`). */
  textEntry: string | null;
  /** Chat name from the file names (`WhatsApp Chat with X.txt`, `WhatsApp Chat - X.zip`). */
  nameSubject: string | null;
  openText(): Promise<Readable>;
  media(name: string): Promise<MediaFile | null>;
  close(): void;
}

export async function isZip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.readUInt32LE(0) === 0x04034b50;
  } finally {
    await fh.close();
  }
}

export async function openSource(path: string, limits?: Partial<Limits>): Promise<ChatSource> {
  return (await isZip(path)) ? openZip(path, { ...DEFAULT_LIMITS, ...limits }) : openTxt(path);
}

function openTxt(path: string): ChatSource {
  const dir = dirname(path);
  const cache = new Map<string, Promise<MediaFile | null>>();
  return {
    kind: 'chat-export-txt',
    textEntry: null,
    nameSubject: subjectFromFileName(basename(path)),
    openText: async () => createReadStream(path, { highWaterMark: 1 << 20 }),
    media(name) {
      // Only a plain file name, beside the text: a name from the text must never reach elsewhere.
      if (!name || /[/\\]/.test(name) || name === '.' || name === '..') return Promise.resolve(null);
      let p = cache.get(name);
      if (!p) {
        const full = join(dir, name);
        p = stat(full).then(
          async (s) =>
            s.isFile() ? { digests: await digestFile(full), ref: name, locKind: 'file' as const } : null,
          () => null,
        );
        cache.set(name, p);
      }
      return p;
    },
    close() {},
  };
}

function zipError(path: string, err: unknown, entry?: string): UserError {
  if (err instanceof UserError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const unsafe = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(msg);
  if (unsafe)
    return new UserError(`unsafe zip entry name (${unsafe[1]}); refusing the archive`, {
      file: path,
      entry: unsafe[2],
    });
  return new UserError(`damaged or truncated zip: ${msg}`, { file: path, entry });
}

/** Picks the chat text among the entries: `_chat.txt` (iOS), a localized chat name, else the only `.txt`. */
function pickText(names: string[]): string | null {
  const txt = names.filter((n) => /\.txt$/i.test(n));
  return (
    txt.find((n) => basename(n) === '_chat.txt') ??
    txt.find((n) => subjectFromFileName(basename(n)) !== null) ??
    (txt.length === 1 ? txt[0]! : null)
  );
}

async function openZip(path: string, limits: Limits): Promise<ChatSource> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (err) {
    throw zipError(path, err);
  }
  const entries = new Map<string, yauzl.Entry>();
  const byBase = new Map<string, yauzl.Entry>();
  try {
    let total = 0;
    for await (const e of zip.eachEntry()) {
      if (e.fileName.endsWith('/')) continue;
      const where = { file: path, entry: e.fileName };
      if (e.uncompressedSize > limits.maxEntryBytes)
        throw new UserError(
          `entry of ${e.uncompressedSize} bytes exceeds the per-entry limit of ${limits.maxEntryBytes}`,
          where,
        );
      total += e.uncompressedSize;
      if (total > limits.maxTotalBytes)
        throw new UserError(
          `archive expands to more than the total limit of ${limits.maxTotalBytes} bytes`,
          where,
        );
      const ratio = e.uncompressedSize / Math.max(e.compressedSize, 1);
      if (e.uncompressedSize > limits.ratioMinBytes && ratio > limits.maxRatio)
        throw new UserError(
          `compression ratio ${Math.round(ratio)}:1 exceeds ${limits.maxRatio}:1 (zip bomb?); refusing the archive`,
          where,
        );
      const nfc = e.fileName.normalize('NFC');
      entries.set(nfc, e);
      const b = basename(nfc);
      if (!byBase.has(b)) byBase.set(b, e);
    }
  } catch (err) {
    zip.close();
    throw zipError(path, err);
  }
  const textName = pickText([...entries.keys()]);
  if (!textName) {
    zip.close();
    throw new UserError('no chat text (.txt) inside the zip', { file: path });
  }
  const textEntry = entries.get(textName)!;
  const stream = async (e: yauzl.Entry): Promise<Readable> => {
    try {
      return await zip.openReadStreamPromise(e);
    } catch (err) {
      throw zipError(path, err, e.fileName);
    }
  };
  const cache = new Map<string, Promise<MediaFile | null>>();
  return {
    kind: 'chat-export-zip',
    textEntry: textEntry.fileName,
    nameSubject: subjectFromFileName(basename(textName)) ?? subjectFromFileName(basename(path)),
    openText: () => stream(textEntry),
    media(name) {
      const n = name.normalize('NFC');
      const e = entries.get(n) ?? byBase.get(basename(n));
      if (!e) return Promise.resolve(null);
      let p = cache.get(e.fileName);
      if (!p) {
        p = stream(e)
          .then(async (s) => ({
            digests: await digestStream(s),
            ref: e.fileName,
            locKind: 'zip-entry' as const,
          }))
          .catch((err: unknown) => Promise.reject(zipError(path, err, e.fileName)));
        cache.set(e.fileName, p);
      }
      return p;
    },
    close: () => zip.close(),
  };
}

/** Longest line accepted: a text without line breaks this long is not a chat. */
const MAX_LINE = 64 * 1024 * 1024;

/**
 * Lines of a UTF-8 stream, in batches (one per chunk), without holding the file. Invalid UTF-8 stops
 * the reading with the file and line named; CR LF and a leading BOM are handled.
 */
export async function* readLines(
  stream: Readable,
  where: { file: string; entry?: string },
): AsyncGenerator<{ first: number; lines: string[] }> {
  let carry: Buffer | null = null;
  let lineNo = 0;
  const decode = (buf: Buffer): string[] => {
    if (!isUtf8(buf)) {
      let start = 0;
      for (let n = lineNo + 1; start <= buf.length; n++) {
        const nl = buf.indexOf(10, start);
        const end = nl < 0 ? buf.length : nl;
        if (!isUtf8(buf.subarray(start, end)))
          throw new UserError('invalid UTF-8 in the chat text', { ...where, line: n });
        start = end + 1;
      }
      throw new UserError('invalid UTF-8 in the chat text', where);
    }
    let s = buf.toString('utf8');
    if (lineNo === 0 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    const lines = s.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
    }
    return lines;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const last = buf.lastIndexOf(10);
      if (last < 0) {
        carry = buf;
        if (carry.length > MAX_LINE)
          throw new UserError(`a line longer than ${MAX_LINE} bytes: not a chat export`, where);
        continue;
      }
      const lines = decode(buf.subarray(0, last));
      const first = lineNo + 1;
      lineNo += lines.length;
      carry = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : null;
      yield { first, lines };
    }
    if (carry && carry.length) {
      const lines = decode(carry);
      const first = lineNo + 1;
      lineNo += lines.length;
      yield { first, lines };
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `cannot read the chat text: ${err instanceof Error ? err.message : String(err)}`,
      where,
    );
  } finally {
    stream.destroy();
  }
}
