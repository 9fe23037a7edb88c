/**
 * Turns a synthetic iPhone folder (ChatStorage.sqlite + Message/Media/…, as ios-chatstorage-writer writes
 * it) into an iTunes / Finder backup folder `<UDID>/` with the real layout: Info.plist (XML),
 * Manifest.plist and Status.plist (binary), Manifest.db (`Files`, `Properties`), every file at
 * `<fileID[0:2]>/<fileID>` with fileID = SHA1(domain-relativePath), `Files.file` an NSKeyedArchiver MBFile.
 * Encrypted (with a password): a backup keybag (TLV) whose class keys are wrapped (RFC 3394) with the
 * passcode key PBKDF2-SHA1(PBKDF2-SHA256(password, DPSL, DPIC), SALT, ITER); each file and Manifest.db
 * AES-256-CBC with a zero IV and PKCS#7 padding under its own key, wrapped by its class key.
 * The iteration counts are parameters (real backups use DPIC 10 000 000 and ITER 10 000; tests use less).
 */
import { createCipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { PlistUid, writeBinaryPlist, writeXmlPlist, type PlistDict } from '../../evidence/plist.js';

export const WA_DOMAIN = 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared';
export const WA_SMB_DOMAIN = 'AppDomainGroup-group.net.whatsapp.WhatsAppSMB.shared';

export interface IosBackupWriterOptions {
  udid: string;
  deviceName?: string;
  productType?: string;
  iosVersion?: string;
  /** Encrypts the backup. */
  password?: string;
  dpic?: number;
  iter?: number;
  /** The preferences plist of WhatsApp: OwnJabberID / LastOwnJabberID, FullUserName. */
  owner?: { jid: string; key?: 'OwnJabberID' | 'LastOwnJabberID'; name?: string };
  /** Domain(s) the WhatsApp files go to (default WhatsApp's; two: WhatsApp and Business); null leaves WhatsApp out. */
  domain?: string | string[] | null;
  /** Per domain, another device folder and owner than `deviceDir` / `owner` (two accounts on one iPhone). */
  perDomain?: Record<string, { deviceDir?: string; owner?: IosBackupWriterOptions['owner'] }>;
  /** Writes an iOS 9-era `Manifest.mbdb` instead of Manifest.db. */
  legacyMbdb?: boolean;
  /** Source of the salts, keys and UUIDs (default: crypto.randomBytes); synth passes a seeded one so the same
   * seed gives the same bytes. */
  randomBytes?: (n: number) => Buffer;
}

export interface WrittenBackup {
  dir: string;
  files: Array<{ domain: string; relativePath: string; fileID: string; size: number; sha256: string }>;
  /** The key of Manifest.db (encrypted backups), for independent checks. */
  manifestDbKey: Buffer | null;
}

const PROTECTION_CLASS_FILE = 3;
const MANIFEST_CLASS = 4;

const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};
const tlv = (tag: string, value: Buffer) =>
  Buffer.concat([Buffer.from(tag, 'latin1'), be32(value.length), value]);
const wrap = (kek: Buffer, key: Buffer) => {
  const c = createCipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
  return Buffer.concat([c.update(key), c.final()]);
};
const cbc = (key: Buffer, data: Buffer) => {
  const c = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
  return Buffer.concat([c.update(data), c.final()]);
};
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

function walk(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(root, p, out);
    else out.push(relative(root, p).split('\\').join('/'));
  }
  return out;
}

function mbFile(relativePath: string, size: number, mtime: number, encryptionKey: Buffer | null): Buffer {
  const objects: PlistDict[keyof PlistDict][] = ['$null'];
  const root: PlistDict = {
    LastModified: mtime,
    LastStatusChange: mtime,
    Birth: mtime,
    Size: size,
    InodeNumber: 100000 + (parseInt(sha1(relativePath).slice(0, 6), 16) % 800000),
    Mode: 0o100644,
    UserID: 501,
    GroupID: 501,
    Flags: 0,
    ProtectionClass: PROTECTION_CLASS_FILE,
    RelativePath: new PlistUid(2),
    $class: new PlistUid(0),
  };
  objects.push(root, relativePath);
  if (encryptionKey) {
    root.EncryptionKey = new PlistUid(objects.length);
    objects.push({ 'NS.data': encryptionKey, $class: new PlistUid(objects.length + 1) });
    objects.push({ $classname: 'NSMutableData', $classes: ['NSMutableData', 'NSData', 'NSObject'] });
  }
  root.$class = new PlistUid(objects.length);
  objects.push({ $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] });
  return writeBinaryPlist({
    $version: 100000,
    $archiver: 'NSKeyedArchiver',
    $top: { root: new PlistUid(1) },
    $objects: objects,
  });
}

