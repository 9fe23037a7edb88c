import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  copyFileSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkEvidence } from '../src/evidence/custody.js';
import { closeDiscovery, discover, type Discovery } from '../src/evidence/discovery/index.js';
import { ingestDiscovered, type DiscoveredIngestOptions } from '../src/evidence/discovery/ingest.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import {
  encryptedBackupKeyBytes,
  generateKeys,
  keyFileBytes,
  writeCryptBackup,
  type CryptKeys,
} from '../src/synth/devices/crypt-writer.js';
import { writeIosBackup } from '../src/synth/devices/ios-backup-writer.js';
import { filet } from './helpers/cli.js';
import { rawZip, tarGz, treeEntries, zipTree } from './helpers/containers.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { caseFacts } from './helpers/case-facts.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

/**
 * Nested containers, and backups found inside searched trees. Every case built from a container, a backup
 * or an encrypted backup is compared with the case built from the bare database with --owner: the same
 * messages, events, media, groups and memberships.
 */
const IOS_DEVICE = 'D04-es-ios';
const IOS_OWNER = '+34600035607'; // the generator's ground truth for D04-es-ios (devices.json)
const IOS_OWNER_JID = '34600035607@s.whatsapp.net';
const PASSWORD = 'synthetic-nested-pass-4K';
const KDF = { dpic: 1000, iter: 100 };
const UDID_PLAIN = '00008110-0000000NESTPLAIN';
const UDID_ENC = '00008110-00000000NESTCRYPT';

let op: { dir: string; devices: DeviceInfo[] };
let android: DeviceInfo;
let androidDir = '';
let iosDir = '';
let work = '';
let backups = '';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const shaOf = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const prefsXml = (owner: string) =>
  `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <string name="registration_jid">${owner.slice(1)}@s.whatsapp.net</string>\n</map>\n`;

beforeAll(async () => {
  op = await synthOperation(7);
  const truth = JSON.parse(readFileSync(join(op.dir, 'truth.json'), 'utf8')) as {
    devices: Array<{ label: string; database?: string; databaseMediaPresent?: number }>;
  };
  const t = truth.devices.find((d) => d.database === 'new' && (d.databaseMediaPresent ?? 0) > 0)!;
  android = op.devices.find((d) => d.label === t.label)!;
  androidDir = join(op.dir, 'devices', android.label);
  iosDir = join(op.dir, 'devices', IOS_DEVICE);
  expect(op.devices.find((d) => d.label === IOS_DEVICE)!.owner).toBe(IOS_OWNER);
  work = tempDir('filet-nested-');
  backups = join(work, 'backups');
  writeIosBackup(iosDir, join(backups, 'plain'), { udid: UDID_PLAIN, owner: { jid: IOS_OWNER_JID } });
  writeIosBackup(iosDir, join(backups, 'enc'), {
    udid: UDID_ENC,
    password: PASSWORD,
    ...KDF,
    owner: { jid: IOS_OWNER_JID },
  });
}, 300_000);

/** Discovers and ingests `paths` into a new case; returns the case, the discovery's devices and outcomes. */
async function ingestTree(
  storeArg: string,
  name: string,
  paths: string[],
  extra: Partial<DiscoveredIngestOptions> = {},
  discoverOpts: Parameters<typeof discover>[1] = {},
) {
  const c = await initCase(join(work, name), { store: storeArg });
  let d: Discovery | null = null;
  try {
    d = await discover(paths, { workDir: join(c.dir, 'working'), ...discoverOpts });
    const outcomes = await ingestDiscovered(c.store, d, { workDir: c.dir, ...extra });
    return { c, d, outcomes };
  } catch (err) {
    await c.store.close();
    throw err;
  } finally {
    if (d) await closeDiscovery(d);
  }
}

/** The case of the bare database (or ChatStorage) with --owner. */
async function bareFacts(storeArg: string, name: string, db: string, owner: string, device: string) {
  const c = await initCase(join(work, name), { store: storeArg });
  try {
    await ingestPaths(c.store, [db], { device, owner });
    return await caseFacts(c.store);
  } finally {
    await c.store.close();
  }
}

