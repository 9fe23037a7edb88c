/**
 * Synthetic vendor extractions of a synth device folder (msgstore.db + Media/, or ChatStorage.sqlite +
 * Message/Media/), with the vendors' real layouts, file names and XML / INI structure — every one marked
 * SYNTHETIC (a `SYNTHETIC` file inside, "SYNTHETIC" in the vendor, tool and case fields):
 * - a Cellebrite **UFDR**: a zip with `report.xml` (Physical Analyzer's report schema: `project`,
 *   `sourceExtractions`, `caseInformation`, `metadata section="Device Info"`, `taggedFiles/file` with
 *   `Local Path`, `MD5` and `SHA256` items, `decodedData/modelType/model type="UserAccount"` for the
 *   WhatsApp account) and the files under `files/<Category>/`;
 * - a Cellebrite **full file system** folder: `EvidenceCollection.ufdx`, `EXTRACTION_FFS 01/EXTRACTION_FFS.ufd`
 *   (INI: [General], [DeviceInfo], [Crime Case], [Dumps], [SHA256]) and `EXTRACTION_FFS.zip` (Android under
 *   `Dump/`, iOS under `filesystem1/`, or an older iOS data volume under `filesystem2/` without `private/var`);
 * - a **GrayKey** `<UDID>_files_full.zip` with absolute member names `/private/var/…`.
 * The UFDR carries the owner only in its report (decodedData); the other two in the app's own preferences
 * (Android shared_prefs, iOS group plist), as the devices do.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeBinaryPlist } from '../../evidence/plist.js';
import { zipBuffer, type ZipInput } from './zip-writer.js';

export interface ContainerDevice {
  label: string;
  platform: 'android' | 'ios';
  /** E.164. */
  owner: string;
  ownerName: string;
}

/** A file of the device at its device path (no leading `/`). */
export interface TreeFile {
  devicePath: string;
  data: Buffer;
}

export const SYNTHETIC_NOTE =
  'SYNTHETIC extraction written by `filet synth` from generated data. It imitates the layout of a vendor\n' +
  'extraction; it was not produced by Cellebrite or GrayKey software and describes no real device or person.\n';

const hex = (algo: string, data: Buffer | string) => createHash(algo).update(data).digest('hex');

/** A UUID-shaped identifier derived from the label (synthetic output is deterministic). */
export function syntheticUuid(label: string, purpose: string): string {
  const h = hex('sha1', `${purpose}:${label}`).toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A 40-hex-digit UDID derived from the label. */
export const syntheticUdid = (label: string) => hex('sha1', `udid:${label}`);

export const IOS_APP_GROUP = (label: string) =>
  `private/var/mobile/Containers/Shared/AppGroup/${syntheticUuid(label, 'whatsapp-group')}`;

function walk(root: string, rel = '', out: string[] = []): string[] {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(root, r)).isDirectory()) walk(root, r, out);
    else out.push(r);
  }
  return out;
}

/**
 * The device folder's files at the paths they have on a phone: Android databases under
 * `data/data/com.whatsapp/`, media on shared storage `data/media/0/Android/media/com.whatsapp/WhatsApp/`;
 * iOS everything in WhatsApp's app group. With `ownerPrefs`, the app's own preferences name the owner.
 */
export function deviceTree(deviceDir: string, dev: ContainerDevice, ownerPrefs: boolean): TreeFile[] {
  const out: TreeFile[] = [];
  const digits = dev.owner.replace(/^\+/, '');
  if (dev.platform === 'android') {
    for (const rel of walk(deviceDir)) {
      const devicePath = rel.startsWith('Media/')
        ? `data/media/0/Android/media/com.whatsapp/WhatsApp/${rel}`
        : `data/data/com.whatsapp/${rel}`;
      out.push({ devicePath, data: readFileSync(join(deviceDir, rel)) });
    }
    if (ownerPrefs)
      out.push({
        devicePath: 'data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml',
        data: Buffer.from(
          `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n` +
            `    <string name="registration_jid">${digits}@s.whatsapp.net</string>\n` +
            `    <string name="push_name">${xml(dev.ownerName)}</string>\n</map>\n`,
        ),
      });
  } else {
    const group = IOS_APP_GROUP(dev.label);
    for (const rel of walk(deviceDir))
      out.push({ devicePath: `${group}/${rel}`, data: readFileSync(join(deviceDir, rel)) });
    if (ownerPrefs)
      out.push({
        devicePath: `${group}/Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist`,
        data: writeBinaryPlist({ OwnJabberID: `${digits}@s.whatsapp.net`, FullUserName: dev.ownerName }),
      });
  }
  return out;
}

function xml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

// ---------------------------------------------------------------------------------------------- UFDR

