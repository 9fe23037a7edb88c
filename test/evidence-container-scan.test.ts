// The fast paths of scanning a container: zip entry heads and small entries read from the zip reader's
// block (src/evidence/vfs/zip.ts, zip-reader.ts), databases in a container identified from memory
// (discovery/sqlite-bytes.ts), text exports judged from their first 64 KiB, and the custody digest
// computed in a worker thread (hashing/file-digest.ts, discovery/custody.ts). Containers are built here.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closeDiscovery, discover } from '../src/evidence/discovery/index.js';
import { ContainerHashes } from '../src/evidence/discovery/custody.js';
import { openZipFs } from '../src/evidence/vfs/zip.js';
import { digestFileInWorker } from '../src/hashing/file-digest.js';
import { ANDROID_NEW_DDL } from '../src/synth/devices/schemas.js';
import { UserError } from '../src/util/errors.js';
import { rawZip } from './helpers/containers.js';
import { tempDir } from './helpers/stores.js';

async function yazlZip(
  out: string,
  entries: Array<{ name: string; data: Buffer | string; compress?: boolean }>,
) {
  const yazl = (await import('yazl')).default;
  const { createWriteStream } = await import('node:fs');
  const z = new yazl.ZipFile();
  for (const e of entries)
    z.addBuffer(Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data), e.name, {
      compress: e.compress ?? true,
    });
  z.end();
  await new Promise<void>((res, rej) =>
    z.outputStream.pipe(createWriteStream(out)).on('close', res).on('error', rej),
  );
}

/** A SQLite file with the given DDL, as bytes (better-sqlite3 writes whole pages). */
function sqliteBytes(dir: string, name: string, ddl: string): Buffer {
  const p = join(dir, name);
  const db = new Database(p);
  db.exec(ddl);
  db.close();
  return readFileSync(p);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('zip entry heads and small entries', () => {
  it('gives the first bytes and whole entries, stored or deflated, also when the start compresses very well', async () => {
    const dir = tempDir();
    const zip = join(dir, 'a.zip');
    const zeros = Buffer.concat([Buffer.alloc(1 << 20), Buffer.from('END')]);
    await yazlZip(zip, [
      { name: 'stored.bin', data: 'SQLite format 3\u0000 and then some', compress: false },
      { name: 'deflated.txt', data: 'hello deflated world, hello deflated world', compress: true },
      { name: 'zeros.bin', data: zeros, compress: true },
    ]);
    const fs = await openZipFs(zip);
    try {
      expect((await fs.readHead('stored.bin', 16)).toString('latin1')).toBe('SQLite format 3\u0000');
      expect((await fs.readHead('deflated.txt', 5)).toString()).toBe('hello');
      expect((await fs.readHead('deflated.txt', 1000)).toString()).toBe(
        'hello deflated world, hello deflated world',
      );
      // 64 KiB of a 1 MiB run of zeros: its first compressed bytes do not hold them all (the stream does).
      expect((await fs.readHead('zeros.bin', 65536)).equals(Buffer.alloc(65536))).toBe(true);
      const whole = await fs.readHead('zeros.bin', zeros.length);
      expect(whole.length).toBe(1048579);
      expect(whole.subarray(-3).toString()).toBe('END');
    } finally {
      await fs.close();
    }
  });

  it('an entry whose deflated data is damaged is an error naming the container and the entry', async () => {
    const dir = tempDir();
    const zip = join(dir, 'bad.zip');
    // Method 8 (deflate) over bytes that are no deflate stream (block type 3 is invalid).
    writeFileSync(zip, rawZip([{ name: 'app/data.db', data: Buffer.alloc(4096, 0xff), method: 8 }]));
    const fs = await openZipFs(zip);
    try {
      const err = (await fs.readHead('app/data.db', 16).catch((e: unknown) => e)) as UserError;
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toContain(zip);
      expect(err.message).toContain('app/data.db');
      expect(err.message).toMatch(/cannot read entry/);
    } finally {
      await fs.close();
    }
  });

  it('lists 5,000 entries through the block reader, and a zip cut inside its central directory is refused', async () => {
    const dir = tempDir();
    const zip = join(dir, 'many.zip');
    await yazlZip(
      zip,
      Array.from({ length: 5000 }, (_, i) => ({
        name: `Dump/data/app${i % 50}/f${i}.dat`,
        data: `file ${i}`,
      })),
    );
    const fs = await openZipFs(zip);
    let n = 0;
    try {
      for await (const e of fs.entries()) if (e.path.startsWith('Dump/data/app')) n++;
      expect(n).toBe(5000);
      expect((await fs.readHead('Dump/data/app49/f4999.dat', 100)).toString()).toBe('file 4999');
    } finally {
      await fs.close();
    }
    const bytes = readFileSync(zip);
    const cut = join(dir, 'cut.zip');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 40_000));
    const err = (await openZipFs(cut).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain(cut);
    expect(err.message).toMatch(/cannot open as a zip|damaged zip/);
  });
});