/** Every file below a folder (a case folder: nothing of a secret may be in it). */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

function folderHolds(dir: string, needle: Buffer): string[] {
  return filesBelow(dir).filter((f) => readFileSync(f).includes(needle));
}

/** A folder laid out as `files` (relative path → bytes or a file to copy). */
function tree(root: string, files: Record<string, Buffer | string>): string {
  for (const [rel, v] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (Buffer.isBuffer(v)) writeFileSync(p, v);
    else copyFileSync(v, p);
  }
  return root;
}

/** The Android device's media, as `prefix/Media/...` entries of `tree()`. */
function mediaOf(prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of treeEntries(join(androidDir, 'Media')))
    out[`${prefix}/Media/${e.name}`] = join(androidDir, 'Media', e.name);
  return out;
}

async function zipFolder(dir: string, out: string): Promise<string> {
  await zipTree(dir, out);
  return out;
}

describe.each(STORE_TARGETS)('nested containers on $name', ({ store: storeArg }) => {
  it('a zip in a zip: the same case as the bare database, the chain of custody recorded', async () => {
    const base = join(work, `zz-${storeArg.length}`);
    const inner = join(base, `${android.label}.zip`);
    mkdirSync(base, { recursive: true });
    await zipTree(androidDir, inner, '', [
      { name: 'shared_prefs/com.whatsapp_preferences_light.xml', data: prefsXml(android.owner) },
    ]);
    const outer = await zipFolder(
      tree(join(base, 'outer'), { [`lab/phones/${android.label}.zip`]: inner }),
      join(base, 'outer.zip'),
    );
    const { c, d, outcomes } = await ingestTree(storeArg, `zz-case-${storeArg.length}`, [outer]);
    try {
      expect(d.devices.map((x) => x.label)).toEqual([android.label]);
      expect(outcomes.map((o) => o.status)).toEqual(['ingested']);
      const facts = await caseFacts(c.store);
      expect(facts.messages).toBeGreaterThan(0);
      expect(facts.mediaSha256.length).toBeGreaterThan(0);
      expect(facts).toEqual(
        await bareFacts(
          storeArg,
          `zz-bare-${storeArg.length}`,
          join(androidDir, 'databases', 'msgstore.db'),
          android.owner,
          android.label,
        ),
      );
      const [ev] = await c.store.listEvidence();
      expect(ev!.path).toBe(outer);
      expect(ev!.sha256).toBe(sha(join(androidDir, 'databases', 'msgstore.db')));
      expect(ev!.notes.container).toMatchObject({ path: outer, kind: 'zip', sha256: sha(outer) });
      expect(ev!.notes.nesting).toMatchObject({
        containers: [
          {
            in: outer,
            innerPath: `lab/phones/${android.label}.zip`,
            kind: 'zip',
            sha256: sha(inner),
            size: statSync(inner).size,
          },
        ],
        artifact: 'databases/msgstore.db',
        provenance: `${outer}!/lab/phones/${android.label}.zip!/databases/msgstore.db`,
      });
      expect((ev!.notes.owner as { source: string }).source).toBe(
        `device file ${outer}!/lab/phones/${android.label}.zip!/shared_prefs/com.whatsapp_preferences_light.xml (key registration_jid)`,
      );
      expect(outcomes[0]!.inner).toBe(`lab/phones/${android.label}.zip!/databases/msgstore.db`);
      expect(await checkEvidence(ev!)).toMatchObject({ status: 'ok', expected: sha(outer) });
      // The private copy of the inner zip is gone once discovery is closed.
      expect(readdirSync(join(c.dir, 'working')).filter((n) => n.startsWith('filet-nested-'))).toEqual([]);
    } finally {
      await c.store.close();
    }
  });

  it('a .tar.gz holding a zip, and a zip holding a .tar.gz (streamed, never written): the same case', async () => {
    const base = join(work, `tz-${storeArg.length}`);
    mkdirSync(base, { recursive: true });
    const prefs = { name: 'shared_prefs/com.whatsapp_preferences_light.xml', data: prefsXml(android.owner) };
    const inner = join(base, `${android.label}.zip`);
    await zipTree(androidDir, inner, '', [prefs]);
    const tgz = join(base, 'lab.tar.gz');
    writeFileSync(tgz, tarGz([{ name: `exports/${android.label}.zip`, data: readFileSync(inner) }]));
    const innerTgz = tarGz([...treeEntries(androidDir), prefs]);
    const zip = join(base, 'lab.zip');
    writeFileSync(zip, rawZip([{ name: `phones/${android.label}.tar.gz`, data: innerTgz }]));
    const bare = await bareFacts(
      storeArg,
      `tz-bare-${storeArg.length}`,
      join(androidDir, 'databases', 'msgstore.db'),
      android.owner,
      android.label,
    );
    for (const [i, src] of [tgz, zip].entries()) {
      const { c, outcomes } = await ingestTree(storeArg, `tz-case-${storeArg.length}-${i}`, [src]);
      try {
        expect(outcomes.map((o) => o.status)).toEqual(['ingested']);
        expect(await caseFacts(c.store)).toEqual(bare);
        const [ev] = await c.store.listEvidence();
        const link = (ev!.notes.nesting as { containers: Array<Record<string, unknown>> }).containers[0]!;
        if (src === tgz)
          expect(link).toMatchObject({
            kind: 'zip',
            sha256: sha(inner),
            readAs: expect.stringMatching(/private scratch/),
          });
        else
          expect(link).toMatchObject({
            kind: 'tar.gz',
            sha256: shaOf(innerTgz),
            size: innerTgz.length,
            readAs: expect.stringMatching(/streamed/),
          });
        expect((await checkEvidence(ev!)).status).toBe('ok');
      } finally {
        await c.store.close();
      }
    }
  });

  it('an iTunes backup inside a folder and inside a zip, plain and encrypted: the same case as its ChatStorage', async () => {
    const base = join(work, `ib-${storeArg.length}`);
    const folder = join(base, 'seized');
    cpSync(join(backups, 'plain', UDID_PLAIN), join(folder, 'iphone-P', UDID_PLAIN), { recursive: true });
    const zip = await zipFolder(join(backups, 'enc'), join(base, 'iphone-E.zip'));
    const plainZip = await zipFolder(join(backups, 'plain'), join(base, 'iphone-P.zip'));
    const bare = await bareFacts(
      storeArg,
      `ib-bare-${storeArg.length}`,
      join(iosDir, 'ChatStorage.sqlite'),
      IOS_OWNER,
      UDID_PLAIN,
    );
    expect(bare.messages).toBeGreaterThan(0);
    for (const [i, src] of [folder, plainZip, zip].entries()) {
      const { c, d, outcomes } = await ingestTree(storeArg, `ib-case-${storeArg.length}-${i}`, [src], {
        backupPassword: PASSWORD,
      });
      try {
        expect(d.devices.map((x) => x.label)).toEqual([src === zip ? UDID_ENC : UDID_PLAIN]);
        expect(outcomes.map((o) => o.status)).toEqual(['ingested']);
        expect(await caseFacts(c.store)).toEqual(bare);
        const [ev] = await c.store.listEvidence();
        expect(ev!.kind).toBe('ios-backup');
        // The owner was found by itself in WhatsApp's preferences plist inside the backup.
        expect(ev!.notes.owner).toMatchObject({ number: IOS_OWNER });
        const stored =
          src === folder
            ? join(folder, 'iphone-P', UDID_PLAIN)
            : join(backups, src === zip ? 'enc' : 'plain', src === zip ? UDID_ENC : UDID_PLAIN);
        expect(ev!.sha256).toBe(sha(join(stored, 'Manifest.db')));
        if (src === folder) expect(ev!.path).toBe(stored);
        else {
          expect(ev!.path).toBe(src);
          expect(ev!.notes.container).toMatchObject({ path: src, sha256: sha(src) });
          // Only the backup's manifests and WhatsApp's stored files were staged, and the staging is gone.
          const staged = ev!.notes.innerArtifacts as Array<{ path: string; sha256: string }>;
          const manifest = staged.find((x) => x.path.endsWith('/Manifest.db'))!;
          expect(manifest.sha256).toBe(sha(join(stored, 'Manifest.db')));
          const homeId = createHash('sha1')
            .update('HomeDomain-Library/Preferences/com.apple.synthetic.plist')
            .digest('hex');
          expect(staged.some((x) => x.path.endsWith(homeId))).toBe(false);
          expect(readdirSync(join(c.dir, 'derived', 'artifacts', sha(src)))).toEqual([]);
        }
        expect((await checkEvidence(ev!)).status).toBe('ok');
        if (src === zip) expect(folderHolds(c.dir, Buffer.from(PASSWORD))).toEqual([]);
      } finally {
        await c.store.close();
      }
    }
  });

  it('an encrypted iTunes backup without a password is listed and skipped; the rest of the tree is ingested', async () => {
    const base = join(work, `inp-${storeArg.length}`);
    const folder = join(base, 'seized');
    cpSync(join(backups, 'enc', UDID_ENC), join(folder, 'iphone-E', UDID_ENC), { recursive: true });
    cpSync(androidDir, join(folder, android.label), { recursive: true });
    const { c, d, outcomes } = await ingestTree(storeArg, `inp-case-${storeArg.length}`, [folder], {
      owner: undefined,
    });
    try {
      const inst = d.devices.find((x) => x.label === UDID_ENC)!.instances[0]!;
      expect(inst.notes).toContain(
        'encrypted: give --backup-password (this backup is skipped, the rest is ingested)',
      );
      const byDevice = Object.fromEntries(outcomes.map((o) => [o.device, o]));
      expect(byDevice[android.label]!.status).toBe('ingested');
      expect(byDevice[UDID_ENC]).toMatchObject({
        status: 'skipped',
        reason: expect.stringMatching(/this backup is encrypted: give its password/),
      });
      expect((await c.store.listEvidence()).map((e) => e.deviceLabel)).toEqual([android.label]);
      expect(
        existsSync(join(c.dir, 'working'))
          ? readdirSync(join(c.dir, 'working')).filter((n) => n.startsWith('ios-backup'))
          : [],
      ).toEqual([]);
    } finally {
      await c.store.close();
    }
  });
});

