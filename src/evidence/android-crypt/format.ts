/**
 * The layout of WhatsApp's encrypted Android backups (docs/evidence.md, "Encrypted Android backups"):
 *   crypt12: fixed 67-byte header (cipher version [0:2], key version [2], server salt [3:35], google id
 *            [35:51], IV [51:67]), ciphertext, GCM tag (16), MD5 (16), 4 trailing bytes.
 *   crypt14/15: byte 0 = length N of a protobuf `BackupPrefix`, byte 1 optionally 0x01 (a feature flag),
 *            the N-byte prefix, ciphertext, GCM tag (16), MD5 (16).
 * The MD5 covers every byte before it. The prefix is parsed field by field, never by offsets.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../../util/errors.js';
import { first, parseMessage, ProtobufError, type PbField } from './protobuf.js';

export type CryptFormat = 'crypt12' | 'crypt14' | 'crypt15';

/** BackupPrefix key types (field 1, and field 6 in newer versions). */
export const KEY_TYPES: Record<number, string> = {
  0: 'provided by WhatsApp (crypt12/crypt14 key file)',
  1: 'end-to-end (64-digit key)',
  2: 'end-to-end, derived from a password',
  3: 'end-to-end encryption key (64-digit key)',
  4: 'end-to-end, derived from a passkey',
};

export interface BackupLayout {
  format: CryptFormat;
  size: number;
  /** Ciphertext is [dataStart, dataEnd); the tag follows it, then the MD5 at md5Offset. */
  dataStart: number;
  dataEnd: number;
  md5Offset: number;
  iv: Buffer;
  /** crypt12/14: the server salt the key file must carry too. */
  serverSalt?: Buffer;
  keyType?: number;
  /** What the header said, for the evidence notes (no key material is ever in a header). */
  header: Record<string, unknown>;
}

const hex = (b: Buffer | undefined) => b?.toString('hex');
const num = (f: PbField | undefined) => (f?.int !== undefined ? Number(f.int) : undefined);
const printable = (b: Buffer) => /^[\x20-\x7e]*$/.test(b.toString('latin1'));

/** The format the file name claims, if any: msgstore.db.crypt15, msgstore-2024-01-31.1.db.crypt14, … */
export function formatFromName(path: string): CryptFormat | null {
  const m = /\.(crypt1[245])$/i.exec(basename(path));
  return m ? (m[1].toLowerCase() as CryptFormat) : null;
}

/** An older backup kept beside the current one: `msgstore-YYYY-MM-DD.1.db.crypt15`; returns the date. */
export function backupDateFromName(path: string): string | null {
  const m = /^[a-z_]+-(\d{4})-(\d{2})-(\d{2})\.\d+\.db\.crypt1[245]$/i.exec(basename(path));
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) ? null : iso;
}

function describeInfo(fields: PbField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const flags: number[] = [];
  const other: string[] = [];
  for (const f of fields) {
    if (f.field === 1 && f.bytes) out.appVersion = f.bytes.toString('utf8');
    else if (f.field === 3 && f.bytes) out.jidSuffix = f.bytes.toString('utf8');
    else if (f.field === 4 && f.wire === 0) out.backupVersion = Number(f.int);
    else if (f.field >= 5 && f.wire === 0 && f.int === 1n) flags.push(f.field);
    else if (f.field >= 5 && f.wire === 0) continue;
    else other.push(`${f.field}/${f.wire}`);
  }
  if (flags.length) out.featureFields = flags;
  if (other.length) out.unknownFields = other;
  return out;
}

export interface ParsedPrefix {
  format: 'crypt14' | 'crypt15';
  headerLength: number;
  iv: Buffer;
  serverSalt?: Buffer;
  keyType?: number;
  header: Record<string, unknown>;
}