describe('discovery inside a container', () => {
  it('finds a renamed msgstore by its tables, ignores non-page sizes and foreign databases, reads a long text export from its head', async () => {
    const dir = tempDir();
    const msgstore = sqliteBytes(dir, 'm.db', ANDROID_NEW_DDL);
    const foreign = sqliteBytes(dir, 'f.db', 'CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT);');
    // A real export's lines, repeated past 64 KiB (the bytes detect looks at).
    const line = '1/13/24, 1:15 PM - Ana Example: synthetic message for the scan test\n';
    const exportTxt = line.repeat(Math.ceil(100_000 / line.length));
    const zip = join(dir, 'phone-Z.zip');
    await yazlZip(zip, [
      { name: 'Dump/data/data/com.example/files/blob.bin', data: msgstore },
      { name: 'Dump/data/data/com.example/databases/events.db', data: foreign },
      // The SQLite magic, but 700 bytes: no SQLite database has that size.
      {
        name: 'Dump/data/data/com.example/files/odd.bin',
        data: Buffer.concat([msgstore.subarray(0, 100), Buffer.alloc(600)]),
      },
      // A page-multiple size with the magic and garbage after it: not a readable database.
      {
        name: 'Dump/data/data/com.example/files/garbage.bin',
        data: Buffer.concat([msgstore.subarray(0, 16), Buffer.alloc(4080, 7)]),
      },
      { name: 'Dump/data/media/0/Download/WhatsApp Chat with Ana.txt', data: exportTxt },
      { name: 'Dump/data/log/boot.txt', data: 'not an export\n'.repeat(10_000) },
    ]);
    const d = await discover([zip], { hashContainers: false });
    try {
      const arts = d.devices.flatMap((x) => x.instances.flatMap((i) => i.artifacts));
      expect(arts.map((a) => [a.kind, a.path]).sort()).toEqual([
        ['android-msgstore', 'Dump/data/data/com.example/files/blob.bin'],
        ['chat-export-txt', 'Dump/data/media/0/Download/WhatsApp Chat with Ana.txt'],
      ]);
      expect(arts.find((a) => a.kind === 'android-msgstore')!.matchedBy).toMatch(/^table signature/);
      const why = Object.fromEntries(d.ignored.map((x) => [x.path, x.reason]));
      expect(why['Dump/data/data/com.example/databases/events.db']).toBe(
        'SQLite database without a WhatsApp table signature',
      );
      expect(why['Dump/data/data/com.example/files/garbage.bin']).toBe(
        'SQLite database without a WhatsApp table signature',
      );
      expect(why['Dump/data/data/com.example/files/odd.bin']).toBe('not a WhatsApp artifact');
      expect(why['Dump/data/log/boot.txt']).toBe('not a WhatsApp chat export');
    } finally {
      await closeDiscovery(d);
    }
  });
});

describe('custody digest in a worker thread', () => {
  it('gives the SHA-256 of the file as received and digests of a byte range', async () => {
    const dir = tempDir();
    const p = join(dir, 'c.bin');
    const bytes = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
    writeFileSync(p, bytes);
    const hashes = new ContainerHashes();
    hashes.start(p);
    const got = await hashes.get(p);
    expect(got.sha256).toBe(sha256(bytes));
    expect(got.size).toBe(5 * 1024 * 1024 + 123);
    const r = await digestFileInWorker({ path: p, algorithms: ['md5', 'sha256'], start: 10, end: 2_000_000 })
      .result;
    expect(r.size).toBe(1_999_990);
    expect(r.digests.md5).toBe(createHash('md5').update(bytes.subarray(10, 2_000_000)).digest('hex'));
    expect(r.digests.sha256).toBe(sha256(bytes.subarray(10, 2_000_000)));
  });

  it('a folder or a missing file is a clear error; cancelling stops the work without an unhandled failure', async () => {
    const dir = tempDir();
    const folder = join(dir, 'not-a-file');
    mkdirSync(folder);
    const hashes = new ContainerHashes();
    hashes.start(folder);
    const err = (await hashes.get(folder).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain(folder);
    expect(err.message).toMatch(/not a regular file/);
    const missing = join(dir, 'gone.bin');
    const e2 = (await digestFileInWorker({ path: missing, algorithms: ['sha256'] }).result.catch(
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(e2.code).toBe('ENOENT');
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(32 * 1024 * 1024, 1));
    const later = new ContainerHashes();
    later.start(big);
    const pending = later.get(big);
    await later.cancel();
    await expect(pending).rejects.toBeInstanceOf(Error);
  });
});