/** An Android device tree whose database is only an encrypted backup on shared storage. */
async function cryptTree(
  root: string,
  label: string,
  format: 'crypt14' | 'crypt15',
  keys: CryptKeys,
  keyInTree: CryptKeys | null,
  waDb?: string,
): Promise<{ crypt: string; keyBytes: Buffer | null }> {
  const wa = join(root, label, 'sdcard', 'WhatsApp');
  mkdirSync(join(wa, 'Databases'), { recursive: true });
  const crypt = join(wa, 'Databases', `msgstore.db.${format}`);
  await writeCryptBackup(join(androidDir, 'databases', 'msgstore.db'), crypt, format, keys);
  if (waDb) {
    mkdirSync(join(wa, 'Backups'), { recursive: true });
    await writeCryptBackup(waDb, join(wa, 'Backups', 'wa.db.crypt15'), 'crypt15', keys);
  }
  const app = join(root, label, 'data', 'data', 'com.whatsapp');
  const keyBytes = keyInTree
    ? format === 'crypt15'
      ? encryptedBackupKeyBytes(keyInTree)
      : keyFileBytes(keyInTree)
    : null;
  tree(join(root, label), {
    ...mediaOf('sdcard/WhatsApp'),
    'data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml': Buffer.from(
      prefsXml(android.owner),
    ),
    ...(keyBytes
      ? {
          [`data/data/com.whatsapp/files/${format === 'crypt15' ? 'encrypted_backup.key' : 'key'}`]: keyBytes,
        }
      : {}),
  });
  void app;
  return { crypt, keyBytes };
}

