import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceItem } from '../src/model/types.js';
import { checkEvidence } from '../src/evidence/custody.js';
import { readEvidenceMedia } from '../src/evidence/media-reader.js';
import { closeDiscovery, discover } from '../src/evidence/discovery/index.js';
import { ingestDiscovered } from '../src/evidence/discovery/ingest.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import {
  FFS_SUBFOLDER,
  IOS_APP_GROUP,
  deviceTree,
  syntheticUdid,
  ufdText,
  ufdrFiles,
  ufdrReportXml,
  ufdrZip,
  writeFfsExtraction,
  writeGrayKeyZip,
  writeUfdr,
  type ContainerDevice,
  type UfdrFile,
} from '../src/synth/devices/cellebrite-writer.js';
import { filet } from './helpers/cli.js';
import { rawZip } from './helpers/containers.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { caseFacts } from './helpers/case-facts.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

let opDir: string;
let android: ContainerDevice;
let iphone: ContainerDevice;
const dirOf = (d: ContainerDevice) => join(opDir, 'devices', d.label);

beforeAll(async () => {
  const op = await synthOperation(7);
  opDir = op.dir;
  const truth = JSON.parse(readFileSync(join(op.dir, 'truth.json'), 'utf8')) as {
    devices: Array<{ label: string; database?: string; databaseMediaPresent?: number }>;
  };
  const pick = (db: string): ContainerDevice => {
    const t = truth.devices.find((d) => d.database === db && (d.databaseMediaPresent ?? 0) > 0)!;
    const d: DeviceInfo = op.devices.find((x) => x.label === t.label)!;
    return { label: d.label, platform: d.platform, owner: d.owner, ownerName: d.ownerName };
  };
  android = pick('new');
  iphone = pick('ios');
});

const sha = (p: string | Buffer) =>
  createHash('sha256')
    .update(typeof p === 'string' ? readFileSync(p) : p)
    .digest('hex');

/** Every regular file below a folder (the case must gain none from a refused ingest). */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

type Notes = Record<string, unknown> & {
  discovery: { device: string; extraction: Record<string, unknown>; owner: Record<string, unknown> };
  innerArtifacts: Array<{ path: string; role: string; sha256: string; member?: string }>;
  container: { path: string; sha256: string };
};