export interface UfdrFile {
  /** The device path (`/` added in the report). */
  devicePath: string;
  /** Physical Analyzer's `files\<Category>\<name>`. */
  localPath: string;
  data: Buffer;
  md5: string;
  sha256: string;
  fs: string;
  deleted: 'Intact' | 'Deleted';
}

function category(path: string): string {
  if (/\.(db|sqlite)$/i.test(path)) return 'Database';
  if (/\.(jpe?g|png|gif|webp|heic)$/i.test(path)) return 'Image';
  if (/\.(mp4|3gp|mov)$/i.test(path)) return 'Video';
  if (/\.(opus|ogg|m4a|aac|mp3|amr)$/i.test(path)) return 'Audio';
  if (/\.(xml|plist)$/i.test(path)) return 'Configuration';
  return 'Uncategorized';
}

/** The tree as a report lists it: each file under `files\<Category>\`, a repeated name numbered as PA does. */
export function ufdrFiles(tree: TreeFile[], fs = 'File System'): UfdrFile[] {
  const used = new Set<string>();
  return tree.map((f) => {
    const cat = category(f.devicePath);
    const name = basename(f.devicePath);
    let local = `files\\${cat}\\${name}`;
    for (let n = 1; used.has(local.toLowerCase()); n++) {
      const dot = name.lastIndexOf('.');
      local = `files\\${cat}\\${dot > 0 ? `${name.slice(0, dot)}(${n})${name.slice(dot)}` : `${name}(${n})`}`;
    }
    used.add(local.toLowerCase());
    return {
      devicePath: f.devicePath,
      localPath: local,
      data: f.data,
      md5: hex('md5', f.data),
      sha256: hex('sha256', f.data),
      fs,
      deleted: 'Intact',
    };
  });
}

export interface ReportOptions {
  /** The WhatsApp account model (default: the device's owner). Null leaves it out. */
  account?: { number: string; name: string } | null;
}

export function ufdrReportXml(dev: ContainerDevice, files: UfdrFile[], opts: ReportOptions = {}): string {
  const account = opts.account === undefined ? { number: dev.owner, name: dev.ownerName } : opts.account;
  const L: string[] = [];
  L.push('<?xml version="1.0" encoding="utf-8"?>');
  L.push('<!-- SYNTHETIC report written by filet synth; not produced by Cellebrite Physical Analyzer -->');
  L.push(
    `<project id="${syntheticUuid(dev.label, 'project')}" name="SYNTHETIC ${xml(dev.label)}" reportVersion="5.2.0.0" ` +
      `licenseID="SYNTHETIC" containsGarbage="False" extractionType="FileSystem" xmlns="http://pa.cellebrite.com/report/2.0">`,
  );
  L.push('  <sourceExtractions>');
  L.push(
    `    <extractionInfo id="0" name="File System" isCustomName="False" type="FileSystem" deviceName="SYNTHETIC" fullName="SYNTHETIC ${dev.platform} phone" index="0" IsPartialData="False" />`,
  );
  L.push('  </sourceExtractions>');
  L.push('  <caseInformation>');
  L.push(
    `    <field name="Device Name / Evidence Number" isSystem="True" isRequired="False" fieldType="EvidenceNumber" multipleLines="False">${xml(dev.label)}</field>`,
  );
  L.push(
    '    <field name="Notes" isSystem="False" isRequired="False" fieldType="None" multipleLines="True">SYNTHETIC: generated data, no real device or person</field>',
  );
  L.push('  </caseInformation>');
  L.push('  <metadata section="Device Info">');
  L.push(`    <item name="DeviceInfoDetectedManufacturer" sourceExtraction="0"><![CDATA[SYNTHETIC]]></item>`);
  L.push(
    `    <item name="DeviceInfoDetectedModel" sourceExtraction="0"><![CDATA[SYNTHETIC ${dev.platform} phone]]></item>`,
  );
  L.push('  </metadata>');
  L.push('  <taggedFiles>');
  for (const [i, f] of files.entries()) {
    L.push(
      `    <file fs="${xml(f.fs)}" fsid="${syntheticUuid(dev.label, `fs:${f.fs}`)}" path="/${xml(f.devicePath)}" size="${f.data.length}" ` +
        `id="${syntheticUuid(dev.label, `file:${i}`)}" extractionId="0" deleted="${f.deleted}" embedded="false" isrelated="False">`,
    );
    L.push('      <accessInfo>');
    L.push(
      '        <timestamp name="ModifyTime" format="TimeStampKnown">2020-01-01T00:00:00.000+00:00</timestamp>',
    );
    L.push('      </accessInfo>');
    L.push('      <metadata section="File">');
    L.push(`        <item name="Local Path"><![CDATA[${f.localPath}]]></item>`);
    L.push(`        <item name="SHA256"><![CDATA[${f.sha256}]]></item>`);
    L.push(`        <item name="MD5"><![CDATA[${f.md5}]]></item>`);
    L.push(`        <item name="Tags"><![CDATA[${category(f.devicePath)}]]></item>`);
    L.push('      </metadata>');
    L.push('    </file>');
  }
  L.push('  </taggedFiles>');
  L.push('  <decodedData>');
  if (account) {
    const digits = account.number.replace(/^\+/, '');
    const id = syntheticUuid(dev.label, 'account');
    const field = (name: string, value: string) =>
      `<field name="${name}" type="String"><value type="String"><![CDATA[${value}]]></value></field>`;
    L.push('    <modelType type="UserAccount">');
    L.push(
      `      <model type="UserAccount" id="${id}" deleted_state="Intact" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">`,
    );
    L.push(`        ${field('Source', 'WhatsApp')}`);
    L.push(`        ${field('Name', account.name)}`);
    L.push(`        ${field('Username', `${digits}@s.whatsapp.net`)}`);
    L.push('        <multiModelField name="Entries" type="ContactEntry">');
    L.push(
      `          <model type="PhoneNumber" id="${syntheticUuid(dev.label, 'account-phone')}" deleted_state="Intact">`,
    );
    L.push(`            ${field('Category', 'WhatsApp User Id')}`);
    L.push(`            ${field('Value', `${digits}@s.whatsapp.net`)}`);
    L.push('          </model>');
    L.push('        </multiModelField>');
    L.push('      </model>');
    L.push('    </modelType>');
  }
  L.push('  </decodedData>');
  L.push('</project>');
  return L.join('\n') + '\n';
}