/** A wa.db with one group creator (for a group of the Android device's database). */
function makeWaDb(path: string): void {
  const msg = new Database(join(androidDir, 'databases', 'msgstore.db'), { readonly: true });
  const group = (
    msg.prepare("SELECT raw_string AS j FROM jid WHERE server = 'g.us' LIMIT 1").get() as { j: string }
  ).j;
  msg.close();
  const db = new Database(path);
  db.exec('CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY, jid TEXT, display_name TEXT)');
  db.exec('CREATE TABLE wa_group_admin_settings (_id INTEGER PRIMARY KEY, jid TEXT, creator_jid TEXT)');
  db.prepare('INSERT INTO wa_group_admin_settings (jid, creator_jid) VALUES (?, ?)').run(
    group,
    '34600999001@s.whatsapp.net',
  );
  db.close();
}

describe.each(STORE_TARGETS)('encrypted Android backups inside trees on $name', ({ store: storeArg }) => {
  it('crypt15 + files/encrypted_backup.key + wa.db.crypt15 in a device folder: key found by itself, the same case', async () => {
    const base = join(work, `c15-${storeArg.length}`);
    const keys = generateKeys();
    const waDb = join(base, 'wa.db');
    mkdirSync(base, { recursive: true });
    makeWaDb(waDb);
    const { crypt, keyBytes } = await cryptTree(join(base, 'seized'), 'phone-C', 'crypt15', keys, keys, waDb);
    // The bare reference: the plain database with the plain wa.db beside it.
    const ref = join(base, 'ref');
    cpSync(androidDir, ref, { recursive: true });
    copyFileSync(waDb, join(ref, 'databases', 'wa.db'));
    const bare = await bareFacts(
      storeArg,
      `c15-bare-${storeArg.length}`,
      join(ref, 'databases', 'msgstore.db'),
      android.owner,
      'phone-C',
    );
    const { c, d, outcomes } = await ingestTree(storeArg, `c15-case-${storeArg.length}`, [
      join(base, 'seized'),
    ]);
    try {
      const inst = d.devices[0]!.instances[0]!;
      expect(d.devices.map((x) => x.label)).toEqual(['phone-C']);
      expect(inst.owner?.number).toBe(android.owner);
      expect(inst.artifacts[0]).toMatchObject({
        kind: 'android-msgstore-crypt',
        path: 'phone-C/sdcard/WhatsApp/Databases/msgstore.db.crypt15',
        key: {
          path: 'phone-C/data/data/com.whatsapp/files/encrypted_backup.key',
          kind: 'encrypted_backup.key',
        },
      });
      expect(outcomes.map((o) => o.status)).toEqual(['ingested']);
      expect(await caseFacts(c.store)).toEqual(bare);
      const [ev] = await c.store.listEvidence();
      expect(ev).toMatchObject({ kind: 'android-msgstore-crypt', path: crypt, sha256: sha(crypt) });
      const enc = ev!.notes.encryptedBackup as Record<string, unknown>;
      expect(enc.keySource).toMatchObject({
        kind: 'encrypted_backup.key',
        foundInDevice: join(base, 'seized', 'phone-C/data/data/com.whatsapp/files/encrypted_backup.key'),
        keyFileSha256: shaOf(keyBytes!),
      });
      expect(enc.plaintext).toMatchObject({ sha256: sha(join(androidDir, 'databases', 'msgstore.db')) });
      expect(enc.waDb).toMatchObject({
        source: 'phone-C/sdcard/WhatsApp/Backups/wa.db.crypt15',
        plaintext: { sha256: sha(waDb) },
      });
      expect(ev!.notes.waDb).toMatchObject({ used: true, creators: 1 });
      // Neither the key nor the key file's bytes are anywhere in the case folder; no decrypted copy is left.
      expect(folderHolds(c.dir, keys.root)).toEqual([]);
      expect(folderHolds(c.dir, keyBytes!)).toEqual([]);
      expect(filesBelow(c.dir).filter((f) => /filet-decrypt-/.test(f))).toEqual([]);
    } finally {
      await c.store.close();
    }
  });

  it('crypt14 + files/key inside a zip: key found by itself, the same case', async () => {
    const base = join(work, `c14-${storeArg.length}`);
    const keys = generateKeys();
    await cryptTree(join(base, 'tree'), 'phone-D', 'crypt14', keys, keys);
    const zip = await zipFolder(join(base, 'tree'), join(base, 'phone-D.zip'));
    const bare = await bareFacts(
      storeArg,
      `c14-bare-${storeArg.length}`,
      join(androidDir, 'databases', 'msgstore.db'),
      android.owner,
      'phone-D',
    );
    const { c, outcomes } = await ingestTree(storeArg, `c14-case-${storeArg.length}`, [zip]);
    try {
      expect(outcomes.map((o) => o.status)).toEqual(['ingested']);
      expect(await caseFacts(c.store)).toEqual(bare);
      const [ev] = await c.store.listEvidence();
      expect(ev!.path).toBe(zip);
      expect((ev!.notes.encryptedBackup as { keySource: unknown }).keySource).toMatchObject({
        kind: 'key',
        foundInDevice: `${zip}!/phone-D/data/data/com.whatsapp/files/key`,
      });
      expect((await checkEvidence(ev!)).status).toBe('ok');
      expect(folderHolds(c.dir, keys.aesKey)).toEqual([]);
    } finally {
      await c.store.close();
    }
  });

  it('a wrong key found in the tree: that backup is skipped with a clear reason, the rest of the tree is ingested', async () => {
    const base = join(work, `wk-${storeArg.length}`);
    const seized = join(base, 'seized');
    await cryptTree(seized, 'phone-W', 'crypt15', generateKeys(), generateKeys());
    cpSync(iosDir, join(seized, 'iphone-3'), { recursive: true });
    const { c, outcomes } = await ingestTree(storeArg, `wk-case-${storeArg.length}`, [seized]);
    try {
      const byDevice = Object.fromEntries(outcomes.map((o) => [o.device, o]));
      expect(byDevice['iphone-3']!.status).toBe('ingested');
      expect(byDevice['phone-W']).toMatchObject({
        status: 'skipped',
        reason: expect.stringMatching(
          /phone-W\/sdcard\/WhatsApp\/Databases\/msgstore\.db\.crypt15: wrong key for this crypt15 backup: AES-GCM authentication failed/,
        ),
      });
      expect((await c.store.listEvidence()).map((e) => e.deviceLabel)).toEqual(['iphone-3']);
      expect(filesBelow(c.dir).filter((f) => /filet-decrypt-/.test(f))).toEqual([]);
    } finally {
      await c.store.close();
    }
  });
});

