/**
 * Backup keys. crypt12/crypt14: the device's `files/key`, a Java-serialized `byte[131]` (158 bytes): cipher
 * version (2), key version (1), server salt (32), google id (16), hashed google id (32), IV (16), AES key
 * (32). crypt15: `files/encrypted_backup.key`, a Java-serialized `byte[32]` (59 bytes) holding the root key,
 * or the same root key as the 64 hex digits the user wrote down. crypt15's AES key is derived from the
 * root: HMAC-SHA256(HMAC-SHA256(32 zero bytes, root), "backup encryption" || 0x01).
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { UserError } from '../../util/errors.js';

/** `AC ED 00 05` (stream magic, version 5), TC_ARRAY, TC_CLASSDESC, class name "[B" (2 bytes). */
const JAVA_BYTE_ARRAY = Buffer.from('aced0005757200025b42', 'hex');
/** The byte[] class descriptor's serialVersionUID, flags, field count, end block, no superclass. */
const JAVA_BYTE_ARRAY_DESC = Buffer.from('acf317f8060854e00200007870', 'hex');
export const JAVA_HEADER_LENGTH = JAVA_BYTE_ARRAY.length + JAVA_BYTE_ARRAY_DESC.length + 4; // 27

export interface KeyFile {
  kind: 'key' | 'encrypted_backup.key';
  /** crypt12/14: the AES key; crypt15: the root key. */
  secret: Buffer;
  serverSalt?: Buffer;
  sha256: string;
  path: string;
}

/** Wraps bytes as Java serializes a `byte[]` (ObjectOutputStream.writeObject). */
export function javaSerializedBytes(payload: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(payload.length);
  return Buffer.concat([JAVA_BYTE_ARRAY, JAVA_BYTE_ARRAY_DESC, len, payload]);
}

export function loadKeyFile(path: string): KeyFile {
  let buf: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    buf = readFileSync(path);
  } catch (err) {
    throw new UserError(`key file cannot be read (${(err as Error).message})`, { file: path });
  }
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const bad = (why: string) =>
    new UserError(
      `not a WhatsApp backup key file: ${why} (expected files/key, 158 bytes, for crypt12/crypt14, or ` +
        `files/encrypted_backup.key, 59 bytes, for crypt15)`,
      { file: path },
    );
  if (buf.length < 4 || !buf.subarray(0, 4).equals(JAVA_BYTE_ARRAY.subarray(0, 4)))
    throw bad('it does not start with the Java serialization magic AC ED 00 05');
  if (buf.length !== 158 && buf.length !== 59) throw bad(`${buf.length} bytes`);
  if (!buf.subarray(0, JAVA_BYTE_ARRAY.length).equals(JAVA_BYTE_ARRAY))
    throw bad('the serialized object is not a byte array');
  const declared = buf.readUInt32BE(JAVA_HEADER_LENGTH - 4);
  if (declared !== buf.length - JAVA_HEADER_LENGTH)
    throw bad(`the array declares ${declared} bytes but holds ${buf.length - JAVA_HEADER_LENGTH}`);
  const payload = buf.subarray(JAVA_HEADER_LENGTH);
  if (buf.length === 158)
    return {
      kind: 'key',
      secret: Buffer.from(payload.subarray(payload.length - 32)),
      serverSalt: Buffer.from(payload.subarray(3, 35)),
      sha256,
      path,
    };
  return { kind: 'encrypted_backup.key', secret: Buffer.from(payload), sha256, path };
}

export const PASSWORD_BACKUP_EXPLANATION =
  'a WhatsApp end-to-end backup protected by a password cannot be decrypted offline: the password only ' +
  "unlocks the backup key kept in WhatsApp's server-side key vault; give the 64-digit key (--key) if the " +
  "user chose one, or the device's files/encrypted_backup.key (--key-file)";

/** The 64-hex-digit crypt15 root key given on the command line. */
export function rootKeyFromHex(hexKey: string): Buffer {
  const clean = hexKey.replace(/[\s-]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(clean))
    throw new UserError(
      `--key must be the 64 hexadecimal digits of the end-to-end backup key (got ${clean.length} ` +
        `characters${/^[0-9a-fA-F]*$/.test(clean) ? '' : ', not all hexadecimal'}); ${PASSWORD_BACKUP_EXPLANATION}`,
    );
  return Buffer.from(clean, 'hex');
}

/** crypt15: AES key = HMAC-SHA256(key = HMAC-SHA256(key = 0^32, msg = root), msg = "backup encryption" || 0x01). */
export function crypt15AesKey(root: Buffer): Buffer {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(root).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('backup encryption'), Buffer.from([1])]))
    .digest();
}
