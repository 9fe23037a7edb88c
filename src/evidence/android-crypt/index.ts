/**
 * Reader for WhatsApp's encrypted Android backups `msgstore.db.crypt12 / .crypt14 / .crypt15` (and the
 * dated older copies `msgstore-YYYY-MM-DD.1.db.crypt1X`). The evidence item is the encrypted file as
 * received; it is decrypted (format.ts, keys.ts, decrypt.ts) into a private working copy — a fresh folder
 * (mode 0700) under `options.decryption.workDir` (the CLI gives the case's `working/`) or the system
 * temporary folder — which the Android msgstore reader then reads, media, wa.db and shared_prefs being
 * looked up beside the encrypted file. The folder is removed afterwards, whatever happens. The notes record
 * the format, the header, where the key came from (a key file's path and SHA-256, or "given on the command
 * line"; never the key) and the plaintext's SHA-256 and size.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { EvidenceReader, ParsedRecord, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { sha256File } from '../../hashing/digests.js';
import { UserError } from '../../util/errors.js';
import { androidMsgstoreReader } from '../android-msgstore/index.js';
import { forgetScratchLocations } from '../wa-db/sqlite.js';
import { decryptBackup, WrongKeyError } from './decrypt.js';
import {
  backupDateFromName,
  formatFromName,
  KEY_TYPES,
  parsePrefix,
  readBackupLayout,
  type BackupLayout,
} from './format.js';
import { crypt15AesKey, loadKeyFile, PASSWORD_BACKUP_EXPLANATION, rootKeyFromHex } from './keys.js';

async function detect(path: string): Promise<number> {
  const named = formatFromName(path);
  const fh = await open(path, 'r');
  const head = Buffer.alloc(512);
  let n: number;
  try {
    n = (await fh.read(head, 0, 512, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  if (named === 'crypt12') return n >= 67 && head[0] === 0 && head[1] === 1 ? 0.9 : 0.6;
  try {
    const p = parsePrefix(head.subarray(0, n));
    // Unnamed (renamed, carved): only a prefix that also states its key type, and then barely over the bar.
    return named ? 0.95 : p.keyType !== undefined ? 0.55 : 0;
  } catch {
    // A .crypt14/.crypt15 name with an unreadable header: still ours, read() says what is wrong.
    return named ? 0.6 : 0;
  }
}

export function keyFor(
  path: string,
  layout: BackupLayout,
  options: ReaderOptions,
  notes: Record<string, unknown>,
): Buffer {
  const d = options.decryption ?? {};
  const passwordLike = layout.keyType === 2 || layout.keyType === 4;
  if (!d.keyFile && !d.keyHex) {
    const kind = layout.keyType === 2 ? 'password' : 'passkey';
    const hint =
      layout.format === 'crypt15'
        ? '--key-file (files/encrypted_backup.key from the device) or --key (the 64-digit end-to-end key); ' +
          `if the user protected the backup with a password instead: ${PASSWORD_BACKUP_EXPLANATION}`
        : '--key-file (files/key from the device)';
    throw new UserError(
      passwordLike
        ? `this ${layout.format} backup is protected by a ${kind}: ${PASSWORD_BACKUP_EXPLANATION}`
        : `encrypted ${layout.format} backup: give its key with ${hint}`,
      { file: path },
    );
  }
  if (d.keyFile && d.keyHex) throw new UserError('give either --key-file or --key, not both');
  if (d.keyHex) {
    if (layout.format !== 'crypt15')
      throw new UserError(
        `a 64-digit key opens crypt15 backups only; this ${layout.format} backup needs the device's files/key (--key-file)`,
        { file: path },
      );
    notes.keySource = {
      kind: '64-digit key',
      given: `${d.keyHexSource ?? 'hex given on the command line'} (not recorded)`,
    };
    return crypt15AesKey(rootKeyFromHex(d.keyHex));
  }
  const kf = loadKeyFile(resolve(d.keyFile!));
  notes.keySource = { kind: kf.kind, keyFile: kf.path, keyFileSha256: kf.sha256 };
  if (layout.format === 'crypt15') {
    if (kf.kind !== 'encrypted_backup.key')
      throw new UserError(
        `this is a crypt12/crypt14 key file (files/key); a crypt15 backup needs files/encrypted_backup.key or the 64-digit key`,
        { file: kf.path },
      );
    return crypt15AesKey(kf.secret);
  }
  if (kf.kind !== 'key')
    throw new UserError(
      `this is a crypt15 key file (encrypted_backup.key); a ${layout.format} backup needs the device's files/key`,
      { file: kf.path },
    );
  if (layout.serverSalt && kf.serverSalt && !layout.serverSalt.equals(kf.serverSalt))
    notes.keyFileServerSaltDiffers = true;
  return kf.secret;
}

/**
 * WhatsApp backs up wa.db (contacts, group creators) as `wa.db.crypt15` beside `msgstore.db.crypt15`, under
 * the same key. When no plain wa.db is beside the backup, it is decrypted into the private folder and read
 * as the instance's wa.db; one that does not decrypt is recorded as not used (the messages are still read).
 */