describe('discovery of encrypted backups and dated copies beside a plain database', () => {
  it('without a key, the plain msgstore.db is read; the crypt file and the dated copy are reported with what was done', async () => {
    const root = join(work, 'both');
    tree(join(root, 'phone-B'), {
      'data/data/com.whatsapp/databases/msgstore.db': join(androidDir, 'databases', 'msgstore.db'),
      'sdcard/WhatsApp/Databases/msgstore.db.crypt15': Buffer.from('not read'),
      'sdcard/WhatsApp/Databases/msgstore-2025-01-02.1.db.crypt15': Buffer.from('not read'),
    });
    const d = await discover([root]);
    try {
      const inst = d.devices.find((x) => x.label === 'phone-B')!.instances[0]!;
      expect(inst.artifacts.map((a) => [a.kind, a.path])).toEqual([
        ['android-msgstore', 'phone-B/data/data/com.whatsapp/databases/msgstore.db'],
      ]);
      // Without a key (none given, none in the app folder) the backups are named, not read, and the
      // ingest does not fail: the current state is read.
      const why =
        'not read: no key was given or found (no …/files/encrypted_backup.key); the plain phone-B/data/data/com.whatsapp/databases/msgstore.db is read. Give --key-file to read it as a state of the same database';
      expect(inst.alsoFound).toEqual([
        {
          path: 'phone-B/sdcard/WhatsApp/Databases/msgstore.db.crypt15',
          size: 8,
          what: 'encrypted backup of this instance',
          action: why,
        },
        {
          path: 'phone-B/sdcard/WhatsApp/Databases/msgstore-2025-01-02.1.db.crypt15',
          size: 8,
          what: 'dated encrypted backup (an older state) of this instance',
          action: why,
        },
      ]);
    } finally {
      await closeDiscovery(d);
    }
  });
});

