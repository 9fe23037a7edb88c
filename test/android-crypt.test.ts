/**
 * Encrypted Android backups (src/evidence/android-crypt). Synthetic throughout: the msgstore.db is written by
 * synth, the keys are random bytes generated here. The independent implementation is Python's
 * `cryptography` package (AESGCM, HKDF) with the standard library's zlib/hashlib, driven as a child process:
 * it decrypts what our writer produced and writes a crypt15 of its own that our reader must decrypt.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import Database from 'better-sqlite3';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAudited } from '../src/app/case-actions.js';
import { DamagedBackupError, decryptBackup, WrongKeyError } from '../src/evidence/android-crypt/decrypt.js';
import { backupDateFromName, parsePrefix, readBackupLayout } from '../src/evidence/android-crypt/format.js';
import { androidCryptReader } from '../src/evidence/android-crypt/index.js';
import { crypt15AesKey, loadKeyFile } from '../src/evidence/android-crypt/keys.js';
import { parseMessage } from '../src/evidence/android-crypt/protobuf.js';
import { detectReader } from '../src/evidence/registry.js';
import { digestBuffer } from '../src/hashing/digests.js';
import type { CaseStore } from '../src/store/case-store.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import { writeAndroidMsgstore } from '../src/synth/devices/android-msgstore-writer.js';
import {
  encryptedBackupKeyBytes,
  generateKeys,
  keyFileBytes,
  pb,
  writeCryptBackup,
  type CryptKeys,
} from '../src/synth/devices/crypt-writer.js';
import { buildOperation, type Device } from '../src/synth/operation.js';
import { UserError } from '../src/util/errors.js';
import { filet, REPO } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

const tmp = tempDir('filet-crypt-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let keys: CryptKeys;
let device: Device;
let root: string;
let plainPath: string;
let plain: Buffer;
const keyFile = () => join(tmp, 'keys', 'key');
const e2eKeyFile = () => join(tmp, 'keys', 'encrypted_backup.key');
const backup = (f: string) => join(root, 'databases', `msgstore.db.${f}`);
let n = 0;
const scratch = (name: string) => join(tmp, `s${++n}-${name}`);

beforeAll(async () => {
  const op = buildOperation({ seed: 11, scale: 'small' });
  for (const m of op.media)
    Object.assign(m, digestBuffer(Buffer.from(`synthetic benign media item ${m.id}`)));
  device = op.devices.find((d) => d.platform === 'android')!;
  root = join(tmp, 'phone');
  const s = await writeAndroidMsgstore(op, device, root, {
    schema: 'new',
    mediaBytes: (id) => Buffer.from(`synthetic benign media item ${id}`),
    presentFraction: 0.5,
  });
  plainPath = s.path;
  plain = readFileSync(plainPath);
  keys = generateKeys();
  mkdirSync(join(tmp, 'keys'));
  writeFileSync(keyFile(), keyFileBytes(keys));
  writeFileSync(e2eKeyFile(), encryptedBackupKeyBytes(keys));
  for (const f of ['crypt12', 'crypt14', 'crypt15'] as const)
    await writeCryptBackup(plainPath, backup(f), f, keys);
}, 120_000);

async function decryptTo(path: string, keyBytes: Buffer): Promise<Buffer> {
  const out = scratch('plain.db');
  await decryptBackup(path, await readBackupLayout(path), keyBytes, out);
  return readFileSync(out);
}

describe('crypt12 / crypt14 / crypt15 files', () => {
  it('key files have the documented sizes and Java serialization header', () => {
    const k = readFileSync(keyFile());
    const e = readFileSync(e2eKeyFile());
    expect(k.length).toBe(158);
    expect(e.length).toBe(59);
    // AC ED 00 05, TC_ARRAY, TC_CLASSDESC, "[B", then the array length just before the payload.
    expect(k.subarray(0, 10).toString('hex')).toBe('aced0005757200025b42');
    expect(k.readUInt32BE(23)).toBe(131);
    expect(e.readUInt32BE(23)).toBe(32);
    expect(k.subarray(126).equals(keys.aesKey)).toBe(true);
    expect(e.subarray(27).equals(keys.root)).toBe(true);
  });

  it('each format decrypts to the byte-identical SQLite file', async () => {
    for (const [f, k] of [
      ['crypt12', loadKeyFile(keyFile()).secret],
      ['crypt14', loadKeyFile(keyFile()).secret],
      ['crypt15', crypt15AesKey(loadKeyFile(e2eKeyFile()).secret)],
    ] as const) {
      const got = await decryptTo(backup(f), k);
      expect(got.equals(plain), f).toBe(true);
      expect(got.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    }
  });

  it('headers: crypt12 fixed offsets; crypt14/15 prefix fields (IV, salt, key type, app version)', async () => {
    const c12 = await readBackupLayout(backup('crypt12'));
    const raw12 = readFileSync(backup('crypt12'));
    expect(c12.iv.equals(raw12.subarray(51, 67))).toBe(true);
    expect(c12.header.serverSalt).toBe(keys.serverSalt.toString('hex'));
    expect(raw12.subarray(raw12.length - 4).toString()).toBe('--23');
    const c14 = await readBackupLayout(backup('crypt14'));
    expect(c14.format).toBe('crypt14');
    expect(c14.header.serverSalt).toBe(keys.serverSalt.toString('hex'));
    expect(c14.header.googleId).toBe(keys.googleId.toString('hex'));
    expect(c14.keyType).toBe(0);
    const c15 = await readBackupLayout(backup('crypt15'));
    expect(c15.format).toBe('crypt15');
    expect(c15.keyType).toBe(3);
    expect(c15.header.info).toMatchObject({ appVersion: '2.24.10.74', jidSuffix: '23', backupVersion: 1 });
    const raw15 = readFileSync(backup('crypt15'));
    expect(c15.dataStart).toBe(raw15[0] + 2); // length byte + 0x01 flag + prefix
  });

  it('a prefix with an extra unknown protobuf field, no flag byte and a different length still parses', async () => {
    const out = scratch('msgstore.db.crypt15');
    const unknown = Buffer.concat([
      pb.bytes(23, Buffer.from('future field')),
      pb.int(24, 300),
      pb.fixed32(25, 7),
    ]);
    await writeCryptBackup(plainPath, out, 'crypt15', keys, {
      featureFlagByte: false,
      extraPrefixFields: unknown,
    });
    const l = await readBackupLayout(out);
    const std = await readBackupLayout(backup('crypt15'));
    expect(l.dataStart).not.toBe(std.dataStart);
    expect(l.header.featureFlagByte).toBe(false);
    expect(l.header.unknownFields).toEqual(['23/2', '24/0', '25/5']);
    expect((await decryptTo(out, crypt15AesKey(keys.root))).equals(plain)).toBe(true);
  });

  it('a prefix longer than 127 bytes with two-byte field tags (feature fields 16 and up) parses', async () => {
    const out = scratch('msgstore.db.crypt15');
    // Feature fields 19…39 inside field 4 would need a second info message: append them as top-level extras
    // (unknown to the reader) and as a long app version, so the prefix passes 127 bytes.
    const extras = Buffer.concat(Array.from({ length: 24 }, (_, i) => pb.int(16 + i, 1)));
    await writeCryptBackup(plainPath, out, 'crypt15', keys, {
      appVersion: '2.24.8.85-synthetic-build-with-a-long-name',
      extraPrefixFields: extras,
    });
    const raw = readFileSync(out);
    expect(raw[0]).toBeGreaterThan(127);
    const l = await readBackupLayout(out);
    expect(l.header.prefixLength).toBe(raw[0]);
    expect((l.header.unknownFields as string[]).length).toBe(24);
    expect((await decryptTo(out, crypt15AesKey(keys.root))).equals(plain)).toBe(true);
  });

  it('the protobuf reader: hand-written bytes (multi-byte varints, nested message)', () => {
    // field 1 varint 300 (ac 02), field 3 bytes { field 1 bytes "ab" }
    const f = parseMessage(Buffer.from('08ac021a040a026162', 'hex'));
    expect(f.map((x) => [x.field, x.wire])).toEqual([
      [1, 0],
      [3, 2],
    ]);
    expect(f[0].int).toBe(300n);
    expect(parseMessage(f[1].bytes!)[0].bytes!.toString()).toBe('ab');
    expect(() => parseMessage(Buffer.from('1a05', 'hex'))).toThrow(/past the end/);
    expect(() => parsePrefix(Buffer.from('0301080a', 'hex'))).toThrow();
  });

  it('crypt15 key derivation matches a hand-computed HMAC chain (openssl dgst, another implementation)', () => {
    const rootHex = keys.root.toString('hex');
    const hmac = (keyHex: string, data: Buffer) =>
      execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${keyHex}`, '-binary'], {
        input: data,
      }).toString('hex');
    const prk = hmac('00'.repeat(32), Buffer.from(rootHex, 'hex'));
    const aes = hmac(prk, Buffer.concat([Buffer.from('backup encryption'), Buffer.from([1])]));
    expect(crypt15AesKey(keys.root).toString('hex')).toBe(aes);
    // A fixed vector: root = 32 bytes 0x01.
    expect(crypt15AesKey(Buffer.alloc(32, 1)).toString('hex')).toBe(
      hmac(hmac('00'.repeat(32), Buffer.alloc(32, 1)), Buffer.from('backup encryption\x01', 'latin1')),
    );
  });
});

// ---- the independent implementation ------------------------------------------------------------------------
const PY = String.raw`
import sys, hashlib, zlib, os
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes

def aes_key(root):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"backup encryption").derive(root)

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i

def fields(b):
    i = 0
    while i < len(b):
        t, i = varint(b, i)
        w = t & 7
        if w == 0: v, i = varint(b, i)
        elif w == 2:
            n, i = varint(b, i); v = b[i:i+n]; i += n
        elif w == 5: v = b[i:i+4]; i += 4
        elif w == 1: v = b[i:i+8]; i += 8
        else: raise ValueError("wire type")
        yield t >> 3, v

def ld(tag, data): return bytes([(tag << 3) | 2, len(data)]) + data

mode = sys.argv[1]
if mode == "decrypt":
    data = open(sys.argv[2], "rb").read()
    root = open(sys.argv[3], "rb").read()[-32:]
    n = data[0]; start = 2 if data[1] == 1 else 1
    prefix = dict(fields(data[start:start+n]))
    iv = dict(fields(prefix[3]))[1]
    assert hashlib.md5(data[:-16]).digest() == data[-16:], "md5"
    plain = zlib.decompress(AESGCM(aes_key(root)).decrypt(iv, data[start+n:-16], None))
    print(hashlib.sha256(plain).hexdigest())
elif mode == "encrypt":
    plain = open(sys.argv[2], "rb").read()
    root = bytes.fromhex(sys.argv[3])
    iv = os.urandom(16)
    info = ld(1, b"2.23.25.3") + ld(3, b"77")
    prefix = bytes([0x08, 0x01]) + ld(3, ld(1, iv)) + ld(4, info)
    ct = AESGCM(aes_key(root)).encrypt(iv, zlib.compress(plain, 6), None)
    body = bytes([len(prefix), 1]) + prefix + ct
    open(sys.argv[4], "wb").write(body + hashlib.md5(body).digest())
`;
const hasPyCrypto = spawnSync('python3', ['-c', 'import cryptography']).status === 0;
if (!hasPyCrypto && process.env.CI !== 'true')
  console.warn('[filet tests] python3 with `cryptography` is absent: the independent crypt check is SKIPPED');

describe.skipIf(!hasPyCrypto && process.env.CI !== 'true')('independent check: Python cryptography', () => {
  const py = (...args: string[]) => execFileSync('python3', ['-c', PY, ...args], { encoding: 'utf8' }).trim();

  it('decrypts our crypt15 to the plaintext (HKDF-derived key, AES-GCM tag, MD5)', () => {
    expect(py('decrypt', backup('crypt15'), e2eKeyFile())).toBe(sha256(plain));
  });

  it('our reader decrypts a crypt15 it wrote (prefix without field 6, zlib level 6)', async () => {
    const out = scratch('py.db.crypt15');
    py('encrypt', plainPath, keys.root.toString('hex'), out);
    const l = await readBackupLayout(out);
    expect(l.header.info).toMatchObject({ appVersion: '2.23.25.3', jidSuffix: '77' });
    expect((await decryptTo(out, crypt15AesKey(keys.root))).equals(plain)).toBe(true);
  });
});

describe('errors', () => {
  const c15key = () => crypt15AesKey(keys.root);

  it('wrong key: the GCM tag error, and no output file is left', async () => {
    for (const f of ['crypt12', 'crypt14', 'crypt15'] as const) {
      const out = scratch('out.db');
      const err = await decryptBackup(
        backup(f),
        await readBackupLayout(backup(f)),
        randomBytes(32),
        out,
      ).catch((e: unknown) => e);
      expect(err, f).toBeInstanceOf(WrongKeyError);
      expect((err as Error).message).toContain(backup(f));
      expect((err as Error).message).toMatch(/wrong key .* AES-GCM authentication failed/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('damaged file (flipped ciphertext byte, truncated, flipped MD5 byte): the damage error', async () => {
    const src = readFileSync(backup('crypt15'));
    const variants: Record<string, Buffer> = {
      'flipped ciphertext byte': Buffer.from(src),
      'flipped MD5 byte': Buffer.from(src),
      'flipped tag byte': Buffer.from(src),
    };
    variants['flipped ciphertext byte'][200] ^= 0x40;
    variants['flipped MD5 byte'][src.length - 3] ^= 0x01;
    variants['flipped tag byte'][src.length - 20] ^= 0x01;
    const paths = Object.entries(variants).map(([name, b]) => {
      const p = scratch(`${name.replace(/ /g, '-')}.db.crypt15`);
      writeFileSync(p, b);
      return [name, p] as const;
    });
    const t = scratch('truncated.db.crypt15');
    copyFileSync(backup('crypt15'), t);
    truncateSync(t, src.length - 1000);
    paths.push(['truncated', t]);
    for (const [name, p] of paths) {
      const out = scratch('out.db');
      const err = await decryptBackup(p, await readBackupLayout(p), c15key(), out).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(DamagedBackupError);
      expect((err as Error).message, name).toMatch(
        /damaged or incomplete: the MD5 .* does not match|MD5 of its/,
      );
      expect((err as Error).message).toContain(p);
      expect(existsSync(out)).toBe(false);
    }
    // Truncated below its own header: still the damage wording.
    const tiny = scratch('tiny.db.crypt15');
    writeFileSync(tiny, src.subarray(0, 40));
    await expect(readBackupLayout(tiny)).rejects.toThrow(/damaged or incomplete/);
  });

  it('malformed key files: clear errors naming the file', () => {
    const good = readFileSync(keyFile());
    const cases: Array<[string, Buffer, RegExp]> = [
      ['short', good.subarray(0, 100), /100 bytes/],
      ['magic', Buffer.concat([Buffer.from('0000', 'hex'), good.subarray(2)]), /AC ED 00 05/],
      [
        'not-array',
        Buffer.concat([good.subarray(0, 4), Buffer.from([0x74]), good.subarray(5)]),
        /not a byte array/,
      ],
      [
        'length',
        (() => {
          const b = Buffer.from(good);
          b.writeUInt32BE(130, 23);
          return b;
        })(),
        /declares 130 bytes but holds 131/,
      ],
    ];
    for (const [name, bytes, re] of cases) {
      const p = scratch(`key-${name}`);
      writeFileSync(p, bytes);
      expect(() => loadKeyFile(p), name).toThrow(UserError);
      expect(() => loadKeyFile(p), name).toThrow(re);
      expect(() => loadKeyFile(p), name).toThrow(p);
    }
    expect(() => loadKeyFile(join(tmp, 'absent'))).toThrow(/key file cannot be read/);
  });

  it('key of the wrong kind, no key, password backups, a bad --key: explained', async () => {
    const read = async (path: string, decryption: Record<string, string>) => {
      for await (const _ of androidCryptReader.read(path, { deviceLabel: 'D', tz: 'UTC', decryption }, {}))
        void _;
    };
    await expect(read(backup('crypt15'), { keyFile: keyFile() })).rejects.toThrow(
      /crypt15 backup needs files\/encrypted_backup.key/,
    );
    await expect(read(backup('crypt14'), { keyFile: e2eKeyFile() })).rejects.toThrow(
      /needs the device's files\/key/,
    );
    await expect(read(backup('crypt14'), { keyHex: 'ab'.repeat(32) })).rejects.toThrow(
      /crypt15 backups only/,
    );
    await expect(read(backup('crypt15'), {})).rejects.toThrow(/give its key with --key-file/);
    await expect(read(backup('crypt15'), { keyHex: 'my secret password' })).rejects.toThrow(
      /protected by a password cannot be decrypted offline/,
    );
    const pw = scratch('msgstore.db.crypt15');
    await writeCryptBackup(plainPath, pw, 'crypt15', keys, { keyTypeNew: 2 });
    await expect(read(pw, {})).rejects.toThrow(/protected by a password: .*cannot be decrypted offline/);
    // A key that does not open a password backup: the tag error, with the same explanation.
    await expect(read(pw, { keyHex: randomBytes(32).toString('hex') })).rejects.toThrow(
      /wrong key .*cannot be decrypted offline/,
    );
  });

  it('the working copy is private (0700 folder, 0600 file) while read, and gone afterwards', async () => {
    const work = scratch('work');
    const gen = androidCryptReader.read(
      backup('crypt15'),
      { deviceLabel: 'D', tz: 'UTC', decryption: { keyFile: e2eKeyFile(), workDir: work } },
      {},
    );
    const it = gen[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    const dirs = readdirSync(work);
    expect(dirs).toHaveLength(1);
    expect(statSync(join(work, dirs[0])).mode & 0o777).toBe(0o700);
    const copy = join(work, dirs[0], 'msgstore.db');
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(sha256(readFileSync(copy))).toBe(sha256(plain));
    await it.return?.(undefined);
    expect(readdirSync(work)).toEqual([]);
  });

  it('dated older backups are recognised and their date recorded', async () => {
    expect(backupDateFromName('/x/msgstore-2024-03-09.1.db.crypt15')).toBe('2024-03-09');
    expect(backupDateFromName('/x/msgstore-2024-13-45.1.db.crypt14')).toBe(null);
    expect(backupDateFromName('/x/msgstore.db.crypt15')).toBe(null);
    const dated = join(root, 'databases', 'msgstore-2024-03-09.1.db.crypt15');
    copyFileSync(backup('crypt15'), dated);
    expect((await detectReader(dated)).reader.kind).toBe('android-msgstore-crypt');
    const notes: Record<string, unknown> = {};
    let count = 0;
    for await (const _ of androidCryptReader.read(
      dated,
      { deviceLabel: 'D', tz: 'UTC', decryption: { keyFile: e2eKeyFile() } },
      notes,
    ))
      count++;
    expect(count).toBeGreaterThan(0);
    expect((notes.encryptedBackup as Record<string, unknown>).olderBackupOf).toBe('2024-03-09');
    rmSync(dated);
  });
});

describe.each(STORE_TARGETS)('ingest of encrypted backups on $name', (target) => {
  const open = async () => {
    const c = await initCase(join(tempDir(), 'case'), {
      store: target.name === 'postgres' ? target.store : undefined,
    });
    return { store: c.store, dir: c.dir };
  };
  const messageKeys = async (s: CaseStore) =>
    (
      await s.db.all<{ key: string }>('SELECT key FROM messages WHERE case_id = ? ORDER BY key', [s.caseId])
    ).map((r) => r.key);
  const snapshot = async (s: CaseStore) => ({
    counts: await s.counts(),
    messages: await messageKeys(s),
    members: (await s.memberships()).length,
    events: (await s.events()).map((e) => `${e.type}@${e.at}:${e.value}`).sort(),
    media: (await s.media()).map((m) => `${m.sha256}:${m.present}`).sort(),
  });
  const ingestOpts = { device: 'phone-A', owner: device?.owner, tz: 'UTC' };

  it('crypt12 and crypt14 (files/key) give the same case as the plain msgstore.db', async () => {
    const a = await open();
    try {
      await ingestAudited(
        a.store,
        a.dir,
        [plainPath],
        { ...ingestOpts, owner: device.owner },
        {},
        { match: false },
      );
      const want = await snapshot(a.store);
      for (const f of ['crypt12', 'crypt14'] as const) {
        const b = await open();
        try {
          const { outcomes } = await ingestAudited(
            b.store,
            b.dir,
            [backup(f)],
            { ...ingestOpts, owner: device.owner, keyFile: keyFile() },
            {},
            { match: false },
          );
          expect(await snapshot(b.store), f).toEqual(want);
          const o = outcomes[0];
          if (o.status !== 'ingested') throw new Error(o.status);
          expect((o.evidence.notes.encryptedBackup as { format: string }).format).toBe(f);
        } finally {
          await b.store.close();
        }
      }
    } finally {
      await a.store.close();
    }
  });

  it('the crypt15 gives the same messages, members, media and events as the plain msgstore.db', async () => {
    const a = await open();
    const b = await open();
    try {
      await ingestAudited(
        a.store,
        a.dir,
        [plainPath],
        { ...ingestOpts, owner: device.owner },
        {},
        { match: false },
      );
      const { outcomes } = await ingestAudited(
        b.store,
        b.dir,
        [backup('crypt15')],
        { ...ingestOpts, owner: device.owner, keyFile: e2eKeyFile(), workDir: join(b.dir, 'derived', 'tmp') },
        {},
        { match: false },
      );
      const pa = await snapshot(a.store);
      const pb2 = await snapshot(b.store);
      expect(pa.counts.messages).toBeGreaterThan(10);
      expect(pb2).toEqual(pa);
      const o = outcomes[0];
      expect(o.status).toBe('ingested');
      if (o.status !== 'ingested') return;
      // The evidence item is the encrypted file as received.
      expect(o.evidence.sha256).toBe(sha256(readFileSync(backup('crypt15'))));
      expect(o.evidence.kind).toBe('android-msgstore-crypt');
      const enc = o.evidence.notes.encryptedBackup as {
        format: string;
        plaintext: unknown;
        keySource: unknown;
        header: { iv: string };
      };
      expect(enc.format).toBe('crypt15');
      expect(enc.plaintext).toEqual({ sha256: sha256(plain), size: plain.length });
      expect(enc.keySource).toEqual({
        kind: 'encrypted_backup.key',
        keyFile: e2eKeyFile(),
        keyFileSha256: sha256(readFileSync(e2eKeyFile())),
      });
      expect(enc.header.iv).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(o.evidence.notes)).not.toContain(keys.root.toString('hex'));
      // The working copy is gone.
      expect(readdirSync(join(b.dir, 'derived', 'tmp'))).toEqual([]);
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('wa.db.crypt15 beside a crypt15 given as its own path (no plain wa.db): decrypted with the same key and read', async () => {
    // Shared storage as WhatsApp writes it: Databases/ holds both backups, no plain wa.db (SYNTHETIC).
    const dbs = join(tempDir(), 'WhatsApp', 'Databases');
    mkdirSync(dbs, { recursive: true });
    writeFileSync(join(dbs, 'msgstore.db.crypt15'), readFileSync(backup('crypt15')));
    const src = new Database(plainPath, { readonly: true });
    const group = (
      src.prepare("SELECT raw_string AS j FROM jid WHERE raw_string LIKE '%@g.us' LIMIT 1").get() as {
        j: string;
      }
    ).j;
    const creator = (
      src
        .prepare("SELECT raw_string AS j FROM jid WHERE raw_string LIKE '%@s.whatsapp.net' LIMIT 1")
        .get() as {
        j: string;
      }
    ).j;
    src.close();
    const wa = join(tempDir(), 'wa.db');
    const w = new Database(wa);
    w.exec('CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY, jid TEXT, display_name TEXT)');
    w.exec('CREATE TABLE wa_group_admin_settings (_id INTEGER PRIMARY KEY, jid TEXT, creator_jid TEXT)');
    w.prepare('INSERT INTO wa_group_admin_settings (jid, creator_jid) VALUES (?, ?)').run(group, creator);
    w.close();
    await writeCryptBackup(wa, join(dbs, 'wa.db.crypt15'), 'crypt15', keys);
    const c = await open();
    try {
      const { outcomes } = await ingestAudited(
        c.store,
        c.dir,
        [join(dbs, 'msgstore.db.crypt15')],
        { ...ingestOpts, keyFile: e2eKeyFile(), workDir: join(c.dir, 'derived', 'tmp') },
        {},
        { match: false },
      );
      const o = outcomes[0]!;
      expect(o.status).toBe('ingested');
      if (o.status !== 'ingested') return;
      const enc = o.evidence.notes.encryptedBackup as { waDb: Record<string, unknown> };
      expect(enc.waDb).toMatchObject({
        source: join(dbs, 'wa.db.crypt15'),
        sha256: sha256(readFileSync(join(dbs, 'wa.db.crypt15'))),
        format: 'crypt15',
        plaintext: { sha256: sha256(readFileSync(wa)) },
        use: 'decrypted with the same key and read as the instance wa.db',
      });
      expect(o.evidence.notes.waDb).toMatchObject({ used: true, creators: 1 });
      expect(readdirSync(join(c.dir, 'derived', 'tmp'))).toEqual([]);
    } finally {
      await c.store.close();
    }
    // A damaged wa.db.crypt15 is recorded as not used; the messages are still read.
    const bytes = readFileSync(join(dbs, 'wa.db.crypt15'));
    bytes[bytes.length - 40] ^= 0xff;
    writeFileSync(join(dbs, 'wa.db.crypt15'), bytes);
    const d = await open();
    try {
      const { outcomes } = await ingestAudited(
        d.store,
        d.dir,
        [join(dbs, 'msgstore.db.crypt15')],
        { ...ingestOpts, keyFile: e2eKeyFile() },
        {},
        { match: false },
      );
      const o = outcomes[0]!;
      expect(o.status).toBe('ingested');
      if (o.status !== 'ingested') return;
      expect((o.evidence.notes.encryptedBackup as { waDb: unknown }).waDb).toMatchObject({
        used: false,
        reason: expect.stringMatching(/damaged|wrong key/),
      });
      expect((await d.store.counts()).messages).toBeGreaterThan(10);
    } finally {
      await d.store.close();
    }
  });

  it('a wrong key changes nothing: counts unchanged, the audit log records only the failure', async () => {
    const c = await open();
    try {
      const before = await c.store.counts();
      const auditBefore = (await c.store.readAudit()).length;
      const other = generateKeys();
      const wrong = join(tempDir(), 'encrypted_backup.key');
      writeFileSync(wrong, encryptedBackupKeyBytes(other));
      const work = join(c.dir, 'derived', 'tmp');
      await expect(
        ingestAudited(
          c.store,
          c.dir,
          [backup('crypt15')],
          { ...ingestOpts, keyFile: wrong, workDir: work },
          { paths: ['x'] },
        ),
      ).rejects.toThrow(WrongKeyError);
      expect(await c.store.counts()).toEqual(before);
      const audit = (await c.store.readAudit()).slice(auditBefore);
      expect(audit).toHaveLength(1);
      expect(audit[0].action).toBe('ingest');
      expect(audit[0].result).toMatchObject({ ok: false });
      expect(String((audit[0].result as { error: string }).error)).toMatch(/wrong key/);
      expect(readdirSync(work)).toEqual([]);
    } finally {
      await c.store.close();
    }
  });
});

describe.each(STORE_TARGETS)('CLI on $name', (target) => {
  const store = target.name === 'postgres' ? target.store : undefined;
  it('filet ingest --key HEX: ingested, and the key is nowhere in the case or its audit log', async () => {
    const c = await initCase(join(tempDir(), 'case'), { store });
    await c.store.close();
    const hex = keys.root.toString('hex');
    const r = filet(['ingest', c.dir, backup('crypt15'), '--key', hex, '--device', 'phone-A', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(hex);
    if (target.name === 'sqlite') {
      // Every byte of the store: the key in no table, no page, no free space.
      const bytes = readFileSync(join(c.dir, 'case.sqlite'));
      expect(bytes.includes(Buffer.from(hex))).toBe(false);
      expect(bytes.includes(Buffer.from(hex.toUpperCase()))).toBe(false);
      expect(bytes.includes(keys.root)).toBe(false);
    }
    const o = await openCase(c.dir);
    try {
      const audit = await o.store.readAudit();
      const entry = audit.find((e) => e.action === 'ingest')!;
      expect(entry.args).toMatchObject({ key: 'given on the command line (not recorded)' });
      expect(JSON.stringify(audit)).not.toContain(hex);
      const ev = (await o.store.listEvidence())[0];
      expect(JSON.stringify(ev)).not.toContain(hex);
      expect((ev.notes.encryptedBackup as { keySource: unknown }).keySource).toEqual({
        kind: '64-digit key',
        given: 'hex given on the command line (not recorded)',
      });
    } finally {
      await o.store.close();
    }
    if (target.name === 'sqlite') {
      // The exported case is schema-valid with the new evidence kind, and carries no key either.
      const out = join(c.dir, 'exports', 'case.json');
      const ex = filet(['export', c.dir, '--format', 'json', '--out', out]);
      expect(ex.code, ex.stderr).toBe(0);
      const text = readFileSync(out, 'utf8');
      expect(text).not.toContain(hex);
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(
        JSON.parse(readFileSync(join(REPO, 'docs/schema/case-export.schema.json'), 'utf8')),
      );
      const doc = JSON.parse(text) as { evidence: { kind: string }[] };
      expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
      expect(doc.evidence[0].kind).toBe('android-msgstore-crypt');
    }
    // A wrong --key (in a case without that file yet): the tag error, exit non-zero, the key not echoed.
    const c2 = await initCase(join(tempDir(), 'case'), { store });
    await c2.store.close();
    const bad = randomBytes(32).toString('hex');
    const w = filet(['ingest', c2.dir, backup('crypt15'), '--key', bad]);
    expect(w.code).not.toBe(0);
    expect(w.stderr).toMatch(/wrong key/);
    expect(w.stdout + w.stderr).not.toContain(bad);
    const o2 = await openCase(c2.dir);
    try {
      expect((await o2.store.counts()).evidence).toBe(0);
      const failed = (await o2.store.readAudit()).filter((e) => e.action === 'ingest');
      expect(failed).toHaveLength(1);
      expect(failed[0].result).toMatchObject({ ok: false });
      expect(JSON.stringify(failed)).not.toContain(bad);
    } finally {
      await o2.store.close();
    }
    expect(readdirSync(join(c2.dir, 'working'))).toEqual([]);
  });

  it('filet parse --key-file reads an encrypted backup without a case', () => {
    const r = filet(['parse', backup('crypt15'), '--key-file', e2eKeyFile()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('android-msgstore-crypt');
    expect(r.stdout).toMatch(/message\s+\d+/);
  });
});

describe('streaming', () => {
  it('a ~100 MB plaintext decrypts with flat memory (peak RSS growth far below the file size)', () => {
    const dir = scratch('big');
    mkdirSync(dir);
    const here = dirname(fileURLToPath(import.meta.url));
    const script = join(dir, 'run.mts');
    const src = (p: string) => JSON.stringify(join(here, '..', 'src', p));
    writeFileSync(
      script,
      `import { createWriteStream, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeCryptBackup, generateKeys } from ${src('synth/devices/crypt-writer.ts')};
import { readBackupLayout } from ${src('evidence/android-crypt/format.ts')};
import { decryptBackup } from ${src('evidence/android-crypt/decrypt.ts')};
import { crypt15AesKey } from ${src('evidence/android-crypt/keys.ts')};
const dir = ${JSON.stringify(dir)};
const ws = createWriteStream(dir + '/plain');
const block = randomBytes(1 << 20);
for (let i = 0; i < 100; i++) { block[0] = i; if (!ws.write(Buffer.from(block))) await once(ws, 'drain'); }
ws.end(); await once(ws, 'finish');
const k = generateKeys();
await writeCryptBackup(dir + '/plain', dir + '/msgstore.db.crypt15', 'crypt15', k);
const l = await readBackupLayout(dir + '/msgstore.db.crypt15');
global.gc?.();
const before = process.resourceUsage().maxRSS;
const rssBefore = process.memoryUsage().rss;
const r = await decryptBackup(dir + '/msgstore.db.crypt15', l, crypt15AesKey(k.root), dir + '/out');
const after = process.resourceUsage().maxRSS;
console.log(JSON.stringify({ before, after, rssBefore, size: r.plaintextSize, fileSize: l.size }));
`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', cwd: here });
    const m = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    expect(m.size).toBe(100 * 1024 * 1024);
    expect(m.fileSize).toBeGreaterThan(100 * 1024 * 1024);
    // maxRSS is a high-water mark (KiB): growth during decryption must stay far below 100 MiB.
    const growthMiB = (m.after * 1024 - Math.max(m.before * 1024, m.rssBefore)) / (1 << 20);
    expect(growthMiB).toBeLessThan(40);
    rmSync(dir, { recursive: true, force: true });
  });
});
