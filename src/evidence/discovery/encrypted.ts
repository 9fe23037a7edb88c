/**
 * Reading an encrypted Android backup (`msgstore.db.crypt12/14/15`) that discovery found inside a folder or
 * container. The key is the one given (`--key-file` / `--key` / FILET_BACKUP_KEY) or, failing that, the one
 * discovery found in the same device's app folder (`files/key` for crypt12/14, `files/encrypted_backup.key`
 * for crypt15). Everything decrypted — and a found key file's bytes — lives only in a private folder
 * (mode 0700) under the case's working area, removed after reading whatever happens; the notes record where
 * the key came from (the inner path and the key file's SHA-256), never the key. `wa.db.crypt15` beside the
 * backup is decrypted with the same key and read as the instance's wa.db when no plain wa.db is there.
 */
import { randomBytes } from 'node:crypto';
import { forgetScratchLocations } from '../wa-db/sqlite.js';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedRecord, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { UserError } from '../../util/errors.js';
import { keyFor } from '../android-crypt/index.js';
import { decryptBackup } from '../android-crypt/decrypt.js';
import { KEY_TYPES, backupDateFromName, readBackupLayout } from '../android-crypt/format.js';
import { androidMsgstoreReader } from '../android-msgstore/index.js';
import type { EvidenceFs } from '../vfs/index.js';

/**
 * The backup could not be opened with the key given or found (none, wrong, of the wrong kind, a damaged
 * file, a password-protected backup): nothing of it was read. Discovered ingest reports the artifact as
 * skipped with this message and goes on with the rest of the tree.
 */
export class CannotOpenEncrypted extends UserError {}

/** A UserError's message without the file it names (the caller names the artifact by its chain). */
function bare(err: UserError): string {
  const f = err.where?.file;
  return f && err.message.startsWith(`${f}: `) ? err.message.slice(f.length + 2) : err.message;
}

export interface EncryptedArtifactInput {
  /** The backup as a file (in the folder given, or its staged copy). */
  cryptPath: string;
  /** How the artifact is named in messages: its path, or `container!/inner/path`. */
  display: string;
  /** A plain wa.db beside it, or the encrypted wa.db.crypt15 (as files), when discovery found one. */
  waDb: { path: string; encrypted: boolean; inner: string } | null;
  /** The key found in the device's tree: the file system it is in, its inner path, and how to name it. */
  foundKey: { fs: EvidenceFs; path: string; display: string } | null;
  /** Key given by the examiner (takes precedence over a found one). */
  given: { keyFile?: string; keyHex?: string; keyHexSource?: string };
  /** Parent of the private folder (the case's working area). */
  workBase: string;
}

export async function* readEncryptedArtifact(
  input: EncryptedArtifactInput,
  options: ReaderOptions,
  notes: ReaderNotes,
): AsyncGenerator<ParsedRecord> {
  mkdirSync(input.workBase, { recursive: true, mode: 0o700 });
  const work = mkdtempSync(join(input.workBase, `filet-decrypt-${randomBytes(4).toString('hex')}-`));
  try {
    const plain = await decryptInto(work, input, options, notes).catch((err: unknown) => {
      if (err instanceof UserError) throw new CannotOpenEncrypted(bare(err), { file: input.display });
      throw err;
    });
    yield* androidMsgstoreReader.read(plain, options, notes);
  } finally {
    rmSync(work, { recursive: true, force: true });
    forgetScratchLocations(notes, work);
  }
}

/** Decrypts the backup (and its wa.db.crypt15) into `work/databases/`; returns the plain msgstore.db. */
async function decryptInto(
  work: string,
  input: EncryptedArtifactInput,
  options: ReaderOptions,
  notes: ReaderNotes,
): Promise<string> {
  const layout = await readBackupLayout(input.cryptPath);
  const enc: Record<string, unknown> = { format: layout.format, size: layout.size, header: layout.header };
  if (layout.keyType !== undefined) enc.keyType = KEY_TYPES[layout.keyType] ?? `unknown (${layout.keyType})`;
  // A dated copy is an older state of the instance's database (src/store/database-states.ts orders by it).
  const date = backupDateFromName(input.display);
  if (date) enc.olderBackupOf = date;
  notes.encryptedBackup = enc;
  const given = input.given.keyFile || input.given.keyHex;
  let keyFile = input.given.keyFile;
  if (!given && input.foundKey) {
    keyFile = join(work, 'found-key');
    await input.foundKey.fs.copyTo(input.foundKey.path, keyFile);
  }
  if (!given && !input.foundKey)
    throw new UserError(
      `no key for this ${layout.format} backup: none was given and none was found in the device's own ` +
        `files (…/com.whatsapp/files/${layout.format === 'crypt15' ? 'encrypted_backup.key' : 'key'}); ` +
        'give --key-file' +
        (layout.format === 'crypt15' ? ' or --key (or FILET_BACKUP_KEY)' : ''),
      { file: input.display },
    );
  const decryption = { keyFile, keyHex: input.given.keyHex };
  const key = keyFor(input.cryptPath, layout, { ...options, decryption }, enc);
  if (!given && input.foundKey) {
    const src = enc.keySource as { kind: string; keyFileSha256: string };
    enc.keySource = {
      kind: src.kind,
      foundInDevice: input.foundKey.display,
      keyFileSha256: src.keyFileSha256,
      copy: 'read from a private copy, removed after reading',
    };
  } else if (input.given.keyHex && input.given.keyHexSource)
    enc.keySource = { kind: '64-digit key', given: `${input.given.keyHexSource} (not recorded)` };
  const dbDir = join(work, 'databases');
  mkdirSync(dbDir, { mode: 0o700 });
  const plain = join(dbDir, 'msgstore.db');
  try {
    const r = await decryptBackup(input.cryptPath, layout, key, plain);
    enc.md5 = r.md5;
    enc.plaintext = { sha256: r.plaintextSha256, size: r.plaintextSize };
    enc.workingCopy = `decrypted into a private folder under ${input.workBase}, removed after reading`;
    if (input.waDb?.encrypted) {
      const wl = await readBackupLayout(input.waDb.path);
      try {
        const w = await decryptBackup(input.waDb.path, wl, key, join(dbDir, 'wa.db'));
        enc.waDb = {
          source: input.waDb.inner,
          format: wl.format,
          md5: w.md5,
          plaintext: { sha256: w.plaintextSha256, size: w.plaintextSize },
          use: 'decrypted with the same key and read as the instance wa.db',
        };
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        enc.waDb = { source: input.waDb.inner, used: false, reason: err.message };
      }
    } else if (input.waDb) copyFileSync(input.waDb.path, join(dbDir, 'wa.db'));
  } finally {
    key.fill(0);
  }
  return plain;
}
