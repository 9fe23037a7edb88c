/**
 * The evidence of some seized devices as a lab hands it over, instead of the bare database: `filet synth
 * --containers` (and the demo) write, beside `devices/<label>/`, under `containers/<label>/`:
 * - the first iOS device with a database: an iTunes / Finder backup folder `<UDID>/` whose WhatsApp
 *   preferences plist names the owner (OwnJabberID, FullUserName);
 * - the first Android device with a database: a full-file-system zip of the phone (`data/data/com.whatsapp/
 *   databases/`, `shared_prefs/` naming the owner, shared storage under `data/media/0/Android/media/…`,
 *   and a few unrelated system files), as acquisition tools write it;
 * - the second Android device: its shared storage only, `sdcard/Android/media/com.whatsapp/WhatsApp/`
 *   with `Databases/msgstore.db.crypt15` and `Media/`, plus the key `encrypted_backup.key` recovered from
 *   the phone's private folder, in a separate `key/` folder (the owner is then given with --owner, since
 *   an encrypted backup does not name it);
 * - the third Android device: a Cellebrite UFDR `<label>.ufdr` (report.xml + files/, the owner in the
 *   report's UserAccount model); the fourth: a Cellebrite full file system extraction folder
 *   (EvidenceCollection.ufdx, EXTRACTION_FFS 01/EXTRACTION_FFS.ufd + .zip, shared_prefs naming the owner);
 * - the second iOS device: a GrayKey `<UDID>_files_full.zip` (absolute `/private/var/…` names, the group
 *   plist naming the owner). (src/synth/devices/cellebrite-writer.ts writes these three.)
 * Every byte is derived from the seed (keys and IVs included: they are synthetic), so the same seed gives
 * the same containers. devices.json lists them per device (`containers`), with how to ingest each.
 */
import { createHash, createHmac } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { once } from 'node:events';
import yazl from 'yazl';
import { encryptedBackupKeyBytes, generateKeys, writeCryptBackup } from './devices/crypt-writer.js';
import { writeIosBackup } from './devices/ios-backup-writer.js';
import { writeFfsExtraction, writeGrayKeyZip, writeUfdr } from './devices/cellebrite-writer.js';
import type { DeviceEntry } from './truth.js';

export type SynthContainerKind =
  | 'ios-backup'
  | 'android-full-file-system-zip'
  | 'android-crypt15'
  | 'cellebrite-ufdr'
  | 'cellebrite-ffs'
  | 'graykey';

export interface SynthContainer {
  kind: SynthContainerKind;
  /** What to give `filet ingest` (relative to the operation folder). */
  path: string;
  /** The key file to give with --key-file, when the container is an encrypted backup. */
  keyFile?: string;
  /** Whether the device's own files name the owner (otherwise --owner is needed). */
  ownerInEvidence: boolean;
}

/** Deterministic bytes for one purpose of one seed (HMAC-SHA-256 in counter mode). */
export function seededBytes(seed: number, purpose: string): (n: number) => Buffer {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (n: number) => {
    while (pool.length < n) {
      const block = createHmac('sha256', `filet-synth-${seed}`)
        .update(`${purpose}\u0000${counter++}`)
        .digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = pool.subarray(0, n);
    pool = pool.subarray(n);
    return Buffer.from(out);
  };
}

function filesBelow(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesBelow(root, p, out);
    else out.push(relative(root, p).split('\\').join('/'));
  }
  return out;
}

const jidOf = (phone: string) => `${phone.replace(/^\+/, '')}@s.whatsapp.net`;
const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `shared_prefs/com.whatsapp_preferences_light.xml` as Android's SharedPreferences writes it. */
export function androidPreferencesXml(owner: string, name: string): string {
  return (
    `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n` +
    `    <string name="registration_jid">${xmlEscape(jidOf(owner))}</string>\n` +
    `    <string name="push_name">${xmlEscape(name)}</string>\n` +
    `    <boolean name="synthetic" value="true" />\n</map>\n`
  );
}

const FIXED_MTIME = new Date(Date.UTC(2026, 0, 15, 10, 0, 0));

async function writeZip(out: string, files: Array<{ name: string; data: Buffer }>): Promise<void> {
  const zip = new yazl.ZipFile();
  const ws = createWriteStream(out);
  zip.outputStream.pipe(ws);
  for (const f of files) zip.addBuffer(f.data, f.name, { mtime: FIXED_MTIME, mode: 0o100644 });
  zip.end();
  await once(ws, 'close');
}

async function androidFullFileSystemZip(opDir: string, d: DeviceEntry, outDir: string): Promise<string> {
  const dev = join(opDir, 'devices', d.label);
  const app = 'data/data/com.whatsapp';
  const shared = 'data/media/0/Android/media/com.whatsapp/WhatsApp';
  const files: Array<{ name: string; data: Buffer }> = [];
  for (const rel of filesBelow(dev)) {
    const data = readFileSync(join(dev, rel));
    if (rel.startsWith('databases/')) files.push({ name: `${app}/${rel}`, data });
    else if (rel.startsWith('Media/')) files.push({ name: `${shared}/${rel}`, data });
    else files.push({ name: `${app}/${rel}`, data });
  }
  files.push({
    name: `${app}/shared_prefs/com.whatsapp_preferences_light.xml`,
    data: Buffer.from(androidPreferencesXml(d.owner, d.ownerName)),
  });
  // A little of the rest of a phone, which discovery must pass over.
  files.push(
    {
      name: 'system/build.prop',
      data: Buffer.from('ro.product.model=SYNTHETIC\nro.build.version.release=14\n'),
    },
    {
      name: 'data/system/packages.list',
      data: Buffer.from('com.whatsapp 10123 0 /data/user/0/com.whatsapp\n'),
    },
    {
      name: 'data/media/0/DCIM/SYNTHETIC.txt',
      data: Buffer.from('SYNTHETIC DATA generated by filet synth\n'),
    },
  );
  const name = `${d.label}.zip`;
  await writeZip(join(outDir, name), files);
  return name;
}

