/**
 * Streaming decryption of a crypt12/14/15 backup into a plaintext file: the ciphertext is read once through
 * the AES-256-GCM decipher (16-byte IV, tag set before the data), zlib inflate and the plaintext's SHA-256,
 * while a worker thread reads the file a second time for the MD5 of every byte before the stored MD5, so
 * memory stays flat whatever the size. When that pass fails, a second pass without inflate tells the two
 * causes apart: a stored MD5 that does not match means the file is damaged (whatever the key); a matching
 * MD5 with a failing GCM tag means the key is wrong.
 */
import { createDecipheriv, createHash, type DecipherGCM } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflate } from 'node:zlib';
import { digestFileInWorker } from '../../hashing/file-digest.js';
import { UserError } from '../../util/errors.js';
import type { BackupLayout } from './format.js';

/** The key does not open the backup (GCM authentication failed while the file's own MD5 is intact). */
export class WrongKeyError extends UserError {}
/** The backup's bytes are not what WhatsApp wrote (MD5 mismatch, truncation, or corrupt content). */
export class DamagedBackupError extends UserError {}

export interface DecryptResult {
  plaintextSha256: string;
  plaintextSize: number;
  md5: string;
}

/** Read and inflate in 1 MiB pieces: larger ones did not make it faster and cost memory at every stage. */
const CHUNK = 1 << 20;
/** Buffering between the stages, so hashing, AES and inflate (zlib's thread pool) overlap. */
const HWM = 1 << 20;

async function readTail(path: string, layout: BackupLayout): Promise<{ tag: Buffer; md5: Buffer }> {
  const fh = await open(path, 'r');
  try {
    const tag = Buffer.alloc(16);
    const md5 = Buffer.alloc(16);
    await fh.read(tag, 0, 16, layout.dataEnd);
    await fh.read(md5, 0, 16, layout.md5Offset);
    return { tag, md5 };
  } finally {
    await fh.close();
  }
}

/** Hashes every byte into `md5` and passes on only the ciphertext range. */
function splitter(layout: BackupLayout, md5: ReturnType<typeof createHash>): Transform {
  let pos = 0;
  return new Transform({
    highWaterMark: HWM,
    transform(chunk: Buffer, _enc, done) {
      md5.update(chunk);
      const from = Math.max(layout.dataStart - pos, 0);
      const to = Math.min(layout.dataEnd - pos, chunk.length);
      pos += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}

function decipherFor(key: Buffer, layout: BackupLayout, tag: Buffer): DecipherGCM {
  const d = createDecipheriv('aes-256-gcm', key, layout.iv, { highWaterMark: HWM }) as DecipherGCM;
  d.setAuthTag(tag);
  return d;
}

const source = (path: string, layout: BackupLayout) =>
  createReadStream(path, { start: 0, end: layout.md5Offset - 1, highWaterMark: CHUNK });

/** The failure pass: MD5 and GCM tag only, no output. */
async function diagnose(path: string, layout: BackupLayout, key: Buffer, cause: unknown): Promise<UserError> {
  const { tag, md5: stored } = await readTail(path, layout);
  const md5 = createHash('md5');
  let tagOk = true;
  try {
    await pipeline(
      source(path, layout),
      splitter(layout, md5),
      decipherFor(key, layout, tag),
      new Writable({ write: (_c, _e, done) => done() }),
    );
  } catch {
    tagOk = false;
  }
  const computed = md5.digest();
  if (!computed.equals(stored))
    return damaged(path, layout, stored, computed, tagOk ? 'the GCM tag verifies' : 'the GCM tag fails too');
  if (!tagOk) return wrongKey(path, layout);
  return new DamagedBackupError(
    `the ${layout.format} backup decrypts and authenticates, but its content is not a zlib stream ` +
      `(${(cause as Error).message}); nothing was read`,
    { file: path },
  );
}

function damaged(path: string, layout: BackupLayout, stored: Buffer, computed: Buffer, tag: string) {
  return new DamagedBackupError(
    `the ${layout.format} backup is damaged or incomplete: the MD5 of its ${layout.md5Offset} bytes is ` +
      `${computed.toString('hex')}, the file records ${stored.toString('hex')} (${tag}); nothing was read`,
    { file: path },
  );
}

function wrongKey(path: string, layout: BackupLayout) {
  return new WrongKeyError(
    `wrong key for this ${layout.format} backup: AES-GCM authentication failed while the file's own MD5 ` +
      `checksum is intact (a key of another account, or of an older backup before the key changed?); ` +
      `nothing was read`,
    { file: path },
  );
}

/**
 * Decrypts `path` into `outPath` (created, mode 0600). On failure `outPath` is removed and the error says why.
 *
 * The MD5 over the whole file runs in a worker thread beside the decryption (it needs every byte, and on
 * one thread it cost as much as AES and the plaintext's SHA-256 together); AES-GCM and the SHA-256 run on
 * this thread, inflate and the writes on libuv's pool. Inflate — one zlib stream, which cannot be split —
 * is the slowest stage and bounds the whole (bench/crypt.bench.ts measures each stage).
 */
export async function decryptBackup(
  path: string,
  layout: BackupLayout,
  key: Buffer,
  outPath: string,
): Promise<DecryptResult> {
  const { tag, md5: stored } = await readTail(path, layout);
  const md5Job = digestFileInWorker({ path, algorithms: ['md5'], start: 0, end: layout.md5Offset });
  const sha = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      createReadStream(path, { start: layout.dataStart, end: layout.dataEnd - 1, highWaterMark: CHUNK }),
      decipherFor(key, layout, tag),
      createInflate({ chunkSize: CHUNK }),
      new Transform({
        highWaterMark: HWM,
        transform(chunk: Buffer, _e, done) {
          sha.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      }),
      createWriteStream(outPath, { flags: 'wx', mode: 0o600, highWaterMark: HWM }),
    );
  } catch (err) {
    await md5Job.cancel();
    await rm(outPath, { force: true });
    if (err instanceof UserError) throw err;
    throw await diagnose(path, layout, key, err);
  }
  let computed: Buffer;
  try {
    computed = Buffer.from((await md5Job.result).digests.md5!, 'hex');
  } catch (err) {
    await rm(outPath, { force: true });
    throw new DamagedBackupError(
      `the ${layout.format} backup could not be read to check its MD5 (${(err as Error).message}); nothing was read`,
      { file: path },
    );
  }
  if (!computed.equals(stored)) {
    await rm(outPath, { force: true });
    throw damaged(path, layout, stored, computed, 'the GCM tag verifies');
  }
  return { plaintextSha256: sha.digest('hex'), plaintextSize: size, md5: computed.toString('hex') };
}
