/**
 * An iTunes / Finder backup folder `<UDID>/` (iOS 10 and later) read as a file system of
 * `domain/relativePath` entries: `Manifest.db` (table `Files(fileID, domain, relativePath, flags, file)`)
 * lists them; each file's bytes are at `<fileID[0:2]>/<fileID>`, fileID = SHA1(domain + "-" + relativePath);
 * `flags` 1 file, 2 folder; `file` is an NSKeyedArchiver binary plist (Size, LastModified, ProtectionClass,
 * and for encrypted backups EncryptionKey = 4-byte class (little-endian) + the RFC 3394-wrapped file key).
 * Encrypted backups: Manifest.db is AES-256-CBC (zero IV) under unwrap(class key of ManifestKey[0:4],
 * ManifestKey[4:]); each file the same under its own key, truncated to Size.
 * Manifest.db is never opened in place: a private copy (decrypted when needed) is opened read-only.
 * The password is used here and nowhere else; it is not kept on the object.
 */
import { createHash, createDecipheriv } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sha256File } from '../../hashing/digests.js';
import { UserError } from '../../util/errors.js';
import { aesUnwrap, parseKeybag, unlockKeybag } from './keybag.js';
import { isDict, parsePlist, PlistUid, type PlistDict, type PlistValue } from '../plist.js';

const ZERO_IV = Buffer.alloc(16);

export interface BackupEntry {
  fileID: string;
  domain: string;
  relativePath: string;
  /** 1 file, 2 folder, 4 symbolic link. */
  flags: number;
  /** `domain/relativePath`, the path a generic file system lists. */
  path: string;
}

export interface BackupFileInfo {
  size: number | null;
  lastModified: number | null;
  protectionClass: number | null;
  encryptionKey: Buffer | null;
}

export interface CopiedFile {
  path: string;
  fileID: string;
  size: number;
  sha256: string;
  /** SHA-256 of the bytes as stored in the backup (the ciphertext when encrypted). */
  storedSha256: string;
}

export interface BackupOpenOptions {
  password?: string;
}

function readPlistFile(folder: string, name: string): PlistDict | null {
  const p = join(folder, name);
  if (!existsSync(p)) return null;
  const v = parsePlist(readFileSync(p), `${name} of the backup`);
  if (!isDict(v)) throw new UserError(`${name} of the backup is not a dictionary`, { file: p });
  return v;
}

export const fileIdOf = (domain: string, relativePath: string) =>
  createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');

/** True when `path` is a folder shaped like an iTunes / Finder backup (any iOS version). */
export function looksLikeBackupFolder(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
  } catch {
    return false;
  }
  return ['Manifest.db', 'Manifest.mbdb', 'Manifest.plist'].some((n) => existsSync(join(path, n)));
}

/** Decodes one `Files.file` NSKeyedArchiver blob (an `MBFile`). */
export function decodeFileBlob(blob: Buffer): BackupFileInfo {
  const arch = parsePlist(blob, 'Files.file');
  const objects = isDict(arch) ? arch.$objects : undefined;
  const top = isDict(arch) && isDict(arch.$top) ? arch.$top.root : undefined;
  if (!Array.isArray(objects) || !(top instanceof PlistUid))
    throw new UserError('Files.file is not an NSKeyedArchiver archive');
  const deref = (v: PlistValue | undefined): PlistValue | undefined =>
    v instanceof PlistUid ? objects[v.value] : v;
  const root = deref(top);
  if (!isDict(root)) throw new UserError('Files.file: the archived object is not a dictionary');
  const num = (v: PlistValue | undefined) =>
    typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
  let ek = deref(root.EncryptionKey);
  if (isDict(ek)) ek = ek['NS.data'];
  return {
    size: num(deref(root.Size)),
    lastModified: num(deref(root.LastModified)),
    protectionClass: num(deref(root.ProtectionClass)),
    encryptionKey: Buffer.isBuffer(ek) ? ek : null,
  };
}

export class IosBackup {
  readonly info: PlistDict | null;
  readonly manifest: PlistDict;
  readonly status: PlistDict | null;
  readonly encrypted: boolean;
  private readonly classKeys: Map<number, Buffer> | null;
  private readonly tmp: string;
  private readonly db: Database.Database;
  // Entries without their Files.file blobs (a phone's backup lists hundreds of thousands): read on demand.
  private readonly byPath = new Map<string, BackupEntry>();
  private blobOf!: Database.Statement<[string], { file: Buffer | null }>;

