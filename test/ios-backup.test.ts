import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAudited, ingestDiscoveredAudited } from '../src/app/case-actions.js';
import { closeDiscovery, discover } from '../src/evidence/discovery/index.js';
import { addUser } from '../src/cli/commands/user.js';
import { checkEvidence } from '../src/evidence/custody.js';
import { IosBackup, fileIdOf } from '../src/evidence/ios-backup/backup.js';
import { aesUnwrap } from '../src/evidence/ios-backup/keybag.js';
import { parsePlist, PlistUid } from '../src/evidence/plist.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import { buildServer } from '../src/server/app.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { WA_DOMAIN, WA_SMB_DOMAIN, writeIosBackup } from '../src/synth/devices/ios-backup-writer.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { caseFacts } from './helpers/case-facts.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';
import { inCase } from './helpers/case-url.js';

/**
 * Issue 10: iTunes / Finder backups. A synthetic iPhone (D04-es-ios of the seed-7 operation) is written as a
 * plain and an encrypted backup; each must ingest to the same case as its bare ChatStorage.sqlite with
 * `--owner`, finding the owner by itself in WhatsApp's preferences plist.
 */
const DEVICE = 'D04-es-ios';
const OWNER = '+34600035607'; // the generator's ground truth for D04-es-ios (devices.json)
const OWNER_JID = '34600035607@s.whatsapp.net';
const PASSWORD = 'synthetic-backup-pass-7Q';
const UI_PASSWORD = 'correct-horse-battery';
const KDF = { dpic: 1000, iter: 100 }; // real backups: 10 000 000 and 10 000; the structure is the same
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha256Of = (p: string) => sha256(readFileSync(p));

const hasPythonCrypto =
  spawnSync('python3', ['-c', 'import cryptography, plistlib, sqlite3'], { encoding: 'utf8' }).status === 0;
if (!hasPythonCrypto) {
  // .ci/run installs python3-cryptography: in CI the independent check can never be skipped.
  if (process.env.CI === 'true')
    throw new Error(
      'CI=true but python3 with `cryptography` is absent: the iTunes backup check cannot be skipped',
    );
  console.warn('[ios-backup tests] python3 with `cryptography` is absent: the independent check is SKIPPED');
}

let work = '';
let deviceDir = '';
let plain = '';
let encrypted = '';
let noWhatsApp = '';
let legacy = '';
let business = '';
type Written = Map<string, { fileID: string; size: number; sha256: string }>;
const writtenFiles: Record<string, Written> = {};
const filesOf = (w: {
  files: { domain: string; relativePath: string; fileID: string; size: number; sha256: string }[];
}): Written => new Map(w.files.map((f) => [`${f.domain}/${f.relativePath}`, f]));

let op7: { dir: string; devices: DeviceInfo[] };

beforeAll(async () => {
  const op = await synthOperation(7, 'small');
  op7 = op;
  const d = op.devices.find((x) => x.label === DEVICE)!;
  expect(d.owner).toBe(OWNER);
  work = tempDir('filet-ibackup-');
  deviceDir = join(work, 'device');
  cpSync(join(op.dir, 'devices', DEVICE), deviceDir, { recursive: true });
  const out = join(work, 'backups');
  const p = writeIosBackup(deviceDir, join(out, 'plain'), {
    udid: '00008110-00000000000PLAIN',
    deviceName: 'Synthetic iPhone P',
    owner: { jid: OWNER_JID, name: 'Pablo' },
  });
  plain = p.dir;
  writtenFiles.plain = filesOf(p);
  const e = writeIosBackup(deviceDir, join(out, 'enc'), {
    udid: '00008110-0000000000000ENC',
    deviceName: 'Synthetic iPhone E',
    iosVersion: '18.1',
    password: PASSWORD,
    ...KDF,
    owner: { jid: OWNER_JID, key: 'LastOwnJabberID' },
  });
  encrypted = e.dir;
  writtenFiles.enc = filesOf(e);
  noWhatsApp = writeIosBackup(deviceDir, join(out, 'nowa'), {
    udid: '00008110-000000000000NOWA',
    domain: null,
  }).dir;
  legacy = writeIosBackup(deviceDir, join(out, 'mbdb'), { udid: 'a'.repeat(40), legacyMbdb: true }).dir;
  business = writeIosBackup(deviceDir, join(out, 'smb'), {
    udid: '00008110-0000000000000SMB',
    domain: WA_SMB_DOMAIN,
    owner: { jid: OWNER_JID },
  }).dir;
}, 300_000);