describe.each(STORE_TARGETS)('Cellebrite and GrayKey extractions on $name', ({ store: storeArg }) => {
  const refFacts = new Map<string, Awaited<ReturnType<typeof caseFacts>>>();

  /** The bare database ingested with --owner and --device: what every container must give. */
  async function reference(dev: ContainerDevice, label = dev.label) {
    const key = `${dev.label}|${label}`;
    if (!refFacts.has(key)) {
      const c = await initCase(join(tempDir(), 'ref'), { store: storeArg });
      try {
        const db = dev.platform === 'android' ? 'databases/msgstore.db' : 'ChatStorage.sqlite';
        await ingestPaths(c.store, [join(dirOf(dev), db)], { device: label, owner: dev.owner });
        refFacts.set(key, await caseFacts(c.store));
      } finally {
        await c.store.close();
      }
    }
    return refFacts.get(key)!;
  }

  /** Discovers and ingests one path into a fresh case; the owner must be found without --owner. */
  async function ingestOne(path: string) {
    const c = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const d = await discover([path]);
      let owner: string | undefined;
      try {
        expect(d.devices).toHaveLength(1);
        expect(d.devices[0]!.instances).toHaveLength(1);
        owner = d.devices[0]!.instances[0]!.owner?.number;
        const out = await ingestDiscovered(c.store, d, { workDir: c.dir });
        expect(out.map((o) => o.status)).toEqual(['ingested']);
      } finally {
        await closeDiscovery(d);
      }
      const [ev] = await c.store.listEvidence();
      const facts = await caseFacts(c.store);
      // Media of the container's device are read back from their staged copies, each matching its digest.
      const present = (await c.store.media()).filter((m) => m.present && m.fileRef);
      for (const m of present) expect(sha(await readEvidenceMedia(ev!, m.fileRef!))).toBe(m.sha256);
      return {
        ev: ev!,
        notes: ev!.notes as Notes,
        facts,
        owner,
        present: present.length,
        check: await checkEvidence(ev!),
      };
    } finally {
      await c.store.close();
    }
  }

  it('a UFDR: the device tree from report.xml, the owner from its UserAccount model, the same case as the bare database', async () => {
    const work = tempDir();
    const ufdr = join(work, 'phone.ufdr');
    writeUfdr(dirOf(android), android, ufdr);
    const r = await ingestOne(ufdr);
    expect(r.owner).toBe(android.owner);
    expect(r.ev.deviceLabel).toBe(android.label); // the report's "Device Name / Evidence Number"
    expect(r.facts.messages).toBeGreaterThan(0);
    expect(r.present).toBeGreaterThan(0);
    expect(r.facts).toEqual(await reference(android));
    expect(r.ev.path).toBe(ufdr);
    expect(r.notes.container).toMatchObject({ path: ufdr, kind: 'ufdr', sha256: sha(ufdr) });
    expect(r.check).toMatchObject({ status: 'ok', expected: sha(ufdr), actual: sha(ufdr) });
    expect(r.notes.innerArtifacts[0]).toMatchObject({
      path: 'data/data/com.whatsapp/databases/msgstore.db',
      member: 'files/Database/msgstore.db',
      role: 'android-msgstore',
      sha256: sha(join(dirOf(android), 'databases', 'msgstore.db')),
    });
    expect(r.notes.owner).toMatchObject({
      number: android.owner,
      source: expect.stringMatching(
        new RegExp(
          `^Cellebrite report ${ufdr.replace(/[.]/g, '\\.')}!/report\\.xml \\(key decodedData UserAccount model id `,
        ),
      ),
    });
    expect(r.notes.discovery.extraction).toMatchObject({
      vendor: 'Cellebrite',
      format: 'UFDR',
      report: 'report.xml',
    });
  });

  it('a UFDR whose report and shared_prefs name different owners reports the conflict', async () => {
    const work = tempDir();
    const other = '+34600099999';
    const tree = deviceTree(dirOf(android), android, true);
    const files = ufdrFiles(tree);
    const ufdr = join(work, 'conflict.ufdr');
    writeFileSync(
      ufdr,
      ufdrZip(ufdrReportXml(android, files, { account: { number: other, name: 'X' } }), files),
    );
    const d = await discover([ufdr]);
    try {
      const inst = d.devices[0]!.instances[0]!;
      // The device's own file first; the report's number beside it as a conflict.
      expect(inst.owner).toMatchObject({ number: android.owner, key: 'registration_jid' });
      expect(inst.ownerConflicts.map((o) => [o.number, o.file])).toEqual([
        [android.owner, 'data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml'],
        [other, 'report.xml'],
      ]);
    } finally {
      await closeDiscovery(d);
    }
  });

  it('a full file system extraction given as its folder, .ufdx, .ufd or zip: one device, the same case', async () => {
    const work = tempDir();
    const w = writeFfsExtraction(dirOf(android), android, join(work, 'Samsung SM-X (SYNTHETIC)'));
    const ref = await reference(android);
    const seen: Array<Record<string, unknown>> = [];
    let last: EvidenceItem | null = null;
    for (const given of [w.folder, w.ufdx, w.ufd, w.zip]) {
      const r = await ingestOne(given);
      last = r.ev;
      expect(r.owner, given).toBe(android.owner);
      expect(r.ev.deviceLabel, given).toBe(android.label); // [Crime Case] Device Name / Evidence Number
      expect(r.facts, given).toEqual(ref);
      expect(r.ev.path, given).toBe(w.zip); // the container is the zip
      expect(r.check.status).toBe('ok');
      expect(r.notes.innerArtifacts[0]).toMatchObject({
        path: 'data/data/com.whatsapp/databases/msgstore.db',
        member: 'Dump/data/data/com.whatsapp/databases/msgstore.db',
      });
      const companions = r.notes.innerArtifacts.filter((x) => x.role.startsWith('Cellebrite'));
      expect(companions.map((x) => [x.role, x.path, x.sha256])).toEqual([
        ['Cellebrite .ufd', w.ufd, sha(w.ufd)],
        ['Cellebrite .ufdx', w.ufdx, sha(w.ufdx)],
      ]);
      seen.push(r.notes.discovery.extraction);
    }
    for (const x of seen) expect(x).toEqual(seen[0]);
    // verify re-hashes the .ufd and .ufdx too: they are part of what the lab delivered.
    const ufdBytes = readFileSync(w.ufd);
    writeFileSync(w.ufd, Buffer.concat([ufdBytes, Buffer.from('; SYNTHETIC edit\r\n')]));
    const changed = await checkEvidence(last!);
    expect(changed.status).toBe('changed');
    expect(changed.inner.failed.map((f) => f.location)).toEqual([w.ufd]);
    writeFileSync(w.ufd, ufdBytes);
    expect((await checkEvidence(last!)).status).toBe('ok');
    expect(seen[0]).toMatchObject({
      vendor: 'Cellebrite',
      dump: w.zip,
      deviceInfo: { Vendor: 'SYNTHETIC', IMEI: expect.stringMatching(/^\d{15}$/) },
      dumpHashes: [{ algorithm: 'SHA256', value: w.zipSha256, checked: 'matches the zip' }],
      roots: [{ member: 'Dump/', kind: 'android', readAs: '(device root)' }],
    });
  });

  it('an iOS full file system (filesystem1/, and the older filesystem2/ data volume) and a GrayKey zip', async () => {
    const work = tempDir();
    const group = IOS_APP_GROUP(iphone.label);
    const ref = await reference(iphone);
    for (const iosDataVolume of [false, true]) {
      const w = writeFfsExtraction(dirOf(iphone), iphone, join(work, `ffs-${iosDataVolume}`), {
        iosDataVolume,
      });
      const r = await ingestOne(w.ufd);
      expect(r.owner).toBe(iphone.owner);
      expect(r.facts).toEqual(ref);
      expect(r.notes.innerArtifacts[0]).toMatchObject({
        path: `${group}/ChatStorage.sqlite`,
        member: iosDataVolume
          ? `filesystem2/${group.replace('private/var/', '')}/ChatStorage.sqlite`
          : `filesystem1/${group}/ChatStorage.sqlite`,
      });
    }
    const gk = writeGrayKeyZip(dirOf(iphone), iphone, join(work, 'graykey'));
    const udid = syntheticUdid(iphone.label);
    const r = await ingestOne(gk);
    expect(r.ev.deviceLabel).toBe(udid);
    expect(r.owner).toBe(iphone.owner);
    expect(r.facts).toEqual(await reference(iphone, udid));
    expect(r.notes.discovery.extraction).toEqual({
      vendor: 'GrayKey',
      format: 'files_full.zip',
      udid,
      absoluteMemberNames:
        readdirSync(dirOf(iphone), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
          .length + 2, // the device's files, its preferences plist and the SYNTHETIC note
    });
    expect(r.check.status).toBe('ok');
  });

  it('bad input is refused with a clear error and nothing is written to the case', async () => {
    const work = tempDir();
    const c = await initCase(join(work, 'case'), { store: storeArg });
    const tree = deviceTree(dirOf(android), android, false);
    const files = ufdrFiles(tree);
    const db = files.find((f) => f.devicePath.endsWith('databases/msgstore.db'))!;
    const report = ufdrReportXml(android, files);
    const ufdr = (
      name: string,
      rep: string | Buffer,
      fs: UfdrFile[] = files,
      leaveOut = new Set<string>(),
    ) => {
      const p = join(work, name);
      writeFileSync(p, ufdrZip(rep, fs, leaveOut));
      return p;
    };
    const refused = async (path: string, message: RegExp) => {
      const run = async () => {
        const d = await discover([path]);
        try {
          await ingestDiscovered(c.store, d, { workDir: c.dir });
        } finally {
          await closeDiscovery(d);
        }
      };
      await expect(run(), path).rejects.toThrow(message);
    };
    try {
      // A protected report: its first bytes are Physical Analyzer's protection marker.
      await refused(
        ufdr('protected.ufdr', Buffer.concat([Buffer.from([0x2d, 0x06, 0x52, 0x6d]), Buffer.alloc(64, 7)])),
        /protected\.ufdr, entry report\.xml: report\.xml is protected .*export the UFDR again with protection off/,
      );
      // Not well-formed: an attribute without a value, on a line counted here from the text itself.
      const broken = report.replace('  </taggedFiles>', '  <file fs="x" path=>\n  </taggedFiles>');
      const line = broken.split('\n').findIndex((l) => l.includes('path=>')) + 1;
      await refused(
        ufdr('malformed.ufdr', broken),
        new RegExp(`malformed\\.ufdr, entry report\\.xml, line ${line}: report\\.xml is not well-formed XML`),
      );
      // The same device path twice, from two different members.
      const twice: UfdrFile[] = [...files, { ...db, localPath: 'files\\Database\\msgstore(1).db' }];
      const lines = ufdrReportXml(android, twice)
        .split('\n')
        .flatMap((l, i) =>
          l.includes('path="/data/data/com.whatsapp/databases/msgstore.db"') ? [i + 1] : [],
        );
      expect(lines).toHaveLength(2);
      await refused(
        ufdr('twice.ufdr', ufdrReportXml(android, twice), twice),
        new RegExp(
          `two different files at the device path /data/data/com\\.whatsapp/databases/msgstore\\.db: line ${lines[0]} .*` +
            `Local Path files\\\\Database\\\\msgstore\\.db\\) and line ${lines[1]} .*Local Path files\\\\Database\\\\msgstore\\(1\\)\\.db\\): ambiguous, refused`,
        ),
      );
      // A Local Path missing from the zip, without an MD5 twin: the database is refused, so nothing is found.
      const gone = ufdr('missing.ufdr', report, files, new Set([db.localPath]));
      const d = await discover([gone]);
      try {
        expect(d.devices).toEqual([]);
        expect(d.ignored).toContainEqual({
          source: gone,
          path: db.devicePath,
          reason: expect.stringMatching(
            /^report\.xml line \d+: Local Path files\\Database\\msgstore\.db is not in the UFDR, and no other listed file has its MD5$/,
          ),
        });
      } finally {
        await closeDiscovery(d);
      }
      // An MD5 twin whose bytes do not have that MD5: refused while reading, nothing staged.
      const fakeTwin: UfdrFile = {
        ...db,
        devicePath: 'data/data/com.whatsapp/databases/msgstore.db',
        localPath: 'files\\Database\\msgstore(1).db',
        deleted: 'Deleted',
        data: Buffer.concat([db.data.subarray(0, 4096), Buffer.alloc(db.data.length - 4096)]),
      };
      const damaged = [...files, fakeTwin];
      await refused(
        ufdr('bad-twin.ufdr', ufdrReportXml(android, damaged), damaged, new Set([db.localPath])),
        /gives MD5 [0-9a-f]{32} for data\/data\/com\.whatsapp\/databases\/msgstore\.db, but the bytes of files\/Database\/msgstore\(1\)\.db have [0-9a-f]{32}/,
      );
      // A .ufd whose dump hash does not match the zip (whichever of the four is given).
      const w = writeFfsExtraction(dirOf(android), android, join(work, 'ffs'));
      writeFileSync(w.ufd, ufdText(android, 'EXTRACTION_FFS.zip', sha(Buffer.from('another zip'))));
      const hashLine =
        readFileSync(w.ufd, 'utf8')
          .split('\r\n')
          .findIndex((l) => l.startsWith('EXTRACTION_FFS.zip=')) + 1;
      for (const given of [w.folder, w.ufdx, w.ufd, w.zip])
        await refused(
          given,
          new RegExp(
            `EXTRACTION_FFS\\.ufd, line ${hashLine}: the \\.ufd gives SHA256 ${sha(Buffer.from('another zip'))} for EXTRACTION_FFS\\.zip, but .* has ${w.zipSha256}`,
          ),
        );
      // A .ufdx naming an extraction outside its folder.
      const x = join(work, 'escape');
      mkdirSync(x);
      writeFileSync(
        join(x, 'EvidenceCollection.ufdx'),
        readFileSync(w.ufdx, 'utf8').replace(
          /Path="[^"]*"/,
          'Path="..\\ffs\\EXTRACTION_FFS 01\\EXTRACTION_FFS.ufd"',
        ),
      );
      await refused(
        join(x, 'EvidenceCollection.ufdx'),
        /EvidenceCollection\.ufdx, line \d+: .*leaves the extraction's folder/,
      );

      expect(await c.store.listEvidence()).toEqual([]);
      expect((await c.store.counts()).messages).toBe(0);
      expect(filesBelow(join(c.dir, 'derived'))).toEqual([]);
    } finally {
      await c.store.close();
    }
  });

  it('a Local Path missing from the zip is read from the file with the same MD5 (checked), as IPED does', async () => {
    const work = tempDir();
    const files = ufdrFiles(deviceTree(dirOf(android), android, false));
    const db = files.find((f) => f.devicePath.endsWith('databases/msgstore.db'))!;
    // Physical Analyzer also listed a recovered copy of the database, whose member is in the zip.
    const twin: UfdrFile = { ...db, localPath: 'files\\Database\\msgstore(1).db', deleted: 'Deleted' };
    const all = [...files, twin];
    const p = join(work, 'twin.ufdr');
    writeFileSync(p, ufdrZip(ufdrReportXml(android, all), all, new Set([db.localPath])));
    const r = await ingestOne(p);
    expect(r.facts).toEqual(await reference(android));
    expect(r.notes.innerArtifacts[0]).toMatchObject({
      member: 'files/Database/msgstore(1).db',
      sha256: sha(db.data),
    });
    expect(r.notes.discovery.extraction.readThroughMd5Twin).toEqual([
      {
        path: db.devicePath,
        localPath: 'files\\Database\\msgstore.db',
        readFrom: 'files/Database/msgstore(1).db',
        md5: createHash('md5').update(db.data).digest('hex'),
      },
    ]);
  });

  it('a hand-built GrayKey zip: absolute /private/var names read, traversal and links still refused', async () => {
    const work = tempDir();
    const udid = '00008030-001A2D3C0E38802E';
    const tree = deviceTree(dirOf(iphone), iphone, true);
    const zip = join(work, `${udid}_files_full.zip`);
    writeFileSync(
      zip,
      rawZip([
        ...tree.map((f) => ({ name: `/${f.devicePath}`, data: f.data })),
        { name: '/private/var/../../etc/passwd', data: 'root:x:0:0' },
        { name: '../outside.txt', data: 'x' },
        { name: '/private/var/mobile/link', data: '/etc/shadow', mode: 0o120777 },
      ]),
    );
    const r = await ingestOne(zip);
    expect(r.ev.deviceLabel).toBe(udid);
    expect(r.owner).toBe(iphone.owner);
    expect(r.facts).toEqual(await reference(iphone, udid));
    const d = await discover([zip]);
    try {
      const reasons = Object.fromEntries(d.ignored.map((i) => [i.path, i.reason]));
      expect(reasons['/private/var/../../etc/passwd']).toMatch(/leaves the container/);
      expect(reasons['../outside.txt']).toMatch(/leaves the container/);
      expect(reasons['/private/var/mobile/link']).toMatch(/symbolic link/);
    } finally {
      await closeDiscovery(d);
    }
    expect(existsSync(join(work, 'outside.txt'))).toBe(false);
  });
});