  private constructor(
    readonly folder: string,
    opts: BackupOpenOptions,
  ) {
    if (!existsSync(join(folder, 'Manifest.db'))) {
      if (existsSync(join(folder, 'Manifest.mbdb')))
        throw new UserError(
          'this backup comes from iOS 9 or earlier (Manifest.mbdb): older backup formats are out of scope for filet',
          { file: folder },
        );
      throw new UserError('not an iTunes / Finder backup folder: no Manifest.db', { file: folder });
    }
    const manifest = readPlistFile(folder, 'Manifest.plist');
    if (!manifest)
      throw new UserError('not a complete iTunes / Finder backup: no Manifest.plist', { file: folder });
    this.manifest = manifest;
    this.info = readPlistFile(folder, 'Info.plist');
    this.status = readPlistFile(folder, 'Status.plist');
    this.encrypted = manifest.IsEncrypted === true;
    this.tmp = mkdtempSync(join(tmpdir(), 'filet-ibackup-'));
    try {
      const dbCopy = join(this.tmp, 'Manifest.db');
      if (this.encrypted) {
        if (opts.password === undefined || opts.password === '')
          throw new UserError(
            'this backup is encrypted: give its password with --backup-password (the password is not stored)',
            { file: folder },
          );
        const kbBuf = manifest.BackupKeyBag;
        const mk = manifest.ManifestKey;
        if (!Buffer.isBuffer(kbBuf) || !Buffer.isBuffer(mk) || mk.length < 12)
          throw new UserError('encrypted backup without BackupKeyBag / ManifestKey in Manifest.plist', {
            file: folder,
          });
        this.classKeys = unlockKeybag(parseKeybag(kbBuf), opts.password);
        const key = this.unwrapFileKey(mk, 'Manifest.db');
        const plain = cbcDecrypt(key, readFileSync(join(folder, 'Manifest.db')));
        writeFileSync(dbCopy, stripPkcs7(plain, 512));
      } else {
        this.classKeys = null;
        copyFileSync(join(folder, 'Manifest.db'), dbCopy);
      }
      if (readFileSync(dbCopy).subarray(0, 16).toString('latin1') !== 'SQLite format 3\0')
        throw new UserError('Manifest.db is not an SQLite database (after decryption)', { file: folder });
      this.db = new Database(dbCopy, { readonly: true, fileMustExist: true });
      const rows = this.db
        .prepare('SELECT fileID, domain, relativePath, flags FROM Files ORDER BY domain, relativePath')
        .all() as Array<{ fileID: string; domain: string; relativePath: string; flags: number }>;
      for (const r of rows) {
        const path = r.relativePath ? `${r.domain}/${r.relativePath}` : r.domain;
        this.byPath.set(path, { ...r, path });
      }
      this.blobOf = this.db.prepare('SELECT file FROM Files WHERE fileID = ?');
    } catch (err) {
      rmSync(this.tmp, { recursive: true, force: true });
      throw err;
    }
  }

  static open(folder: string, opts: BackupOpenOptions = {}): IosBackup {
    return new IosBackup(folder, opts);
  }