async function androidCrypt15(
  opDir: string,
  d: DeviceEntry,
  outDir: string,
  seed: number,
): Promise<{ backup: string; key: string }> {
  const dev = join(opDir, 'devices', d.label);
  const wa = join(outDir, 'sdcard', 'Android', 'media', 'com.whatsapp', 'WhatsApp');
  mkdirSync(join(wa, 'Databases'), { recursive: true });
  const rnd = seededBytes(seed, `crypt15-${d.label}`);
  const keys = generateKeys(rnd);
  const backup = join(wa, 'Databases', 'msgstore.db.crypt15');
  await writeCryptBackup(join(dev, 'databases', 'msgstore.db'), backup, 'crypt15', keys, { iv: rnd(16) });
  for (const rel of filesBelow(dev).filter((r) => r.startsWith('Media/'))) {
    const to = join(wa, rel);
    mkdirSync(join(to, '..'), { recursive: true });
    writeFileSync(to, readFileSync(join(dev, rel)));
  }
  mkdirSync(join(outDir, 'key'), { recursive: true });
  writeFileSync(join(outDir, 'key', 'encrypted_backup.key'), encryptedBackupKeyBytes(keys));
  return {
    backup: relative(outDir, backup).split('\\').join('/'),
    key: 'key/encrypted_backup.key',
  };
}

/**
 * Writes the containers described in the module comment for the devices of `entries` that have a
 * database, and returns them per device label.
 */
export async function writeContainers(
  opDir: string,
  entries: DeviceEntry[],
  seed: number,
): Promise<Map<string, SynthContainer[]>> {
  const out = new Map<string, SynthContainer[]>();
  const withDb = (platform: string) =>
    entries.filter((e) => e.platform === platform && e.files.some((f) => f.startsWith('devices/')));
  const android = withDb('android').filter((e) => e.files.some((f) => f.endsWith('/msgstore.db')));
  const ios = withDb('ios');
  const dirFor = (label: string) => {
    const dir = join(opDir, 'containers', label);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const rel = (label: string, p: string) => `containers/${label}/${p}`;

  const iphone = ios[0];
  if (iphone) {
    const dir = dirFor(iphone.label);
    const udid = createHash('sha1').update(`synthetic-udid-${seed}-${iphone.label}`).digest('hex');
    writeIosBackup(join(opDir, 'devices', iphone.label), dir, {
      udid,
      deviceName: `SYNTHETIC ${iphone.label}`,
      owner: { jid: jidOf(iphone.owner), name: iphone.ownerName },
      randomBytes: seededBytes(seed, `ios-backup-${iphone.label}`),
    });
    out.set(iphone.label, [{ kind: 'ios-backup', path: rel(iphone.label, udid), ownerInEvidence: true }]);
  }
  const [first, second, third, fourth] = android;
  const asDevice = (e: DeviceEntry) => ({
    label: e.label,
    platform: e.platform as 'android' | 'ios',
    owner: e.owner,
    ownerName: e.ownerName,
  });
  const deviceDir = (e: DeviceEntry) => join(opDir, 'devices', e.label);
  if (third) {
    const name = `${third.label}.ufdr`;
    writeUfdr(deviceDir(third), asDevice(third), join(dirFor(third.label), name));
    out.set(third.label, [{ kind: 'cellebrite-ufdr', path: rel(third.label, name), ownerInEvidence: true }]);
  }
  if (fourth) {
    writeFfsExtraction(deviceDir(fourth), asDevice(fourth), join(dirFor(fourth.label), 'extraction'));
    out.set(fourth.label, [
      { kind: 'cellebrite-ffs', path: rel(fourth.label, 'extraction'), ownerInEvidence: true },
    ]);
  }
  const secondIphone = ios[1];
  if (secondIphone) {
    const zip = writeGrayKeyZip(deviceDir(secondIphone), asDevice(secondIphone), dirFor(secondIphone.label));
    out.set(secondIphone.label, [
      {
        kind: 'graykey',
        path: rel(secondIphone.label, relative(dirFor(secondIphone.label), zip)),
        ownerInEvidence: true,
      },
    ]);
  }
  if (first) {
    const name = await androidFullFileSystemZip(opDir, first, dirFor(first.label));
    out.set(first.label, [
      { kind: 'android-full-file-system-zip', path: rel(first.label, name), ownerInEvidence: true },
    ]);
  }
  if (second) {
    const c = await androidCrypt15(opDir, second, dirFor(second.label), seed);
    out.set(second.label, [
      {
        kind: 'android-crypt15',
        path: rel(second.label, c.backup),
        keyFile: rel(second.label, c.key),
        ownerInEvidence: false,
      },
    ]);
  }
  return out;
}