describe('iTunes / Finder backup file system', () => {
  it('fileID is SHA1(domain-relativePath): ChatStorage.sqlite of WhatsApp is 7c7fba66…', () => {
    expect(fileIdOf(WA_DOMAIN, 'ChatStorage.sqlite')).toBe('7c7fba66680ef796b916b067077cc246adacf01d');
  });

  it('RFC 3394 §4.6 test vector (256-bit KEK, 256-bit key) unwraps with the unwrap filet uses', () => {
    const kek = Buffer.from('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', 'hex');
    const wrapped = Buffer.from(
      '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21',
      'hex',
    );
    expect(aesUnwrap(kek, wrapped).toString('hex')).toBe(
      '00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f',
    );
    wrapped[0] ^= 1;
    expect(() => aesUnwrap(kek, wrapped)).toThrow();
  });

  it.skipIf(!hasPythonCrypto)('reads binary and XML plists written by Python plistlib', () => {
    const py = (fmt: string) =>
      execFileSync('python3', [
        '-c',
        'import plistlib, sys, datetime\n' +
          'v = {"s": "Synthetic", "u": "caf\\u00e9 \\u2713", "i": 7, "n": -3, "big": 2**40, "r": 1.5, "t": True, ' +
          '"f": False, "d": b"\\x00\\x01\\xff", "a": [1, "x"], "dt": datetime.datetime(2026, 1, 15, 10, 0, 0), ' +
          '"nested": {"k": "v"}, "uid": plistlib.UID(3)}\n' +
          `if "${fmt}" == "xml": del v["uid"]\n` +
          `sys.stdout.buffer.write(plistlib.dumps(v, fmt=plistlib.FMT_${fmt.toUpperCase()}))`,
      ]);
    const expected = {
      s: 'Synthetic',
      u: 'café ✓',
      i: 7,
      n: -3,
      big: 2 ** 40,
      r: 1.5,
      t: true,
      f: false,
      d: Buffer.from([0, 1, 255]),
      a: [1, 'x'],
      dt: new Date(Date.UTC(2026, 0, 15, 10, 0, 0)),
      nested: { k: 'v' },
    };
    expect(parsePlist(py('binary'))).toEqual({ ...expected, uid: new PlistUid(3) });
    expect(parsePlist(py('xml'))).toEqual(expected);
  });

  it('lists domain/relativePath entries, reads Files.file and copies files with their SHA-256 (plain and encrypted)', async () => {
    for (const [dir, password] of [
      [plain, undefined],
      [encrypted, PASSWORD],
    ] as const) {
      const b = IosBackup.open(dir, { password });
      try {
        const paths = b.list(WA_DOMAIN).map((e) => e.path);
        expect(paths).toContain(`${WA_DOMAIN}/ChatStorage.sqlite`);
        expect(paths).toContain(`${WA_DOMAIN}/Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist`);
        expect(b.entry(`${WA_DOMAIN}/Message`)?.flags).toBe(2);
        expect(b.domains()).toEqual(new Set([WA_DOMAIN, 'HomeDomain']));
        const info = b.fileInfo(`${WA_DOMAIN}/ChatStorage.sqlite`);
        expect(info.size).toBe(statSync(join(deviceDir, 'ChatStorage.sqlite')).size);
        expect(info.encryptionKey === null).toBe(password === undefined);
        const dest = join(work, `copy-${password ? 'e' : 'p'}.sqlite`);
        const c = await b.copyTo(`${WA_DOMAIN}/ChatStorage.sqlite`, dest);
        expect(c.sha256).toBe(sha256Of(join(deviceDir, 'ChatStorage.sqlite')));
        expect(sha256Of(dest)).toBe(c.sha256);
        expect(c.fileID).toBe('7c7fba66680ef796b916b067077cc246adacf01d');
      } finally {
        b.close();
      }
    }
  });

  it.skipIf(!hasPythonCrypto)(
    'independent check: Python (hashlib, plistlib, cryptography) decrypts the encrypted backup to the same files',
    () => {
      const out = JSON.parse(
        execFileSync(
          'python3',
          [
            join('test', 'helpers', 'ios-backup-check.py'),
            encrypted,
            PASSWORD,
            WA_DOMAIN,
            'ChatStorage.sqlite',
          ],
          { encoding: 'utf8' },
        ),
      ) as {
        manifestDbSha256: string;
        rows: number;
        fileID: string;
        fileSha256: string;
        sqliteHeader: string;
      };
      expect(out.sqliteHeader).toBe('SQLite format 3');
      expect(out.fileID).toBe('7c7fba66680ef796b916b067077cc246adacf01d');
      expect(out.fileSha256).toBe(sha256Of(join(deviceDir, 'ChatStorage.sqlite')));
      const b = IosBackup.open(encrypted, { password: PASSWORD });
      try {
        expect(b.list().length).toBe(out.rows);
      } finally {
        b.close();
      }
    },
  );
});

