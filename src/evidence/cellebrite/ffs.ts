/**
 * A Cellebrite full file system extraction — `EXTRACTION_FFS.zip` described by `EXTRACTION_FFS.ufd` (and
 * listed by an `EvidenceCollection.ufdx`) — and a GrayKey `<UDID>_files_full.zip`, each seen as the device's
 * file system.
 *
 * Full file system: whichever of the four the user gives (the folder is searched as any folder and meets the
 * zip) resolves to the same .ufd + zip, so the device, its label and the notes are the same. The zip's
 * SHA-256 / SHA1 / MD5 listed in the .ufd are checked before anything is read (a mismatch is an error). The
 * file system roots are chosen by what they hold, not by their name or order: a top-level folder holding
 * `data/data/` or `data/user/` (Android, `Dump/`), `private/var/` (iOS, `filesystem1/`), or `mobile/` without
 * `private/` (an older iOS data volume, `filesystem2/`, read as `private/var/`); their entries are listed
 * at their device paths. The device label is the .ufd's `[Crime Case]` "Device Name / Evidence Number", else
 * its `[DeviceInfo]` Vendor and Model, else the name of the folder holding the .ufd.
 *
 * GrayKey: the zip's members are absolute `/private/var/…` names (the zip reader strips the `/` and still
 * refuses `..`); the device is labelled by the UDID in the file name.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, dirname } from 'node:path';
import { UserError } from '../../util/errors.js';
import type { ContainerDescription, EvidenceFs, RefusedEntry } from '../vfs/index.js';
import { openZipFs } from '../vfs/zip.js';
import { DescribedFs, type MappedEntry } from './described-fs.js';
import { fileDigests } from './hash-check.js';
import { readUfd, section, ufdDump, ufdxListing, type Ufd } from './ufd.js';

type RootKind = 'android' | 'ios' | 'ios-data-volume';

interface Root {
  member: string;
  kind: RootKind;
  /** What its entries become: '' (the device's root) or `private/var/` (a data volume). */
  devicePrefix: string;
}