describe('hostile nesting', () => {
  it('a zip bomb inside a zip (small compressed, huge actual expansion) is refused naming the entry and the limit', async () => {
    const base = join(work, 'bomb');
    mkdirSync(base, { recursive: true });
    // 256 MiB of zeros deflate to about 256 KiB.
    const yazl = (await import('yazl')).default;
    const z = new yazl.ZipFile();
    const MiB = 1024 * 1024;
    let left = 256;
    z.addReadStream(
      new Readable({
        read() {
          this.push(left-- > 0 ? Buffer.alloc(MiB) : null);
        },
      }),
      'filler/zeros.bin',
    );
    z.end();
    const bomb = join(base, 'bomb.zip');
    await new Promise<void>((res, rej) =>
      z.outputStream.pipe(createWriteStream(bomb)).on('close', res).on('error', rej),
    );
    expect(statSync(bomb).size).toBeLessThan(2 * MiB);
    const outer = await zipFolder(
      tree(join(base, 'outer'), { 'evidence/bomb.zip': bomb, ...mediaOf('phone') }),
      join(base, 'outer.zip'),
    );
    const scratch = join(base, 'scratch');
    await expect(discover([outer], { workDir: scratch })).rejects.toThrow(
      new RegExp(
        `${outer}!/evidence/bomb\\.zip!/filler/zeros\\.bin \\(268435456 bytes declared\\).*past the limit of 67108864 bytes.*zip bomb; nothing was written`,
      ),
    );
    expect(readdirSync(scratch)).toEqual([]); // the private copy of bomb.zip is removed
  });

  it('a zip entry declaring a huge size is refused before anything is copied out', async () => {
    const base = join(work, 'declared');
    mkdirSync(base, { recursive: true });
    const data = deflateRawSync(Buffer.alloc(1024));
    const inner = rawZip([{ name: 'huge.bin', data, method: 8, uncompressedSize: 0xfffffff0 }]);
    const outer = join(base, 'outer.zip');
    writeFileSync(outer, rawZip([{ name: 'inner.zip', data: inner }]));
    await expect(discover([outer])).rejects.toThrow(
      /inner\.zip!\/huge\.bin \(4294967280 bytes declared\).*zip bomb/,
    );
  });

  it('nesting deeper than the limit is refused with the chain and the limit', async () => {
    const base = join(work, 'deep');
    mkdirSync(base, { recursive: true });
    let cur = join(base, 'z0.zip');
    await zipTree(androidDir, cur);
    for (let i = 1; i <= 4; i++) {
      const next = join(base, `z${i}.zip`);
      writeFileSync(next, rawZip([{ name: `z${i - 1}.zip`, data: readFileSync(cur) }]));
      cur = next;
    }
    await expect(discover([cur])).rejects.toThrow(
      new RegExp(
        `containers nested 4 deep \\(${cur}!/z3\\.zip!/z2\\.zip!/z1\\.zip!/z0\\.zip\\): filet opens containers up to 3 levels`,
      ),
    );
    // Three levels are read.
    const d = await discover([join(base, 'z3.zip')]);
    try {
      expect(d.devices.map((x) => x.chain.length)).toEqual([3]);
    } finally {
      await closeDiscovery(d);
    }
  });
});