/** The UFDR zip: report.xml at the root, each file at its Local Path (the Local Paths in `leaveOut` omitted). */
export function ufdrZip(
  report: string | Buffer,
  files: UfdrFile[],
  leaveOut: Set<string> = new Set(),
): Buffer {
  const entries: ZipInput[] = [
    { name: 'report.xml', data: Buffer.isBuffer(report) ? report : Buffer.from(report, 'utf8') },
    { name: 'SYNTHETIC', data: Buffer.from(SYNTHETIC_NOTE) },
  ];
  const seen = new Set<string>();
  for (const f of files) {
    const name = f.localPath.replace(/\\/g, '/');
    if (leaveOut.has(f.localPath) || seen.has(name)) continue;
    seen.add(name);
    entries.push({ name, data: f.data });
  }
  return zipBuffer(entries);
}

export function writeUfdr(
  deviceDir: string,
  dev: ContainerDevice,
  dest: string,
): { path: string; files: UfdrFile[] } {
  const files = ufdrFiles(deviceTree(deviceDir, dev, false));
  writeFileSync(dest, ufdrZip(ufdrReportXml(dev, files), files));
  return { path: dest, files };
}

// ------------------------------------------------------------------------------ full file system

export interface FfsOptions {
  /** iOS only: write the older layout, the data volume under `filesystem2/` without `private/var/`. */
  iosDataVolume?: boolean;
}

export interface WrittenFfs {
  folder: string;
  ufdx: string;
  ufd: string;
  zip: string;
  zipSha256: string;
}

export const FFS_SUBFOLDER = 'EXTRACTION_FFS 01';

export function ffsZip(tree: TreeFile[], dev: ContainerDevice, opts: FfsOptions = {}): Buffer {
  const member = (p: string) =>
    dev.platform === 'android'
      ? `Dump/${p}`
      : opts.iosDataVolume
        ? `filesystem2/${p.replace(/^private\/var\//, '')}`
        : `filesystem1/${p}`;
  return zipBuffer([
    { name: 'SYNTHETIC', data: Buffer.from(SYNTHETIC_NOTE) },
    ...tree.map((f) => ({ name: member(f.devicePath), data: f.data })),
  ]);
}

export function ufdText(dev: ContainerDevice, zipName: string, zipSha256: string | null): string {
  const imei = `35${BigInt(`0x${hex('sha1', `imei:${dev.label}`).slice(0, 12)}`)
    .toString()
    .padStart(13, '0')
    .slice(0, 13)}`;
  return [
    '; SYNTHETIC: written by filet synth; not produced by Cellebrite UFED',
    '[General]',
    'AcquisitionTool=SYNTHETIC (filet synth)',
    'Version=0.0.0.0',
    'ExtractionType=FullFileSystem',
    'Date=01/01/2020 00:00:00',
    'EndTime=01/01/2020 00:30:00',
    `GUID=${syntheticUuid(dev.label, 'extraction')}`,
    '[DeviceInfo]',
    'Vendor=SYNTHETIC',
    `Model=${dev.platform === 'android' ? 'Android' : 'iOS'} phone`,
    `IMEI=${imei}`,
    `OS=${dev.platform === 'android' ? 'Android 12' : 'iOS 15.4'}`,
    '[Crime Case]',
    `Device Name / Evidence Number=${dev.label}`,
    'Examiner Name=SYNTHETIC',
    '[Dumps]',
    `FileDump=${zipName}`,
    ...(zipSha256 ? ['[SHA256]', `${zipName}=${zipSha256.toUpperCase()}`] : []),
    '',
  ].join('\r\n');
}