/** File system roots of a dump, by content: top-level folders first, one level deeper only when none is. */
export function findRoots(paths: string[]): Root[] {
  const kindOf = (dir: string): RootKind | null => {
    const p = `${dir}/`;
    let android = false;
    let ios = false;
    let mobile = false;
    let priv = false;
    for (const x of paths) {
      if (!x.startsWith(p)) continue;
      const rest = x.slice(p.length);
      if (/^data\/(data|user|user_de)\//.test(rest)) android = true;
      if (rest.startsWith('private/var/')) ios = true;
      if (/^mobile\/(Containers|Library)\//.test(rest)) mobile = true;
      if (rest.startsWith('private/')) priv = true;
    }
    return android ? 'android' : ios ? 'ios' : mobile && !priv ? 'ios-data-volume' : null;
  };
  for (const depth of [1, 2]) {
    const dirs = new Set<string>();
    for (const x of paths) {
      const parts = x.split('/');
      if (parts.length > depth) dirs.add(parts.slice(0, depth).join('/'));
    }
    const roots: Root[] = [];
    for (const d of [...dirs].sort()) {
      const kind = kindOf(d);
      if (kind)
        roots.push({ member: `${d}/`, kind, devicePrefix: kind === 'ios-data-volume' ? 'private/var/' : '' });
    }
    if (roots.length) return roots;
  }
  return [];
}

/** The entries of a zip under new names, the zip's own duplicate names kept apart as before. */
async function remap(
  zip: EvidenceFs,
  rename: (path: string) => string,
): Promise<Array<{ path: string; index: number; entry: MappedEntry }>> {
  const out: Array<{ path: string; index: number; entry: MappedEntry }> = [];
  let i = 0;
  for await (const e of zip.entries()) {
    i++;
    const dup = /^(.*)#dup(\d+)$/.exec(e.path);
    out.push({
      path: rename(dup ? dup[1]! : e.path),
      index: dup ? Number(dup[2]) : i,
      entry: { member: e.path, size: e.size, mtime: e.mtime },
    });
  }
  return out;
}

const HASH_SECTIONS: Array<['sha256' | 'sha1' | 'md5', string[]]> = [
  ['sha256', ['sha256', 'sha-256']],
  ['sha1', ['sha1', 'sha-1']],
  ['md5', ['md5']],
];

/** The digests the .ufd lists for its dump, checked against the zip. */
async function checkDumpHashes(
  ufd: Ufd,
  zip: string,
  dumpName: string,
): Promise<Array<Record<string, unknown>>> {
  const wanted: Array<{ algo: 'sha256' | 'sha1' | 'md5'; value: string; line: number }> = [];
  const names = new Set([basename(zip).toLowerCase(), dumpName.replace(/\\/g, '/').toLowerCase()]);
  for (const [algo, secs] of HASH_SECTIONS)
    for (const s of secs)
      for (const [k, v] of ufd.sections.get(s)?.values ?? [])
        if (names.has(k.replace(/\\/g, '/').toLowerCase()) && v.value)
          wanted.push({ algo, value: v.value.toLowerCase(), line: v.line });
  if (!wanted.length) return [];
  const got = await fileDigests(zip, [...new Set(wanted.map((w) => w.algo))]);
  for (const w of wanted)
    if (got[w.algo] !== w.value)
      throw new UserError(
        `the .ufd gives ${w.algo.toUpperCase()} ${w.value} for ${dumpName}, but ${zip} has ${got[w.algo]}: ` +
          'the dump is not the one the extraction recorded (a damaged or different copy); nothing was read',
        { file: ufd.path, line: w.line },
      );
  return wanted.map((w) => ({ algorithm: w.algo.toUpperCase(), value: w.value, checked: 'matches the zip' }));
}

async function sha256Of(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of createReadStream(path) as AsyncIterable<Buffer>) {
    h.update(c);
    size += c.length;
  }
  return { sha256: h.digest('hex'), size };
}

/** The extraction a .ufd describes, as its device's file system. */
export async function openFfs(ufdPath: string): Promise<DescribedFs> {
  const ufd = await readUfd(ufdPath);
  const dump = await ufdDump(ufd);
  const hashes = await checkDumpHashes(ufd, dump.zip, dump.name);
  const ufdxs = await ufdxListing(ufd.path);
  const companions: ContainerDescription['companions'] = [
    { path: ufd.path, role: 'Cellebrite .ufd', ...(await sha256Of(ufd.path)) },
  ];
  for (const x of ufdxs)
    companions.push({ path: x.path, role: 'Cellebrite .ufdx', ...(await sha256Of(x.path)) });

  const zip = await openZipFs(dump.zip);
  try {
    const all: string[] = [];
    for await (const e of zip.entries()) all.push(e.path);
    const roots = findRoots(all);
    const rename = (p: string) => {
      const r = roots.find((x) => p.startsWith(x.member));
      return r ? r.devicePrefix + p.slice(r.member.length) : p;
    };
    const mapped = await remap(zip, rename);
    const deviceInfo = section(ufd, 'deviceinfo');
    const crimeCase = section(ufd, 'crime case');
    const general = section(ufd, 'general');
    const vendorModel = [deviceInfo.Vendor, deviceInfo.Model].filter(Boolean).join(' ');
    const evidenceNumber = Object.entries(crimeCase).find(
      ([k, v]) => v && /evidence number|device name/i.test(k),
    )?.[1];
    const described: ContainerDescription = {
      label: evidenceNumber || vendorModel || basename(dirname(ufd.path)),
      metadata: {
        vendor: 'Cellebrite',
        format: 'full file system (.ufd + zip)',
        ufd: ufd.path,
        dump: dump.zip,
        ...(dump.others.length ? { otherDumpsNotRead: dump.others } : {}),
        ...(Object.keys(general).length ? { general } : {}),
        ...(Object.keys(deviceInfo).length ? { deviceInfo } : {}),
        ...(Object.keys(crimeCase).length ? { crimeCase } : {}),
        dumpHashes: hashes.length ? hashes : 'none listed in the .ufd',
        roots: roots.length
          ? roots.map((r) => ({ member: r.member, kind: r.kind, readAs: r.devicePrefix || '(device root)' }))
          : 'no file system root recognised: entries keep their names in the zip',
        ...(ufdxs.length ? { ufdx: ufdxs.map((x) => ({ path: x.path, ...x.attributes })) } : {}),
      },
      companions,
      accounts: [],
    };
    return new DescribedFs('cellebrite-ffs', dump.zip, zip, mapped, zip.refused, described);
  } catch (err) {
    await zip.close();
    throw err;
  }
}

/** A GrayKey full file system zip is named `<UDID>_files_full.zip` (40 hex digits, or 8-16 since 2018). */
export const GRAYKEY_NAME = /^([0-9a-f]{40}|[0-9a-f]{8}-[0-9a-f]{16})_files_full\.zip$/i;

export async function openGrayKey(path: string): Promise<DescribedFs> {
  const udid = GRAYKEY_NAME.exec(basename(path))?.[1];
  if (!udid) throw new UserError('not a GrayKey zip (<UDID>_files_full.zip)', { file: path });
  const zip = await openZipFs(path);
  try {
    const mapped = await remap(zip, (p) => p);
    let absolute = 0;
    for await (const e of zip.entries()) if (e.rawName?.startsWith('/')) absolute++;
    const refused: RefusedEntry[] = zip.refused;
    return new DescribedFs('graykey', path, zip, mapped, refused, {
      label: udid,
      metadata: { vendor: 'GrayKey', format: 'files_full.zip', udid, absoluteMemberNames: absolute },
      companions: [],
      accounts: [],
    });
  } catch (err) {
    await zip.close();
    throw err;
  }
}