describe('filet ingest: backup secrets off the command line', () => {
  it('FILET_BACKUP_PASSWORD and --backup-password-file open an encrypted backup in a zip; the password is recorded nowhere', async () => {
    const base = join(work, 'cli-pass');
    mkdirSync(base, { recursive: true });
    const zip = await zipFolder(join(backups, 'enc'), join(base, 'iphone-E.zip'));
    const pwFile = join(base, 'pw.txt');
    writeFileSync(pwFile, `${PASSWORD}\n`);
    for (const [i, route] of [
      [{ FILET_BACKUP_PASSWORD: PASSWORD }, [], 'environment variable FILET_BACKUP_PASSWORD'],
      [{}, ['--backup-password-file', pwFile], `file ${pwFile}`],
    ].entries() as Iterable<[number, [Record<string, string>, string[], string]]>) {
      const caseDir = join(base, `case-${i}`);
      expect(filet(['init', caseDir]).code).toBe(0);
      const r = filet(['ingest', caseDir, zip, ...route[1], '--json'], route[0]);
      expect(r.code, r.stderr).toBe(0);
      const c = await openCase(caseDir);
      try {
        const entry = (await c.store.readAudit()).find((e) => e.action === 'ingest')!;
        expect(entry.args).toMatchObject({
          backupPassword: 'given (not recorded)',
          backupPasswordFrom: route[2],
        });
        expect(JSON.stringify(await c.store.readAudit())).not.toContain(PASSWORD);
        expect((await c.store.listEvidence()).map((e) => e.kind)).toEqual(['ios-backup']);
      } finally {
        await c.store.close();
      }
      expect(folderHolds(caseDir, Buffer.from(PASSWORD))).toEqual([]);
    }
  });

  it('FILET_BACKUP_KEY opens a crypt15 found in a tree; the key is recorded nowhere', async () => {
    const base = join(work, 'cli-key');
    const keys = generateKeys();
    await cryptTree(join(base, 'seized'), 'phone-K', 'crypt15', keys, null);
    const hex = keys.root.toString('hex');
    const caseDir = join(base, 'case');
    expect(filet(['init', caseDir]).code).toBe(0);
    const r = filet(['ingest', caseDir, join(base, 'seized'), '--json'], { FILET_BACKUP_KEY: hex });
    expect(r.code, r.stderr).toBe(0);
    const c = await openCase(caseDir);
    try {
      const audit = await c.store.readAudit();
      expect(audit.find((e) => e.action === 'ingest')!.args).toMatchObject({
        key: 'given in the environment variable FILET_BACKUP_KEY (not recorded)',
      });
      expect(JSON.stringify(audit)).not.toContain(hex);
      const [ev] = await c.store.listEvidence();
      expect((ev!.notes.encryptedBackup as { keySource: unknown }).keySource).toEqual({
        kind: '64-digit key',
        given: '64-digit key given in the environment variable FILET_BACKUP_KEY (not recorded)',
      });
    } finally {
      await c.store.close();
    }
    expect(folderHolds(caseDir, Buffer.from(hex))).toEqual([]);
    expect(folderHolds(caseDir, keys.root)).toEqual([]);
  });

  it('a wrong key in the tree: exit code 2, the skipped backup named on stderr and in the audit log', async () => {
    const base = join(work, 'cli-wrong');
    await cryptTree(join(base, 'seized'), 'phone-W', 'crypt15', generateKeys(), generateKeys());
    cpSync(iosDir, join(base, 'seized', 'iphone-3'), { recursive: true });
    const caseDir = join(base, 'case');
    expect(filet(['init', caseDir]).code).toBe(0);
    const r = filet(['ingest', caseDir, join(base, 'seized')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /phone-W .*msgstore\.db\.crypt15: NOT READ — .*wrong key for this crypt15 backup/,
    );
    expect(r.stderr).toMatch(/1 artifact\(s\) were not read/);
    const c = await openCase(caseDir);
    try {
      // Every artifact has its own audit entry: the skipped one says why.
      const items = (await c.store.readAudit())
        .filter((e) => e.action === 'ingest')
        .flatMap((e) => (e.result as { items?: Array<Record<string, unknown>> }).items ?? []);
      expect(items.map((x) => [x.device, x.status])).toEqual([
        ['iphone-3', 'ingested'],
        ['phone-W', 'skipped'],
      ]);
      expect(items[1]!.reason).toMatch(/wrong key for this crypt15 backup/);
    } finally {
      await c.store.close();
    }
  });

  it('bad secret options are refused before anything is read', () => {
    const base = join(work, 'cli-bad');
    mkdirSync(base, { recursive: true });
    const caseDir = join(base, 'case');
    expect(filet(['init', caseDir]).code).toBe(0);
    const empty = join(base, 'empty.txt');
    writeFileSync(empty, '\n');
    let r = filet(['ingest', caseDir, androidDir, '--backup-password-file', empty]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${empty}: --backup-password-file: the first line is empty`);
    r = filet(['ingest', caseDir, androidDir, '--backup-password', 'x', '--backup-password-file', empty]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/give either --backup-password or --backup-password-file, not both/);
  });
});