export function ufdxXml(dev: ContainerDevice, ufdRelative: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- SYNTHETIC: written by filet synth; not produced by Cellebrite software -->',
    '<EvidenceCollection Version="1.0">',
    `  <Evidence EvidenceID="${xml(dev.label)}" Guid="${syntheticUuid(dev.label, 'evidence')}">`,
    `    <Device Vendor="SYNTHETIC" Model="${dev.platform === 'android' ? 'Android' : 'iOS'} phone" Guid="${syntheticUuid(dev.label, 'device')}" />`,
    '    <Extractions>',
    `      <Extraction Type="FullFileSystem" Path="${xml(ufdRelative)}" />`,
    '    </Extractions>',
    '  </Evidence>',
    '</EvidenceCollection>',
    '',
  ].join('\r\n');
}

export function writeFfsExtraction(
  deviceDir: string,
  dev: ContainerDevice,
  folder: string,
  opts: FfsOptions = {},
): WrittenFfs {
  const sub = join(folder, FFS_SUBFOLDER);
  mkdirSync(sub, { recursive: true });
  const zip = ffsZip(deviceTree(deviceDir, dev, true), dev, opts);
  const zipSha256 = hex('sha256', zip);
  const out: WrittenFfs = {
    folder,
    ufdx: join(folder, 'EvidenceCollection.ufdx'),
    ufd: join(sub, 'EXTRACTION_FFS.ufd'),
    zip: join(sub, 'EXTRACTION_FFS.zip'),
    zipSha256,
  };
  writeFileSync(out.zip, zip);
  writeFileSync(out.ufd, ufdText(dev, 'EXTRACTION_FFS.zip', zipSha256));
  writeFileSync(out.ufdx, ufdxXml(dev, `${FFS_SUBFOLDER}\\EXTRACTION_FFS.ufd`));
  writeFileSync(join(folder, 'SYNTHETIC'), SYNTHETIC_NOTE);
  return out;
}

// -------------------------------------------------------------------------------------- GrayKey

export function grayKeyZip(tree: TreeFile[]): Buffer {
  return zipBuffer([
    { name: '/SYNTHETIC', data: Buffer.from(SYNTHETIC_NOTE) },
    ...tree.map((f) => ({ name: `/${f.devicePath}`, data: f.data })),
  ]);
}

/** `<folder>/<UDID>_files_full.zip` of an iPhone folder. */
export function writeGrayKeyZip(deviceDir: string, dev: ContainerDevice, folder: string): string {
  if (dev.platform !== 'ios') throw new Error('GrayKey full file system zips are of iPhones');
  mkdirSync(folder, { recursive: true });
  const dest = join(folder, `${syntheticUdid(dev.label)}_files_full.zip`);
  writeFileSync(dest, grayKeyZip(deviceTree(deviceDir, dev, true)));
  return dest;
}

// ------------------------------------------------------------------------------------ synth hook

export interface WrittenContainer {
  device: string;
  kind: 'ufdr' | 'cellebrite-ffs' | 'graykey';
  path: string;
}

/**
 * Vendor extractions of a synth operation's devices, written beside it (never inside: a searched operation
 * folder would then hold every device twice). Android devices alternate UFDR and full file system;
 * iPhones alternate GrayKey and full file system.
 */
export function writeVendorContainers(
  opDir: string,
  devices: ContainerDevice[],
  dest: string,
): WrittenContainer[] {
  mkdirSync(dest, { recursive: true });
  writeFileSync(join(dest, 'SYNTHETIC'), SYNTHETIC_NOTE);
  const out: WrittenContainer[] = [];
  let android = 0;
  let ios = 0;
  for (const dev of devices) {
    const dir = join(opDir, 'devices', dev.label);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    if (dev.platform === 'android' && android++ % 2 === 0) {
      const p = join(dest, `${dev.label}.ufdr`);
      writeUfdr(dir, dev, p);
      out.push({ device: dev.label, kind: 'ufdr', path: p });
    } else if (dev.platform === 'ios' && ios++ % 2 === 0) {
      out.push({
        device: dev.label,
        kind: 'graykey',
        path: writeGrayKeyZip(dir, dev, join(dest, dev.label)),
      });
    } else {
      const w = writeFfsExtraction(dir, dev, join(dest, dev.label));
      out.push({ device: dev.label, kind: 'cellebrite-ffs', path: w.folder });
    }
  }
  return out;
}