/** Parses a crypt14/crypt15 header from the file's first bytes; throws ProtobufError/Error when it is not one. */
export function parsePrefix(head: Buffer): ParsedPrefix {
  if (head.length < 2) throw new Error('too short for a backup prefix');
  const n = head[0];
  const flag = head[1] === 0x01;
  const start = flag ? 2 : 1;
  if (n === 0 || head.length < start + n) throw new Error(`prefix of ${n} bytes runs past the end`);
  const fields = parseMessage(head.subarray(start, start + n));
  const header: Record<string, unknown> = { prefixLength: n, featureFlagByte: flag };
  const unknown: string[] = [];
  const keyTypeOld = num(first(fields, 1));
  const keyTypeNew = num(first(fields, 6));
  if (keyTypeOld !== undefined) header.keyType = keyTypeOld;
  if (keyTypeNew !== undefined) header.keyTypeNew = keyTypeNew;
  const c14 = first(fields, 2);
  const c15 = first(fields, 3);
  let iv: Buffer | undefined;
  let serverSalt: Buffer | undefined;
  let format: 'crypt14' | 'crypt15';
  if (c15?.bytes) {
    format = 'crypt15';
    iv = first(parseMessage(c15.bytes), 1)?.bytes;
  } else if (c14?.bytes) {
    format = 'crypt14';
    const c = parseMessage(c14.bytes);
    const cv = first(c, 1);
    const kv = first(c, 2);
    header.cipherVersion = cv?.bytes ? hex(cv.bytes) : num(cv);
    header.keyVersion = kv?.bytes
      ? printable(kv.bytes)
        ? kv.bytes.toString('latin1')
        : hex(kv.bytes)
      : num(kv);
    serverSalt = first(c, 3)?.bytes;
    header.serverSalt = hex(serverSalt);
    header.googleId = hex(first(c, 4)?.bytes);
    iv = first(c, 5)?.bytes;
  } else {
    throw new Error('the prefix has neither crypt14 (field 2) nor crypt15 (field 3) key data');
  }
  if (!iv || iv.length !== 16) throw new Error(`IV of ${iv?.length ?? 0} bytes (16 expected)`);
  header.iv = hex(iv);
  const info = first(fields, 4);
  if (info?.bytes) header.info = describeInfo(parseMessage(info.bytes));
  if (first(fields, 5)) header.passkeyMetadata = true;
  for (const f of fields) if (f.field > 6) unknown.push(`${f.field}/${f.wire}`);
  if (unknown.length) header.unknownFields = unknown;
  const keyType = keyTypeNew ?? keyTypeOld;
  return { format, headerLength: start + n, iv, serverSalt, keyType, header };
}

/** Reads and checks a backup's header and sizes. Errors name the file. */
export async function readBackupLayout(path: string): Promise<BackupLayout> {
  const fh = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(Math.min(size, 512));
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const named = formatFromName(path);
  const tooShort = () =>
    new UserError(
      `the encrypted backup is damaged or incomplete: ${size} bytes cannot hold its header, tag and MD5`,
      { file: path },
    );
  if (named === 'crypt12') {
    if (size < 67 + 36) throw tooShort();
    const header = {
      cipherVersion: hex(head.subarray(0, 2)),
      keyVersion: head[2],
      serverSalt: hex(head.subarray(3, 35)),
      googleId: hex(head.subarray(35, 51)),
      iv: hex(head.subarray(51, 67)),
    };
    return {
      format: 'crypt12',
      size,
      dataStart: 67,
      dataEnd: size - 36,
      md5Offset: size - 20,
      iv: Buffer.from(head.subarray(51, 67)),
      serverSalt: Buffer.from(head.subarray(3, 35)),
      keyType: 0,
      header,
    };
  }
  // The prefix length byte promises more than the file holds: cut short, not a foreign format.
  if (named && size >= 1 && size < head[0] + 2 + 32) throw tooShort();
  let p: ParsedPrefix;
  try {
    p = parsePrefix(head);
  } catch (err) {
    const why = err instanceof ProtobufError || err instanceof Error ? err.message : String(err);
    throw new UserError(`not a readable crypt14/crypt15 backup header (${why})`, { file: path });
  }
  if (named && named !== p.format)
    throw new UserError(`the file is named .${named} but its header is ${p.format}`, { file: path });
  if (size < p.headerLength + 32) throw tooShort();
  return {
    format: p.format,
    size,
    dataStart: p.headerLength,
    dataEnd: size - 32,
    md5Offset: size - 16,
    iv: Buffer.from(p.iv),
    serverSalt: p.serverSalt && Buffer.from(p.serverSalt),
    keyType: p.keyType,
    header: p.header,
  };
}
