/**
 * Evidence intake (issue 12): the evidence share refuses every path that could lead outside it, a preview
 * writes nothing, an ingest through the service of share paths records no secret anywhere, and an upload
 * is size-limited and content-addressed. Every piece of evidence is generated here (SYNTHETIC).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPolicy } from '../src/app/audited.js';
import { ingestEvidence, previewEvidence, storeUpload, uploadLimits } from '../src/app/intake.js';
import { EvidenceShare } from '../src/evidence/share.js';
import type { CaseStore } from '../src/store/case-store.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import { writeAndroidMsgstore } from '../src/synth/devices/android-msgstore-writer.js';
import { generateKeys, writeCryptBackup } from '../src/synth/devices/crypt-writer.js';
import { writeIosBackup } from '../src/synth/devices/ios-backup-writer.js';
import { synthesize } from '../src/synth/index.js';
import { buildOperation } from '../src/synth/operation.js';
import type { DeviceEntry } from '../src/synth/truth.js';
import { digestBuffer } from '../src/hashing/digests.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file below a folder (links and all) with its SHA-256 or link target: "unchanged" means equal. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) {
        out[`${r}/`] = 'dir';
        walk(r);
      } else out[r] = sha256(readFileSync(join(dir, r)));
    }
  };
  walk('');
  return out;
}

/** Every file below a folder, as bytes. */
function allFiles(dir: string): Buffer[] {
  const out: Buffer[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('the evidence share', () => {
  let work: string;
  let root: string;
  let share: EvidenceShare;

  beforeAll(async () => {
    work = tempDir('filet-share-');
    root = join(work, 'share');
    mkdirSync(join(work, 'outside'));
    writeFileSync(join(work, 'outside', 'secret.txt'), 'SYNTHETIC file outside the share\n');
    mkdirSync(join(root, 'lab', 'phone-A'), { recursive: true });
    writeFileSync(join(root, 'lab', 'phone-A', 'export.txt'), 'SYNTHETIC chat export\n');
    mkdirSync(join(root, 'lab', 'phone-B'));
    writeFileSync(join(root, 'lab', 'phone-B', 'db.bin'), Buffer.alloc(1234));
    symlinkSync(join(work, 'outside', 'secret.txt'), join(root, 'out-link'));
    symlinkSync(join(work, 'outside'), join(root, 'out-dir'));
    symlinkSync(join(root, 'lab', 'phone-A', 'export.txt'), join(root, 'lab', 'file-link'));
    symlinkSync(join(root, 'lab', 'phone-A'), join(root, 'lab', 'dir-link'));
    execFileSync('mkfifo', [join(root, 'lab', 'pipe')]);
    // The share given through a link to it: the root is its real path.
    symlinkSync(root, join(work, 'share-link'));
    share = await EvidenceShare.open(join(work, 'share-link'));
  });

  it('opens at the real path of its root; refuses a root that is missing or not a folder', async () => {
    expect(share.root).toBe(root);
    await expect(EvidenceShare.open(join(work, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(EvidenceShare.open(join(root, 'lab', 'phone-A', 'export.txt'))).rejects.toThrow(
      /is not a folder/,
    );
  });

  it('resolves a plain relative path to its real path (also the root, and a folder)', async () => {
    expect(await share.resolve('lab/phone-A/export.txt')).toBe(join(root, 'lab', 'phone-A', 'export.txt'));
    expect(await share.resolve('lab/./phone-A/')).toBe(join(root, 'lab', 'phone-A'));
    expect(await share.resolve('')).toBe(root);
  });

  it.each([
    ['an absolute path', '/etc/passwd', /"\/etc\/passwd" is an absolute path/],
    ['an absolute path inside the share', `${'/'}lab/phone-A/export.txt`, /is an absolute path/],
    ['a drive letter', 'C:/lab/x', /is an absolute path/],
    ['a ".." segment', '../outside/secret.txt', /has a "\.\." segment/],
    ['a ".." that would stay inside', 'lab/phone-A/../phone-B/db.bin', /has a "\.\." segment/],
    ['a NUL', 'lab/phone-A/export.txt\0.zip', /holds a NUL character/],
    ['a backslash', 'lab\\phone-A\\export.txt', /holds a backslash/],
    ['a link to a file outside', 'out-link', /goes through a symbolic link \(out-link\)/],
    ['a link to a folder outside', 'out-dir/secret.txt', /goes through a symbolic link \(out-dir\)/],
    ['a link to a file inside', 'lab/file-link', /goes through a symbolic link \(lab\/file-link\)/],
    [
      'a folder link in the middle of a path',
      'lab/dir-link/export.txt',
      /goes through a symbolic link \(lab\/dir-link\)/,
    ],
    ['a FIFO', 'lab/pipe', /not a regular file or folder/],
    ['a missing path', 'lab/phone-C/x.zip', /is not in the evidence share \(no lab\/phone-C\)/],
    ['a file used as a folder', 'lab/phone-A/export.txt/x', /lab\/phone-A\/export.txt is not a folder/],
  ])('refuses %s, naming the path and the share', async (_what, path, reason) => {
    const err = await share.resolve(path).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe('UserError');
    expect(err?.message).toMatch(reason);
    expect(err?.message).toContain(root);
  });

  it('refuses a path whose real path leaves the share (its root replaced by a link after it was opened)', async () => {
    const w = tempDir('filet-share-swap-');
    mkdirSync(join(w, 'share'));
    writeFileSync(join(w, 'share', 'secret.txt'), 'SYNTHETIC inside\n');
    mkdirSync(join(w, 'elsewhere'));
    writeFileSync(join(w, 'elsewhere', 'secret.txt'), 'SYNTHETIC outside\n');
    const s = await EvidenceShare.open(join(w, 'share'));
    expect(await s.resolve('secret.txt')).toBe(join(w, 'share', 'secret.txt'));
    // No segment below the root is a link: only the real path shows that the file is elsewhere.
    renameSync(join(w, 'share'), join(w, 'share-moved'));
    symlinkSync(join(w, 'elsewhere'), join(w, 'share'));
    await expect(s.resolve('secret.txt')).rejects.toThrow(
      new RegExp(`leaves the evidence share \\(its real path is ${join(w, 'elsewhere', 'secret.txt')}\\)`),
    );
  });

  it('lists a folder sorted, links and FIFOs refused, files with their size, in pages', async () => {
    const l = await share.list('lab');
    expect(l.path).toBe('lab');
    expect(l.total).toBe(5);
    expect(l.entries).toEqual([
      { name: 'dir-link', kind: 'refused', size: null, reason: 'symbolic link: never followed' },
      { name: 'file-link', kind: 'refused', size: null, reason: 'symbolic link: never followed' },
      { name: 'phone-A', kind: 'dir', size: null },
      { name: 'phone-B', kind: 'dir', size: null },
      {
        name: 'pipe',
        kind: 'refused',
        size: null,
        reason: 'not a regular file (device, FIFO or socket)',
      },
    ]);
    expect((await share.list('lab/phone-B')).entries).toEqual([{ name: 'db.bin', kind: 'file', size: 1234 }]);
    const top = await share.list('');
    expect(top.entries.map((e) => [e.name, e.kind])).toEqual([
      ['lab', 'dir'],
      ['out-dir', 'refused'],
      ['out-link', 'refused'],
    ]);
    const page = await share.list('lab', { offset: 2, limit: 2 });
    expect(page.entries.map((e) => e.name)).toEqual(['phone-A', 'phone-B']);
    expect(page.total).toBe(5);
    await expect(share.list('lab/dir-link')).rejects.toThrow(/symbolic link/);
    await expect(share.list('lab/phone-B/db.bin')).rejects.toThrow(/is not a folder/);
    await expect(share.list('lab', { limit: 5000 })).rejects.toThrow(/limit must be an integer from 1 to/);
  });
});

// ---- evidence on a share: a synthetic operation with its containers, an encrypted crypt15 and backup ----

const PASSWORD = 'synthetic-intake-pass-9K';
let shareRoot: string;
let share: EvidenceShare;
let devices: DeviceEntry[];
let keyHex: string;
let keyBytes: Buffer;
let cryptOwner: string;
let iphone: DeviceEntry;
let encBackup: string;
const container = (kind: string) => {
  const d = devices.find((x) => x.containers?.some((c) => c.kind === kind))!;
  return { device: d, ...d.containers!.find((c) => c.kind === kind)! };
};

beforeAll(async () => {
  const work = tempDir('filet-intake-');
  // The share holds what a lab delivers: the operation with its containers (synth --containers) …
  shareRoot = join(work, 'share');
  await synthesize({ out: shareRoot, seed: 7, scale: 'small', containers: true });
  devices = JSON.parse(readFileSync(join(shareRoot, 'devices.json'), 'utf8')) as DeviceEntry[];
  // … an encrypted crypt15 backup whose 64-digit key the lead types in …
  const op = buildOperation({ seed: 11, scale: 'small' });
  for (const m of op.media)
    Object.assign(m, digestBuffer(Buffer.from(`synthetic benign media item ${m.id}`)));
  const phone = op.devices.find((d) => d.platform === 'android')!;
  cryptOwner = phone.owner;
  const plain = await writeAndroidMsgstore(op, phone, join(work, 'plain-phone'), {
    schema: 'new',
    mediaBytes: (id) => Buffer.from(`synthetic benign media item ${id}`),
    presentFraction: 0.5,
  });
  const keys = generateKeys();
  keyBytes = keys.root;
  keyHex = keys.root.toString('hex');
  mkdirSync(join(shareRoot, 'lab', 'phone-K'), { recursive: true });
  await writeCryptBackup(
    plain.path,
    join(shareRoot, 'lab', 'phone-K', 'msgstore.db.crypt15'),
    'crypt15',
    keys,
  );
  // … and an encrypted iTunes / Finder backup of an iPhone of the operation, opened with its password.
  iphone = devices.find((d) => d.platform === 'ios' && d.files.some((f) => f.startsWith('devices/')))!;
  const deviceCopy = join(work, 'iphone');
  cpSync(join(shareRoot, 'devices', iphone.label), deviceCopy, { recursive: true });
  const b = writeIosBackup(deviceCopy, join(shareRoot, 'lab', 'backups'), {
    udid: '00008110-0000000000INTAKE',
    deviceName: 'SYNTHETIC iPhone',
    password: PASSWORD,
    dpic: 1000,
    iter: 100,
    owner: { jid: `${iphone.owner.slice(1)}@s.whatsapp.net`, key: 'OwnJabberID' },
  });
  encBackup = `lab/backups/${b.dir.split('/').pop()}`;
  share = await EvidenceShare.open(shareRoot);
}, 600_000);

/** Every table of the store, every row, as text (binary columns as hex and as latin1 bytes). */
async function dumpDatabase(store: CaseStore): Promise<string> {
  const tables =
    store.db.dialect === 'sqlite'
      ? await store.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      : await store.db.all<{ name: string }>(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
        );
  const parts: string[] = [];
  for (const { name } of tables)
    for (const row of await store.db.all(`SELECT * FROM "${name}"`))
      for (const v of Object.values(row))
        parts.push(
          Buffer.isBuffer(v) || v instanceof Uint8Array
            ? `${Buffer.from(v).toString('hex')} ${Buffer.from(v).toString('latin1')}`
            : typeof v === 'object'
              ? JSON.stringify(v)
              : String(v),
        );
  expect(tables.length).toBeGreaterThan(5);
  return parts.join('\n');
}

describe.each(STORE_TARGETS)('intake through the service on $name', ({ store: storeArg }) => {
  it('a preview of containers on the share finds devices, owners and what is needed, and writes nothing', async () => {
    const c = await initCase(join(tempDir(), 'case'), { store: storeArg });
    const ffs = container('android-full-file-system-zip');
    const backup = container('ios-backup');
    const crypt = container('android-crypt15');
    const cryptTree = crypt.path.replace(/\/Android\/media\/.*$/, '');
    let before;
    try {
      // Something in the case, so that "nothing written" is about a case with content.
      await ingestEvidence(c.store, c.dir, [devices[0]!.files[0]!], {}, {}, { share, match: false });
      before = { counts: await c.store.counts(), audit: (await c.store.readAudit()).length };
    } finally {
      await c.store.close();
    }
    const folderBefore = snapshot(c.dir);
    const shareBefore = snapshot(shareRoot);

    const p = await previewEvidence(
      [ffs.path, backup.path, cryptTree, 'lab/phone-K/msgstore.db.crypt15', encBackup],
      {},
      {},
      { share },
    );
    // Evidence files are read as they are; folders and containers are searched.
    expect(p.files).toEqual([
      join(shareRoot, backup.path),
      join(shareRoot, 'lab/phone-K/msgstore.db.crypt15'),
      join(shareRoot, encBackup),
    ]);
    expect(p.trees).toEqual([join(shareRoot, ffs.path), join(shareRoot, cryptTree)]);
    expect(p.evidenceFiles.map((f) => [f.kind, f.problem])).toEqual([
      ['ios-backup', undefined],
      ['android-msgstore-crypt', undefined],
      ['ios-backup', undefined],
    ]);
    // The full-file-system zip names its owner (devices.json: the generator's own truth).
    const ffsDevice = p.devices.find((d) => d.source === join(shareRoot, ffs.path))!;
    expect(ffsDevice.instances.map((i) => i.owner?.number)).toEqual([ffs.device.owner]);
    expect(ffsDevice.instances[0]!.artifacts.map((a) => a.kind)).toEqual(['android-msgstore']);
    const cryptDevice = p.devices.find((d) => d.source === join(shareRoot, cryptTree))!;
    expect(cryptDevice.instances[0]!.artifacts.map((a) => a.kind)).toEqual(['android-msgstore-crypt']);
    // Needed: the key of both crypt15 backups and the password of the encrypted backup; none given.
    expect(
      p.secretsNeeded.map((n) => [n.path.replace(`${shareRoot}/`, ''), n.secret, n.format, n.satisfied]),
    ).toEqual([
      ['lab/phone-K/msgstore.db.crypt15', 'android-key', 'crypt15', false],
      [encBackup, 'backup-password', undefined, false],
      ['Android/media/com.whatsapp/WhatsApp/Databases/msgstore.db.crypt15', 'android-key', 'crypt15', false],
    ]);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    const given = await previewEvidence(
      ['lab/phone-K/msgstore.db.crypt15', encBackup],
      {},
      { key: keyHex, keyFrom: 'web form', backupPassword: PASSWORD },
      { share },
    );
    expect(given.secretsNeeded.map((n) => n.satisfied)).toEqual([true, true]);
    expect(JSON.stringify(given)).not.toContain(keyHex);
    expect(JSON.stringify(given)).not.toContain(PASSWORD);

    expect(snapshot(c.dir)).toEqual(folderBefore);
    expect(snapshot(shareRoot)).toEqual(shareBefore);
    const again = await openCase(c.dir, { store: storeArg });
    try {
      expect(await again.store.counts()).toEqual(before.counts);
      expect((await again.store.readAudit()).length).toBe(before.audit);
    } finally {
      await again.store.close();
    }
    // A refused path is refused in a preview too.
    await expect(previewEvidence(['../outside'], {}, {}, { share })).rejects.toThrow(/has a "\.\." segment/);
  }, 300_000);

  it('ingests share paths with a 64-digit key and a backup password; neither is in the database, the audit or the case folder', async () => {
    const c = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const policy = { ...cliPolicy(), actor: 'lead-intake' };
      const seen: string[] = [];
      let records = 0;
      const crypt = await ingestEvidence(
        c.store,
        c.dir,
        ['lab/phone-K/msgstore.db.crypt15'],
        { device: 'phone-K', owner: cryptOwner, tz: 'UTC' },
        { key: keyHex, keyFrom: 'web form' },
        {
          share,
          policy,
          match: false,
          hooks: { onOutcome: (o) => void seen.push(o.status), onProgress: (n) => (records += n) },
        },
      );
      expect(crypt.mode).toBe('files');
      expect(crypt.fileOutcomes.map((o) => o.status)).toEqual(['ingested']);
      expect(seen).toEqual(['ingested']);
      expect(records).toBeGreaterThan(10);
      const ios = await ingestEvidence(
        c.store,
        c.dir,
        [encBackup],
        { device: iphone.label },
        { backupPassword: PASSWORD, backupPasswordFrom: 'web form' },
        { share, policy, match: false },
      );
      expect(ios.fileOutcomes.map((o) => o.status)).toEqual(['ingested']);
      // A folder on the share, searched (discovery), through the same service.
      const ffs = container('android-full-file-system-zip');
      const tree = await ingestEvidence(c.store, c.dir, [ffs.path], {}, {}, { share, policy, match: false });
      expect(tree.mode).toBe('trees');
      expect(tree.discovered.map((o) => o.status)).toEqual(['ingested']);

      const evidence = await c.store.listEvidence();
      expect(evidence.map((e) => e.kind).sort()).toEqual([
        'android-msgstore',
        'android-msgstore-crypt',
        'ios-backup',
      ]);
      expect(evidence.find((e) => e.kind === 'ios-backup')!.notes.owner).toMatchObject({
        number: iphone.owner,
      });
      // The notes say where the key came from, as the caller said it, and not the key.
      const cryptItem = evidence.find((e) => e.kind === 'android-msgstore-crypt')!;
      expect((cryptItem.notes.encryptedBackup as { keySource: unknown }).keySource).toEqual({
        kind: '64-digit key',
        given: '64-digit key given in the web form (not recorded)',
      });
      const audit = await c.store.readAudit();
      const ingests = audit.filter((e) => e.action === 'ingest');
      expect(ingests.map((e) => e.actor)).toEqual(['lead-intake', 'lead-intake', 'lead-intake']);
      expect(ingests.map((e) => e.args)).toEqual([
        expect.objectContaining({
          evidenceRoot: shareRoot,
          paths: [join(shareRoot, 'lab/phone-K/msgstore.db.crypt15')],
          key: 'given in the web form (not recorded)',
        }),
        expect.objectContaining({
          evidenceRoot: shareRoot,
          paths: [join(shareRoot, encBackup)],
          backupPassword: 'given (not recorded)',
          backupPasswordFrom: 'web form',
        }),
        expect.objectContaining({ evidenceRoot: shareRoot, paths: [join(shareRoot, ffs.path)] }),
      ]);

      // The secrets, in every form they could be written in, are nowhere.
      const forms = [
        keyHex,
        keyHex.toUpperCase(),
        keyBytes.toString('latin1'),
        keyBytes.toString('base64'),
        PASSWORD,
      ];
      const dump = (await dumpDatabase(c.store)) + JSON.stringify(audit) + JSON.stringify(evidence);
      expect(dump).toContain('given (not recorded)');
      for (const f of forms) expect(dump.includes(f), `database holds ${f.slice(0, 8)}…`).toBe(false);
      const files = allFiles(c.dir);
      expect(files.length).toBeGreaterThan(1);
      for (const bytes of files) {
        expect(bytes.includes(keyBytes)).toBe(false);
        for (const f of forms)
          for (const enc of ['utf8', 'utf16le'] as const)
            expect(bytes.includes(Buffer.from(f, enc)), `case folder holds ${f.slice(0, 8)}…`).toBe(false);
      }
    } finally {
      await c.store.close();
    }
  }, 600_000);

  it('refuses a path outside the share and records the refused attempt; the case is otherwise unchanged', async () => {
    const c = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const before = await c.store.counts();
      for (const [path, reason] of [
        ['../outside.zip', /has a "\.\." segment/],
        [`${shareRoot}/lab/phone-K/msgstore.db.crypt15`, /is an absolute path/],
      ] as const)
        await expect(
          ingestEvidence(c.store, c.dir, [path], {}, { key: keyHex }, { share, match: false }),
        ).rejects.toThrow(reason);
      expect(await c.store.counts()).toEqual(before);
      const audit = await c.store.readAudit();
      const failed = audit.filter((e) => e.action === 'ingest');
      expect(failed.map((e) => (e.result as { ok: boolean }).ok)).toEqual([false, false]);
      expect(failed.map((e) => (e.args as { paths: string[] }).paths)).toEqual([
        ['../outside.zip'],
        [`${shareRoot}/lab/phone-K/msgstore.db.crypt15`],
      ]);
      expect(JSON.stringify(audit)).not.toContain(keyHex);
    } finally {
      await c.store.close();
    }
  });
});

describe('filet ingest --evidence-root', () => {
  it('reads paths relative to the share, refuses links out of it with one clear line', async () => {
    const dir = join(tempDir(), 'case');
    expect(filet(['init', dir]).code).toBe(0);
    const root = tempDir('filet-cli-share-');
    cpSync(join(shareRoot, devices[0]!.files[0]!), join(root, 'export.zip'));
    symlinkSync(join(shareRoot, devices[0]!.files[1] ?? devices[0]!.files[0]!), join(root, 'linked.zip'));
    const bad = filet(['ingest', dir, '--evidence-root', root, 'linked.zip']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      `filet: ${root}: "linked.zip" goes through a symbolic link (linked.zip): refused (links are never followed in the share)`,
    ]);
    const ok = filet(['ingest', dir, '--evidence-root', root, 'export.zip', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const outcomes = JSON.parse(ok.stdout) as Array<{ path: string; status: string }>;
    expect(outcomes.map((o) => [o.path, o.status])).toEqual([[join(root, 'export.zip'), 'ingested']]);
    const dry = filet(['ingest', dir, '--evidence-root', root, '../', '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/has a "\.\." segment/);
  });
});

describe('uploads of chat exports', () => {
  const exportBytes = () => readFileSync(join(shareRoot, devices[0]!.files[0]!));
  const chunks = (b: Buffer, size = 1000) => {
    const out: Buffer[] = [];
    for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
    return Readable.from(out);
  };

  it('a chat export of 64 MiB at most', () => {
    expect(uploadLimits.chatExportBytes).toBe(64 * 1024 * 1024);
  });

  it('refuses an upload over the limit while it streams, leaving nothing behind', async () => {
    const c = await initCase(join(tempDir(), 'case'));
    await c.store.close();
    const before = snapshot(c.dir);
    const big = randomBytes(10_000);
    await expect(
      storeUpload(c.dir, 'WhatsApp Chat with Big.txt', chunks(big), { limit: 4096 }),
    ).rejects.toThrow(/upload "WhatsApp Chat with Big.txt" is larger than the limit of 4096 bytes/);
    await expect(
      storeUpload(c.dir, 'WhatsApp Chat with Big.txt', chunks(big), { limit: 4096, declaredSize: 10_000 }),
    ).rejects.toThrow(/larger than the limit/);
    for (const [name, reason] of [
      ['../x.zip', /give a file name, not a path/],
      ['notes.pdf', /only a chat export/],
      ['.hidden.zip', /starts with a dot/],
      ['fake.zip', /named \.zip but is not a zip file/],
    ] as const)
      await expect(storeUpload(c.dir, name, chunks(Buffer.from('SYNTHETIC not a zip')))).rejects.toThrow(
        reason,
      );
    expect(snapshot(c.dir)).toEqual(before);
    expect(existsSync(join(c.dir, 'evidence-uploads'))).toBe(false);
  });

  it('stores the same bytes once (by SHA-256, under the name first given); the stored file ingests', async () => {
    const c = await initCase(join(tempDir(), 'case'));
    try {
      const bytes = exportBytes();
      const first = await storeUpload(c.dir, 'WhatsApp Chat with Synthetic Group.zip', chunks(bytes));
      const second = await storeUpload(c.dir, 'copy.zip', chunks(bytes, 777));
      expect(first.sha256).toBe(sha256(bytes));
      expect(first.existed).toBe(false);
      expect(second).toEqual({ ...first, existed: true });
      expect(first.path).toBe(
        join(c.dir, 'evidence-uploads', sha256(bytes), 'WhatsApp Chat with Synthetic Group.zip'),
      );
      expect(readdirSync(join(c.dir, 'evidence-uploads'))).toEqual([sha256(bytes)]);
      expect(readdirSync(join(c.dir, 'evidence-uploads', sha256(bytes)))).toEqual([
        'WhatsApp Chat with Synthetic Group.zip',
      ]);
      expect(readFileSync(first.path).equals(bytes)).toBe(true);
      const r = await ingestEvidence(c.store, c.dir, [first.path], {}, {}, { match: false });
      expect(r.fileOutcomes.map((o) => o.status)).toEqual(['ingested']);
      if (r.fileOutcomes[0]!.status === 'ingested')
        expect(r.fileOutcomes[0]!.evidence.sha256).toBe(sha256(bytes));
    } finally {
      await c.store.close();
    }
  });
});