describe('filet ingest / verify with Cellebrite extractions', () => {
  it('--dry-run --json lists device, instance and owner with provenance; ingest; verify re-hashes the container', async () => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    expect(filet(['init', caseDir]).code).toBe(0);
    const ufdr = join(work, 'seized.ufdr');
    writeUfdr(dirOf(android), android, ufdr);
    const w = writeFfsExtraction(dirOf(iphone), iphone, join(work, 'iphone'));
    const before = filesBelow(caseDir);
    const dry = filet(['ingest', caseDir, ufdr, w.ufd, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(filesBelow(caseDir)).toEqual(before);
    const plan = JSON.parse(dry.stdout) as {
      devices: Array<{
        label: string;
        container: string;
        extraction: Record<string, unknown>;
        instances: Array<{
          id: string;
          owner: { number: string; source: string; file: string; key: string };
        }>;
      }>;
    };
    const byLabel = Object.fromEntries(plan.devices.map((d) => [d.label, d]));
    expect(byLabel[android.label]).toMatchObject({
      container: 'ufdr',
      extraction: { vendor: 'Cellebrite', format: 'UFDR' },
      instances: [
        {
          id: 'android-consumer',
          owner: {
            number: android.owner,
            source: 'Cellebrite report',
            file: 'report.xml',
            key: expect.stringMatching(
              /^decodedData UserAccount model id [0-9A-F-]{36} \(line \d+\), entry PhoneNumber \(WhatsApp User Id\)/,
            ),
          },
        },
      ],
    });
    expect(byLabel[iphone.label]).toMatchObject({
      container: 'cellebrite-ffs',
      extraction: { vendor: 'Cellebrite', deviceInfo: { Vendor: 'SYNTHETIC' } },
      instances: [
        {
          id: 'ios-consumer',
          owner: { number: iphone.owner, source: 'device file', key: 'OwnJabberID' },
        },
      ],
    });

    const r = filet(['ingest', caseDir, ufdr, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ok = filet(['verify', caseDir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/all 1 evidence files match/);
    appendFileSync(ufdr, Buffer.from([0]));
    const changed = filet(['verify', caseDir]);
    expect(changed.code).not.toBe(0);
    expect(changed.stdout + changed.stderr).toMatch(/seized\.ufdr/);

    // A refused extraction leaves no evidence (the audit log records the failed attempt).
    writeFileSync(w.ufd, ufdText(iphone, 'EXTRACTION_FFS.zip', '0'.repeat(64)));
    const bad = filet(['ingest', caseDir, join(w.folder, FFS_SUBFOLDER, 'EXTRACTION_FFS.zip')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/the \.ufd gives SHA256 0{64} for EXTRACTION_FFS\.zip/);
    const c = await openCase(caseDir);
    try {
      expect((await c.store.listEvidence()).map((e) => e.path)).toEqual([ufdr]);
    } finally {
      await c.store.close();
    }
    expect(statSync(w.zip).size).toBeGreaterThan(0);
  });
});