interface CaseView {
  counts: Record<string, number>;
  messages: string[];
  members: string[];
  media: string[];
}

async function view(store: CaseStore): Promise<CaseView> {
  const accounts = new Map((await store.accounts()).map((a) => [a.id, a.key]));
  const chats = new Map((await store.chats()).map((c) => [c.id, c.key]));
  const messages: string[] = [];
  for await (const page of store.messages()) for (const m of page) messages.push(m.key);
  const members = (await store.memberships()).map(
    (m) => `${chats.get(m.chatId)} ${accounts.get(m.accountId)} ${m.rank} ${m.active}`,
  );
  const media = (await store.media()).map((m) => `${m.sha256} ${m.present}`);
  const counts = await store.counts();
  return { counts, messages: messages.sort(), members: members.sort(), media: media.sort() };
}

/** Every byte under `dir` (the case folder: SQLite case database, working copies) as one buffer. */
function allBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else parts.push(readFileSync(p));
    }
  };
  walk(dir);
  return Buffer.concat(parts);
}

describe.each(STORE_TARGETS)('backup ingest on $name', (target) => {
  const storeOpt = target.name === 'postgres' ? target.store : undefined;
  const cases: Record<string, { dir: string; store: CaseStore }> = {};
  const fresh = async (name: string) => {
    const dir = join(work, `${target.name}-${name}`);
    const { store } = await initCase(dir, { store: storeOpt });
    cases[name] = { dir, store };
    return cases[name];
  };
  const ingest = (c: { dir: string; store: CaseStore }, path: string, opts: Record<string, unknown> = {}) =>
    ingestAudited(
      c.store,
      c.dir,
      [path],
      { device: DEVICE, tz: 'Europe/Madrid', ...opts },
      { paths: [path] },
    );

  afterAll(async () => {
    for (const c of Object.values(cases)) await c.store.close();
  });

  it('the plain and the encrypted backup ingest to the same case as the bare ChatStorage.sqlite with --owner', async () => {
    const bare = await fresh('bare');
    await ingest(bare, join(deviceDir, 'ChatStorage.sqlite'), { owner: OWNER });
    const expected = await view(bare.store);
    expect(expected.messages.length).toBeGreaterThan(20);
    expect(expected.media.some((m) => m.endsWith(' true'))).toBe(true);

    for (const [name, dir, opts, ownerKey] of [
      ['plain', plain, {}, 'OwnJabberID'],
      ['enc', encrypted, { backupPassword: PASSWORD }, 'LastOwnJabberID'],
    ] as const) {
      const c = await fresh(name);
      const [o] = (await ingest(c, dir, opts)).outcomes;
      expect(o!.status).toBe('ingested');
      expect(await view(c.store)).toEqual(expected);
      const [ev] = await c.store.listEvidence();
      expect(ev!.kind).toBe('ios-backup');
      expect(ev!.path).toBe(dir);
      expect(ev!.sha256).toBe(sha256Of(join(dir, 'Manifest.db')));
      expect((await checkEvidence(ev!)).status).toBe('ok');
      const notes = ev!.notes as {
        owner: { number: string; source: string };
        ownerName?: { name: string };
        backup: {
          udid: string;
          deviceName: string;
          iosVersion: string;
          productType: string;
          encrypted: boolean;
          filesRead: { path: string; fileID: string; size: number; sha256: string }[];
        };
      };
      expect(notes.owner.number).toBe(OWNER);
      expect(notes.owner.source).toContain(
        `${WA_DOMAIN}/Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist`,
      );
      expect(notes.owner.source).toMatch(new RegExp(`key ${ownerKey}$`));
      expect(notes.backup.udid).toBe(
        name === 'plain' ? '00008110-00000000000PLAIN' : '00008110-0000000000000ENC',
      );
      expect(notes.backup.deviceName).toBe(name === 'plain' ? 'Synthetic iPhone P' : 'Synthetic iPhone E');
      expect(notes.backup.iosVersion).toBe(name === 'plain' ? '17.5.1' : '18.1');
      expect(notes.backup.productType).toBe('iPhone14,2');
      expect(notes.backup.encrypted).toBe(name === 'enc');
      // Every inner file read is listed, with the generator's own fileID, size and SHA-256.
      const read = notes.backup.filesRead;
      expect(read.map((f) => f.path)).toContain(`${WA_DOMAIN}/ChatStorage.sqlite`);
      expect(read.filter((f) => f.path.startsWith(`${WA_DOMAIN}/Message/Media/`)).length).toBeGreaterThan(0);
      for (const f of read) {
        const w = writtenFiles[name]!.get(f.path)!;
        expect(f, f.path).toMatchObject({ fileID: w.fileID, size: w.size, sha256: w.sha256 });
      }
      if (name === 'plain') expect(notes.ownerName?.name).toBe('Pablo');
      // Ingesting the same backup again changes nothing.
      const [again] = (await ingest(c, dir, opts)).outcomes;
      expect(again!.status).toBe('already-ingested');
    }
  }, 300_000);

  it('a message that lives only in ChatStorage.sqlite-wal is read from the backup', async () => {
    // A copy of the phone whose last write is still in the WAL (no checkpoint), as a live phone leaves it.
    const walDevice = join(work, `wal-device-${target.name}`);
    cpSync(deviceDir, walDevice, { recursive: true });
    const live = join(work, `wal-live-${target.name}`);
    cpSync(deviceDir, live, { recursive: true });
    const db = new Database(join(live, 'ChatStorage.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.prepare(
      `INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZMESSAGETYPE, ZGROUPMEMBER, ZMESSAGEDATE, ZSTANZAID, ZTEXT)
       SELECT MAX(Z_PK) + 1, 1, 0, 0, 1, 494882300.5, 'SYNTHWALONLY0001', 'synthetic row in the WAL' FROM ZWAMESSAGE`,
    ).run();
    for (const f of ['ChatStorage.sqlite', 'ChatStorage.sqlite-wal', 'ChatStorage.sqlite-shm'])
      cpSync(join(live, f), join(walDevice, f));
    db.close();
    expect(readFileSync(join(walDevice, 'ChatStorage.sqlite')).includes('SYNTHWALONLY0001')).toBe(false);
    expect(readFileSync(join(walDevice, 'ChatStorage.sqlite-wal')).includes('SYNTHWALONLY0001')).toBe(true);
    const w = writeIosBackup(walDevice, join(work, `wal-backup-${target.name}`), {
      udid: '00008110-00000000000000WAL',
      owner: { jid: OWNER_JID },
    });
    const c = await fresh('wal');
    await ingest(c, w.dir);
    const [ev] = await c.store.listEvidence();
    const read = (ev!.notes.backup as { filesRead: { path: string }[] }).filesRead.map((f) => f.path);
    expect(read).toContain(`${WA_DOMAIN}/ChatStorage.sqlite-wal`);
    const texts: string[] = [];
    for await (const page of c.store.messages()) for (const m of page) if (m.waKeyId) texts.push(m.waKeyId);
    expect(texts).toContain('SYNTHWALONLY0001');
    // The same folder read bare (its -wal beside it) with --owner gives the same case.
    const bare = await fresh('wal-bare');
    await ingest(bare, join(walDevice, 'ChatStorage.sqlite'), { owner: OWNER });
    expect(await view(c.store)).toEqual(await view(bare.store));
  });

  it('--owner overrides the plist and is recorded as such', async () => {
    const c = await fresh('override');
    await ingest(c, plain, { owner: '+34600099999' });
    const [ev] = await c.store.listEvidence();
    expect(ev!.notes.owner).toMatchObject({ number: '+34600099999', source: 'command line (--owner)' });
  });

  it('WhatsApp Business (group.net.whatsapp.WhatsAppSMB.shared) is read as its own instance', async () => {
    const c = await fresh('smb');
    await ingest(c, business);
    const [ev] = await c.store.listEvidence();
    const notes = ev!.notes as { owner: { number: string; source: string }; backup: { app: string } };
    expect(notes.backup.app).toBe('WhatsApp Business');
    expect(notes.owner.number).toBe(OWNER);
    expect(notes.owner.source).toContain('group.net.whatsapp.WhatsAppSMB.shared.plist');
    expect((await view(c.store)).messages).toEqual((await view(cases.bare!.store)).messages);
  });

  it('a backup holding WhatsApp and WhatsApp Business: two evidence items, each with its own owner and messages', async () => {
    // Business holds another synthetic iPhone's database and owner (devices.json is the ground truth).
    const other = op7.devices.find(
      (x) =>
        x.platform === 'ios' && x.label !== DEVICE && x.files.some((f) => f.endsWith('ChatStorage.sqlite')),
    )!;
    const otherDir = join(op7.dir, 'devices', other.label);
    const both = writeIosBackup(deviceDir, join(work, `both-${target.name}`), {
      udid: '00008110-0000000000000TWO',
      domain: [WA_DOMAIN, WA_SMB_DOMAIN],
      owner: { jid: OWNER_JID },
      perDomain: {
        [WA_SMB_DOMAIN]: { deviceDir: otherDir, owner: { jid: `${other.owner.slice(1)}@s.whatsapp.net` } },
      },
    });
    const c = await fresh('both');
    const r = await ingest(c, both.dir);
    expect(r.outcomes.map((o) => o.status)).toEqual(['ingested', 'ingested']);
    const evs = await c.store.listEvidence();
    const byApp = new Map(evs.map((e) => [(e.notes.backup as { app: string }).app, e]));
    const wa = byApp.get('WhatsApp')!;
    const smb = byApp.get('WhatsApp Business')!;
    expect((wa.notes.owner as { number: string }).number).toBe(OWNER);
    expect((smb.notes.owner as { number: string }).number).toBe(other.owner);
    expect((smb.notes.owner as { source: string }).source).toContain(
      'group.net.whatsapp.WhatsAppSMB.shared.plist',
    );
    expect((wa.notes.backup as { otherWhatsAppInstances: string[] }).otherWhatsAppInstances).toEqual([
      `WhatsApp Business (${WA_SMB_DOMAIN}): read as its own evidence item`,
    ]);
    // Identities: the backup's Manifest.db for WhatsApp, Business' ChatStorage.sqlite as stored.
    expect(wa.sha256).toBe(sha256Of(join(both.dir, 'Manifest.db')));
    const smbDb = both.files.find(
      (f) => f.domain === WA_SMB_DOMAIN && f.relativePath === 'ChatStorage.sqlite',
    )!;
    expect(smb.sha256).toBe(sha256Of(join(both.dir, smbDb.fileID.slice(0, 2), smbDb.fileID)));
    for (const e of [wa, smb]) expect((await checkEvidence(e)).status).toBe('ok');
    // The same case as both bare databases, each with its own --owner.
    const bareBoth = await fresh('bare-both');
    await ingest(bareBoth, join(deviceDir, 'ChatStorage.sqlite'), { owner: OWNER });
    await ingest(bareBoth, join(otherDir, 'ChatStorage.sqlite'), { owner: other.owner });
    const facts = await caseFacts(c.store);
    expect(facts).toEqual(await caseFacts(bareBoth.store));
    // Re-ingesting the backup changes nothing.
    const again = await ingest(c, both.dir);
    expect(again.outcomes.map((o) => o.status)).toEqual(['already-ingested', 'already-ingested']);
  });

  it('the same two-instance backup found inside a searched folder: two items, the same case', async () => {
    const other = op7.devices.find(
      (x) =>
        x.platform === 'ios' && x.label !== DEVICE && x.files.some((f) => f.endsWith('ChatStorage.sqlite')),
    )!;
    const otherDir = join(op7.dir, 'devices', other.label);
    const tree = join(work, `tree-${target.name}`, 'lab-share', 'iphone-two');
    writeIosBackup(deviceDir, tree, {
      udid: '00008110-00000000000TREE2',
      domain: [WA_DOMAIN, WA_SMB_DOMAIN],
      owner: { jid: OWNER_JID },
      perDomain: {
        [WA_SMB_DOMAIN]: { deviceDir: otherDir, owner: { jid: `${other.owner.slice(1)}@s.whatsapp.net` } },
      },
    });
    const c = await fresh('tree-both');
    const d = await discover([join(work, `tree-${target.name}`)]);
    try {
      const r = await ingestDiscoveredAudited(c.store, d, { workDir: c.dir, tz: 'Europe/Madrid' }, {});
      expect(r.outcomes.map((o) => o.status)).toEqual(['ingested', 'ingested']);
    } finally {
      await closeDiscovery(d);
    }
    const owners = (await c.store.listEvidence())
      .map((e) => (e.notes.owner as { number: string }).number)
      .sort();
    expect(owners).toEqual([OWNER, other.owner].sort());
    const bareBoth = await fresh('tree-bare-both');
    await ingest(bareBoth, join(deviceDir, 'ChatStorage.sqlite'), { owner: OWNER });
    await ingest(bareBoth, join(otherDir, 'ChatStorage.sqlite'), { owner: other.owner });
    expect(await caseFacts(c.store)).toEqual(await caseFacts(bareBoth.store));
    for (const e of await c.store.listEvidence()) expect((await checkEvidence(e)).status).toBe('ok');
  });

  it('a backup found inside a searched folder is read under the --sqlite-budget given', async () => {
    // A cell limit far below any real row: the ChatStorage of a backup found in a tree must be refused by
    // it, as a bare ChatStorage.sqlite would be (before, that path read without the budget).
    const tree = join(work, `budget-${target.name}`);
    writeIosBackup(deviceDir, join(tree, 'lab-share'), {
      udid: '00008110-000000000BUDGET1',
      owner: { jid: OWNER_JID },
    });
    const c = await fresh('budget');
    const d = await discover([tree]);
    try {
      await expect(
        ingestDiscoveredAudited(
          c.store,
          d,
          { workDir: c.dir, tz: 'Europe/Madrid', sqliteBudget: { maxCellBytes: 16 } },
          {},
        ),
      ).rejects.toThrow(/--sqlite-budget cell=/);
    } finally {
      await closeDiscovery(d);
    }
    expect(await c.store.listEvidence()).toEqual([]);
  });

  it('refuses wrong password, missing password, no WhatsApp, Manifest.mbdb with clear errors, writing nothing', async () => {
    const c = await fresh('refused');
    const attempts: [string[], Record<string, unknown>, RegExp][] = [
      [[encrypted], { backupPassword: 'not-the-password' }, /the backup password is wrong/],
      [[plain, encrypted], { backupPassword: 'not-the-password' }, /the backup password is wrong/],
      [[encrypted], {}, /encrypted: give its password with --backup-password/],
      [[noWhatsApp], {}, /no WhatsApp ChatStorage\.sqlite.*iCloud backup encryption/s],
      [[legacy], {}, /iOS 9 or earlier \(Manifest\.mbdb\).*out of scope/],
    ];
    for (const [paths, opts, re] of attempts) {
      await expect(
        ingestAudited(c.store, c.dir, paths, { device: DEVICE, ...opts }, { paths }),
        paths.join(' '),
      ).rejects.toThrow(re);
    }
    expect(await c.store.listEvidence()).toEqual([]);
    const counts = await c.store.counts();
    for (const k of ['messages', 'accounts', 'media']) expect(counts[k], k).toBe(0);
    expect(existsSync(join(c.dir, 'working')) ? readdirSync(join(c.dir, 'working')) : []).toEqual([]);
    const audit = JSON.stringify(await c.store.readAudit());
    expect(audit).not.toContain('not-the-password');
  });

  it('a novel image of a backup-ingested case is revealed with the SHA-256 recorded at ingest', async () => {
    const c = cases.enc!;
    const op = await synthOperation(7, 'small');
    await importHashList(c.store, join(op.dir, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
    await matchCase(c.store, c.dir, {});
    await addUser(c.store, 'analyst-user', 'analyst', UI_PASSWORD);
    let app: FastifyInstance | null = null;
    try {
      app = await buildServer({ caseDir: c.dir, caseStore: c.store, allowedHosts: ['localhost:80'] });
      const login = await app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: 'analyst-user', password: UI_PASSWORD },
      });
      expect(login.statusCode, login.body).toBe(200);
      const headers = {
        cookie: String(login.headers['set-cookie']).split(';')[0]!,
        'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken,
      };
      const list = await app.inject({
        method: 'GET',
        url: inCase(c.store.caseId, '/media?limit=500'),
        headers,
      });
      const items = list.json<{
        items: { id: number; sha256: string; status: string; present: boolean; mime: string | null }[];
      }>().items;
      const novel = items.filter((m) => m.status === 'novel' && m.present && m.mime?.startsWith('image/'));
      expect(novel.length).toBeGreaterThan(0);
      const [ev] = await c.store.listEvidence();
      const root = (ev!.notes.mediaFolder as { evidenceRoot: string }).evidenceRoot;
      expect(root.startsWith(join(c.dir, 'working'))).toBe(true);
      for (const n of novel.slice(0, 3)) {
        const r = await app.inject({
          method: 'POST',
          url: inCase(c.store.caseId, `/media/${n.id}/reveal`),
          headers,
          payload: { reason: 'test' },
        });
        expect(r.statusCode, r.body).toBe(200);
        expect(sha256(r.rawPayload)).toBe(n.sha256);
      }
    } finally {
      await app?.close();
    }
  }, 300_000);

  it('the CLI never records --backup-password (audit, notes, case folder)', async () => {
    const dir = join(work, `${target.name}-cli`);
    const store = storeOpt ? ['--store', storeOpt] : [];
    expect(filet(['init', dir, ...store]).code).toBe(0);
    const bad = filet([
      'ingest',
      dir,
      encrypted,
      '--backup-password',
      'wrong-' + PASSWORD,
      '--device',
      DEVICE,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/the backup password is wrong/);
    expect(bad.stderr + bad.stdout).not.toContain(PASSWORD);
    const ok = filet(['ingest', dir, encrypted, '--backup-password', PASSWORD, '--device', DEVICE, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const opened = await openCase(dir, { store: storeOpt });
    try {
      const evidence = await opened.store.listEvidence();
      expect(evidence.length).toBe(1);
      const recorded = JSON.stringify(evidence) + JSON.stringify(await opened.store.readAudit());
      expect(recorded).toContain('given (not recorded)');
      expect(recorded).not.toContain(PASSWORD);
    } finally {
      await opened.store.close();
    }
    // The export names the kind the schema knows; verify re-hashes Manifest.db; parse points to ingest.
    const out = join(dir, 'exports', 'case.json');
    const ex = filet(['export', dir, '--format', 'json', '--out', out]);
    expect(ex.code, ex.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { evidence: { kind: string }[] };
    const schema = JSON.parse(
      readFileSync(join('docs', 'schema', 'case-export.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(doc.evidence.map((e) => e.kind)).toEqual(['ios-backup']);
    const verify = filet(['verify', dir]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const parse = filet(['parse', encrypted]);
    expect(parse.code).not.toBe(0);
    expect(parse.stderr).toMatch(/iTunes \/ Finder backup folder.*filet ingest/);
    const bytes = allBytes(dir);
    for (const enc of ['utf8', 'utf16le'] as const)
      expect(bytes.includes(Buffer.from(PASSWORD, enc))).toBe(false);
  }, 120_000);
});