/** Writes the backup of `deviceDir` to `<outParent>/<udid>/`. */
export function writeIosBackup(
  deviceDir: string,
  outParent: string,
  o: IosBackupWriterOptions,
): WrittenBackup {
  const dir = join(outParent, o.udid);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const now = new Date(Date.UTC(2026, 0, 15, 10, 0, 0));
  const mtime = Math.floor(now.getTime() / 1000);
  const encrypted = o.password !== undefined;
  const rnd = o.randomBytes ?? randomBytes;

  // Keybag and class keys.
  const classKeys = new Map<number, Buffer>();
  let keybag: Buffer | null = null;
  if (encrypted) {
    const salt = rnd(20);
    const dpsl = rnd(20);
    const dpic = o.dpic ?? 10_000_000;
    const iter = o.iter ?? 10_000;
    const pk = pbkdf2Sync(
      pbkdf2Sync(Buffer.from(o.password!, 'utf8'), dpsl, dpic, 32, 'sha256'),
      salt,
      iter,
      32,
      'sha1',
    );
    const parts = [
      tlv('VERS', be32(4)),
      tlv('TYPE', be32(1)),
      tlv('UUID', rnd(16)),
      tlv('HMCK', rnd(40)),
      tlv('WRAP', be32(0)),
      tlv('SALT', salt),
      tlv('ITER', be32(iter)),
      tlv('DPWT', be32(1)),
      tlv('DPIC', be32(dpic)),
      tlv('DPSL', dpsl),
    ];
    for (const clas of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) {
      const key = rnd(32);
      classKeys.set(clas, key);
      parts.push(
        tlv('UUID', rnd(16)),
        tlv('CLAS', be32(clas)),
        tlv('WRAP', be32(2)),
        tlv('KTYP', be32(0)),
        tlv('WPKY', wrap(pk, key)),
      );
    }
    keybag = Buffer.concat(parts);
  }

  // The files: WhatsApp's group container, plus a little of the rest of a phone.
  const entries: Array<{ domain: string; rel: string; data: Buffer | null }> = [];
  const dirsOf = (domain: string, rels: string[]) => {
    const ds = new Set<string>(['']);
    for (const r of rels) {
      const parts = r.split('/');
      for (let i = 1; i < parts.length; i++) ds.add(parts.slice(0, i).join('/'));
    }
    for (const d of [...ds].sort()) entries.push({ domain, rel: d, data: null });
  };
  const domains = o.domain === undefined ? [WA_DOMAIN] : o.domain === null ? [] : [o.domain].flat();
  for (const domain of domains) {
    const from = o.perDomain?.[domain]?.deviceDir ?? deviceDir;
    const owner = o.perDomain?.[domain]?.owner ?? o.owner;
    const rels = walk(from);
    const group = domain.replace(/^AppDomainGroup-/, '');
    const prefsRel = `Library/Preferences/${group}.plist`;
    const prefs: PlistDict = { WAAppVersion: '2.25.1', 'WAPhoneNumberFormatted.Prefs': 'synthetic' };
    if (owner) {
      prefs[owner.key ?? 'OwnJabberID'] = owner.jid;
      if (owner.name) prefs.FullUserName = owner.name;
    }
    dirsOf(domain, [...rels, prefsRel]);
    for (const r of rels) entries.push({ domain, rel: r, data: readFileSync(join(from, r)) });
    entries.push({ domain, rel: prefsRel, data: writeBinaryPlist(prefs) });
  }
  dirsOf('HomeDomain', ['Library/Preferences/com.apple.synthetic.plist']);
  entries.push({
    domain: 'HomeDomain',
    rel: 'Library/Preferences/com.apple.synthetic.plist',
    data: writeBinaryPlist({ Synthetic: true }),
  });

  const written: WrittenBackup['files'] = [];
  const rows: Array<[string, string, string, number, Buffer]> = [];
  for (const e of entries) {
    const fileID = sha1(`${e.domain}-${e.rel}`);
    if (!e.data) {
      rows.push([fileID, e.domain, e.rel, 2, mbFile(e.rel, 0, mtime, null)]);
      continue;
    }
    let stored = e.data;
    let ek: Buffer | null = null;
    if (encrypted) {
      const key = rnd(32);
      ek = Buffer.concat([le32(PROTECTION_CLASS_FILE), wrap(classKeys.get(PROTECTION_CLASS_FILE)!, key)]);
      stored = cbc(key, e.data);
    }
    mkdirSync(join(dir, fileID.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, fileID.slice(0, 2), fileID), stored);
    rows.push([fileID, e.domain, e.rel, 1, mbFile(e.rel, e.data.length, mtime, ek)]);
    written.push({
      domain: e.domain,
      relativePath: e.rel,
      fileID,
      size: e.data.length,
      sha256: createHash('sha256').update(e.data).digest('hex'),
    });
  }

  let manifestKey: Buffer | null = null;
  let manifestDbKey: Buffer | null = null;
  if (o.legacyMbdb) {
    // The iOS 9 format starts with "mbdb\x05\x00"; its records are out of scope, so a header suffices.
    writeFileSync(join(dir, 'Manifest.mbdb'), Buffer.from('mbdb\x05\x00', 'latin1'));
  } else {
    const dbPath = join(dir, 'Manifest.db.tmp');
    const db = new Database(dbPath);
    db.pragma('journal_mode = DELETE');
    db.exec(`CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
      CREATE INDEX FilesDomainIdx ON Files(domain); CREATE INDEX FilesRelativePathIdx ON Files(relativePath);
      CREATE INDEX FilesFlagsIdx ON Files(flags); CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);`);
    const ins = db.prepare('INSERT INTO Files VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => rows.forEach((r) => ins.run(...r)))();
    db.prepare('INSERT INTO Properties VALUES (?, ?)').run('salt', rnd(20));
    db.close();
    let bytes = readFileSync(dbPath);
    rmSync(dbPath);
    if (encrypted) {
      manifestDbKey = rnd(32);
      manifestKey = Buffer.concat([
        le32(MANIFEST_CLASS),
        wrap(classKeys.get(MANIFEST_CLASS)!, manifestDbKey),
      ]);
      bytes = cbc(manifestDbKey, bytes);
    }
    writeFileSync(join(dir, 'Manifest.db'), bytes);
  }

  const deviceName = o.deviceName ?? 'Synthetic iPhone';
  const productType = o.productType ?? 'iPhone14,2';
  const iosVersion = o.iosVersion ?? '17.5.1';
  const lockdown: PlistDict = {
    DeviceName: deviceName,
    ProductType: productType,
    ProductVersion: iosVersion,
    BuildVersion: '21F90',
    UniqueDeviceID: o.udid,
    SerialNumber: 'SYNTH0000001',
  };
  const manifest: PlistDict = {
    Version: '10.0',
    Date: now,
    SystemDomainsVersion: '24.0',
    WasPasscodeSet: true,
    IsEncrypted: encrypted,
    Lockdown: lockdown,
    Applications: {},
  };
  if (keybag) manifest.BackupKeyBag = keybag;
  if (manifestKey) manifest.ManifestKey = manifestKey;
  writeFileSync(join(dir, 'Manifest.plist'), writeBinaryPlist(manifest));
  writeFileSync(
    join(dir, 'Status.plist'),
    writeBinaryPlist({
      BackupState: 'new',
      Date: now,
      IsFullBackup: false,
      SnapshotState: 'finished',
      UUID: o.udid.slice(0, 8).toUpperCase() + '-0000-4000-8000-000000000000',
      Version: '3.3',
    }),
  );
  writeFileSync(
    join(dir, 'Info.plist'),
    writeXmlPlist({
      'Build Version': '21F90',
      'Device Name': deviceName,
      'Display Name': deviceName,
      GUID: o.udid.slice(0, 32).toUpperCase(),
      'Last Backup Date': now,
      'Product Name': 'iPhone 13',
      'Product Type': productType,
      'Product Version': iosVersion,
      'Serial Number': 'SYNTH0000001',
      'Target Identifier': o.udid,
      'Target Type': 'Device',
      'Unique Identifier': o.udid,
      'iTunes Version': '12.13',
    }),
  );
  return { dir, files: written, manifestDbKey };
}