  close(): void {
    this.db.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private unwrapFileKey(wrapped: Buffer, what: string): Buffer {
    const clas = wrapped.readUInt32LE(0);
    const ck = this.classKeys?.get(clas);
    if (!ck) throw new UserError(`${what}: protection class ${clas} has no key in the backup keybag`);
    try {
      return aesUnwrap(ck, wrapped.subarray(4));
    } catch {
      throw new UserError(`${what}: its key does not unwrap with the class key (damaged backup)`);
    }
  }

  /** Every entry, as `domain/relativePath`; with `prefix`, only those at or below it. */
  list(prefix?: string): BackupEntry[] {
    const out: BackupEntry[] = [];
    for (const e of this.byPath.values())
      if (!prefix || e.path === prefix || e.path.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'))
        out.push({
          fileID: e.fileID,
          domain: e.domain,
          relativePath: e.relativePath,
          flags: e.flags,
          path: e.path,
        });
    return out;
  }

  domains(): Set<string> {
    return new Set([...this.byPath.values()].map((e) => e.domain));
  }

  entry(path: string): BackupEntry | null {
    const e = this.byPath.get(path);
    return e ? { ...e } : null;
  }

  fileInfo(path: string): BackupFileInfo {
    const e = this.byPath.get(path);
    if (!e) throw new UserError(`${path} is not in the backup`);
    const blob = this.blobOf.get(e.fileID)?.file ?? null;
    return blob
      ? decodeFileBlob(blob)
      : { size: null, lastModified: null, protectionClass: null, encryptionKey: null };
  }

  /** SHA-256 and size of a file as stored in the backup (the ciphertext when encrypted). */
  async storedDigest(path: string): Promise<{ sha256: string; size: number }> {
    const e = this.byPath.get(path);
    if (!e || e.flags !== 1) throw new UserError(`${path} is not a file of the backup`);
    return sha256File(this.storedPath(e));
  }

  private storedPath(e: BackupEntry): string {
    if (!/^[0-9a-f]{40}$/.test(e.fileID)) throw new UserError(`${e.path}: fileID ${e.fileID} is not a SHA-1`);
    const p = join(this.folder, e.fileID.slice(0, 2), e.fileID);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      throw new UserError(
        `${e.path}: its file ${e.fileID.slice(0, 2)}/${e.fileID} is missing from the backup`,
      );
    }
    if (!st.isFile())
      throw new UserError(`${e.path}: ${e.fileID.slice(0, 2)}/${e.fileID} is not a regular file: refused`);
    return p;
  }

  /** Copies one file (decrypted when the backup is) to `dest`, streaming, with its SHA-256. */
  async copyTo(path: string, dest: string): Promise<CopiedFile> {
    const e = this.byPath.get(path);
    if (!e || e.flags !== 1) throw new UserError(`${path} is not a file of the backup`);
    const src = this.storedPath(e);
    const info = this.fileInfo(path);
    let decipher: ReturnType<typeof createDecipheriv> | null = null;
    if (this.encrypted) {
      if (!info.encryptionKey)
        throw new UserError(`${path}: encrypted backup but the file has no EncryptionKey`);
      decipher = createDecipheriv('aes-256-cbc', this.unwrapFileKey(info.encryptionKey, path), ZERO_IV);
      decipher.setAutoPadding(false);
    }
    const limit = this.encrypted ? info.size : null;
    const content = createHash('sha256');
    const stored = createHash('sha256');
    const inFh = await open(src, 'r');
    const outFh = await open(dest, 'wx');
    let written = 0;
    const emit = async (b: Buffer) => {
      if (limit !== null) b = b.subarray(0, Math.max(0, limit - written));
      if (!b.length) return;
      content.update(b);
      await outFh.write(b);
      written += b.length;
    };
    try {
      const buf = Buffer.alloc(1 << 20);
      for (;;) {
        const { bytesRead } = await inFh.read(buf, 0, buf.length, null);
        if (!bytesRead) break;
        const chunk = buf.subarray(0, bytesRead);
        stored.update(chunk);
        await emit(decipher ? decipher.update(chunk) : Buffer.from(chunk));
      }
      if (decipher) await emit(decipher.final());
    } catch (err) {
      throw err instanceof UserError
        ? err
        : new UserError(`${path}: cannot decrypt ${e.fileID} (${(err as Error).message})`);
    } finally {
      await inFh.close();
      await outFh.close();
    }
    if (limit !== null && written !== limit)
      throw new UserError(`${path}: the stored file is shorter than its recorded size ${limit}`);
    return {
      path,
      fileID: e.fileID,
      size: written,
      sha256: content.digest('hex'),
      storedSha256: stored.digest('hex'),
    };
  }

  /** One file's bytes (decrypted), for small files such as preference plists. */
  readBuffer(path: string): Buffer {
    const e = this.byPath.get(path);
    if (!e || e.flags !== 1) throw new UserError(`${path} is not a file of the backup`);
    const raw = readFileSync(this.storedPath(e));
    if (!this.encrypted) return raw;
    const info = this.fileInfo(path);
    if (!info.encryptionKey)
      throw new UserError(`${path}: encrypted backup but the file has no EncryptionKey`);
    const plain = cbcDecrypt(this.unwrapFileKey(info.encryptionKey, path), raw);
    return info.size === null ? stripPkcs7(plain) : plain.subarray(0, info.size);
  }
}

function cbcDecrypt(key: Buffer, data: Buffer): Buffer {
  if (data.length % 16)
    throw new UserError('encrypted backup file whose length is not a multiple of 16 (damaged)');
  const d = createDecipheriv('aes-256-cbc', key, ZERO_IV);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

/**
 * Removes PKCS#7 padding when present and what remains is a whole number of `unit`s (Manifest.db: SQLite
 * pages, at least 512 bytes), so a database whose last byte happens to look like padding is kept whole.
 */
function stripPkcs7(b: Buffer, unit = 1): Buffer {
  const n = b[b.length - 1] ?? 0;
  if (n < 1 || n > 16 || n > b.length || (b.length - n) % unit) return b;
  for (let i = b.length - n; i < b.length; i++) if (b[i] !== n) return b;
  return b.subarray(0, b.length - n);
}