async function decryptWaDbBeside(
  path: string,
  layout: BackupLayout,
  key: Buffer,
  work: string,
  enc: Record<string, unknown>,
): Promise<string | null> {
  const dir = dirname(resolve(path));
  const waCrypt = join(dir, 'wa.db.crypt15');
  if (layout.format !== 'crypt15' || existsSync(join(dir, 'wa.db'))) return null;
  // A regular file only, never through a symbolic link.
  if (!lstatSync(waCrypt, { throwIfNoEntry: false })?.isFile()) return null;
  const out = join(work, 'wa.db');
  try {
    const wl = await readBackupLayout(waCrypt);
    const w = await decryptBackup(waCrypt, wl, key, out);
    enc.waDb = {
      source: waCrypt,
      sha256: (await sha256File(waCrypt)).sha256,
      format: wl.format,
      md5: w.md5,
      plaintext: { sha256: w.plaintextSha256, size: w.plaintextSize },
      use: 'decrypted with the same key and read as the instance wa.db',
    };
    return out;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    enc.waDb = { source: waCrypt, used: false, reason: err.message };
    return null;
  }
}

async function* read(path: string, options: ReaderOptions, notes: ReaderNotes): AsyncGenerator<ParsedRecord> {
  const layout = await readBackupLayout(path);
  const enc: Record<string, unknown> = {
    format: layout.format,
    size: layout.size,
    header: layout.header,
  };
  if (layout.keyType !== undefined) enc.keyType = KEY_TYPES[layout.keyType] ?? `unknown (${layout.keyType})`;
  const date = backupDateFromName(path);
  if (date) enc.olderBackupOf = date;
  notes.encryptedBackup = enc;
  const key = keyFor(path, layout, options, enc);
  const base = options.decryption?.workDir ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const work = mkdtempSync(join(base, `filet-decrypt-${randomBytes(4).toString('hex')}-`));
  try {
    const plain = join(work, 'msgstore.db');
    const r = await decryptBackup(path, layout, key, plain).catch((err: unknown) => {
      if (err instanceof WrongKeyError && (layout.keyType === 2 || layout.keyType === 4))
        throw new WrongKeyError(`${err.message}; ${PASSWORD_BACKUP_EXPLANATION}`);
      throw err;
    });
    enc.md5 = r.md5;
    enc.plaintext = { sha256: r.plaintextSha256, size: r.plaintextSize };
    enc.workingCopy = `decrypted into a private folder under ${base}, removed after reading`;
    const waDbPath = await decryptWaDbBeside(path, layout, key, work, enc).finally(() => key.fill(0));
    yield* androidMsgstoreReader.read(
      plain,
      { ...options, layoutFrom: path, ...(waDbPath ? { waDbPath } : {}) },
      notes,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    forgetScratchLocations(notes, work);
  }
}

export const androidCryptReader: EvidenceReader = {
  kind: 'android-msgstore-crypt',
  description: 'Android WhatsApp encrypted backup msgstore.db.crypt12/.crypt14/.crypt15 (with its key)',
  detect,
  read,
};
