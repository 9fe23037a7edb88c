/**
 * Writes synthetic encrypted Android backups as WhatsApp lays them out (docs/evidence.md, "Encrypted Android
 * backups"): a plaintext file (a synthetic msgstore.db) is zlib-deflated, encrypted with AES-256-GCM under a
 * 16-byte IV, framed with a crypt12 fixed header or a crypt14/crypt15 protobuf `BackupPrefix`, and closed
 * with the GCM tag and the MD5 of every byte before it. Streams, so large plaintexts stay out of memory.
 * Key files are written as the device keeps them (Java-serialized byte arrays). Test data only: keys come
 * from the caller (generated in the test), never from a real device.
 */
import { createCipheriv, createHash, randomBytes, type CipherGCM } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createDeflate } from 'node:zlib';
import type { CryptFormat } from '../../evidence/android-crypt/format.js';
import { crypt15AesKey, javaSerializedBytes } from '../../evidence/android-crypt/keys.js';

// ---- a minimal protobuf writer (the reader is src/evidence/android-crypt/protobuf.ts) ----------------------
function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
export const pb = {
  int: (field: number, v: number | bigint) => Buffer.concat([varint(field << 3), varint(v)]),
  bytes: (field: number, b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b) : b;
    return Buffer.concat([varint((field << 3) | 2), varint(buf.length), buf]);
  },
  fixed32: (field: number, v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return Buffer.concat([varint((field << 3) | 5), b]);
  },
};

export interface CryptKeys {
  /** crypt12/14 key material (files/key). */
  serverSalt: Buffer;
  googleId: Buffer;
  hashedGoogleId: Buffer;
  keyIv: Buffer;
  aesKey: Buffer;
  /** crypt15 root key (files/encrypted_backup.key, or the 64 digits). */
  root: Buffer;
}

/** Fresh keys; synth passes a seeded byte source so the same seed gives the same backup. */
export function generateKeys(bytes: (n: number) => Buffer = randomBytes): CryptKeys {
  return {
    serverSalt: bytes(32),
    googleId: bytes(16),
    hashedGoogleId: bytes(32),
    keyIv: bytes(16),
    aesKey: bytes(32),
    root: bytes(32),
  };
}

/** `files/key` (158 bytes): the Java-serialized byte[131]. */
export function keyFileBytes(k: CryptKeys): Buffer {
  return javaSerializedBytes(
    Buffer.concat([Buffer.from([0, 1, 1]), k.serverSalt, k.googleId, k.hashedGoogleId, k.keyIv, k.aesKey]),
  );
}

/** `files/encrypted_backup.key` (59 bytes): the Java-serialized byte[32] root key. */
export function encryptedBackupKeyBytes(k: CryptKeys): Buffer {
  return javaSerializedBytes(k.root);
}

export interface CryptWriteOptions {
  /** Write the optional 0x01 byte after the prefix length (crypt14/15). Default true. */
  featureFlagByte?: boolean;
  appVersion?: string;
  jidSuffix?: string;
  /** Extra protobuf bytes appended to the prefix (e.g. a field this version of filet does not know). */
  extraPrefixFields?: Buffer;
  iv?: Buffer;
  /** BackupPrefix field 6 (crypt15): 3 the 64-digit key (default), 2 password, 4 passkey. */
  keyTypeNew?: number;
}

/** The header bytes (crypt12 fixed header, or length + flag + BackupPrefix). */
export function backupHeader(
  format: CryptFormat,
  k: CryptKeys,
  iv: Buffer,
  o: CryptWriteOptions = {},
): Buffer {
  if (format === 'crypt12') return Buffer.concat([Buffer.from([0, 1, 1]), k.serverSalt, k.googleId, iv]);
  const info = Buffer.concat([
    pb.bytes(1, o.appVersion ?? '2.24.10.74'),
    pb.bytes(3, o.jidSuffix ?? '23'),
    pb.int(4, 1),
    pb.int(5, 1),
    pb.int(10, 1),
    pb.int(14, 1),
    pb.int(18, 1),
  ]);
  const keyData =
    format === 'crypt14'
      ? pb.bytes(
          2,
          Buffer.concat([
            pb.bytes(1, Buffer.from([0, 1])),
            pb.bytes(2, '1'),
            pb.bytes(3, k.serverSalt),
            pb.bytes(4, k.googleId),
            pb.bytes(5, iv),
          ]),
        )
      : pb.bytes(3, pb.bytes(1, iv));
  const prefix = Buffer.concat([
    pb.int(1, format === 'crypt14' ? 0 : 1),
    keyData,
    pb.bytes(4, info),
    ...(format === 'crypt15' ? [pb.int(6, o.keyTypeNew ?? 3)] : []),
    o.extraPrefixFields ?? Buffer.alloc(0),
  ]);
  if (prefix.length > 255) throw new Error('prefix longer than 255 bytes');
  return Buffer.concat([
    Buffer.from([prefix.length]),
    ...(o.featureFlagByte === false ? [] : [Buffer.from([1])]),
    prefix,
  ]);
}

/** Encrypts `plainPath` into `outPath` as `format`; returns the header length and total size. */
export async function writeCryptBackup(
  plainPath: string,
  outPath: string,
  format: CryptFormat,
  k: CryptKeys,
  o: CryptWriteOptions = {},
): Promise<{ headerLength: number; size: number }> {
  const iv = o.iv ?? randomBytes(16);
  const key = format === 'crypt15' ? crypt15AesKey(k.root) : k.aesKey;
  const header = backupHeader(format, k, iv, o);
  const cipher = createCipheriv('aes-256-gcm', key, iv) as CipherGCM;
  const md5 = createHash('md5');
  const fh = await open(outPath, 'w');
  let size = 0;
  const put = async (b: Buffer) => {
    md5.update(b);
    size += b.length;
    await fh.write(b);
  };
  try {
    await put(header);
    const enc = createReadStream(plainPath, { highWaterMark: 1 << 20 })
      .pipe(createDeflate({ level: 1 }))
      .pipe(cipher);
    for await (const chunk of enc as AsyncIterable<Buffer>) await put(chunk);
    await put(cipher.getAuthTag());
    const digest = md5.digest();
    await fh.write(digest);
    size += 16;
    if (format === 'crypt12') {
      await fh.write(Buffer.from(`--${o.jidSuffix ?? '23'}`));
      size += 4;
    }
  } finally {
    await fh.close();
  }
  return { headerLength: header.length, size };
}
