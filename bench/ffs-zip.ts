/**
 * A synthetic Cellebrite-style Android full file system zip (`EXTRACTION_FFS.zip`, tree under `Dump/`) for
 * the containers benchmark: tens of thousands of unrelated app and system files (small compressible text,
 * unrelated SQLite databases, logs, incompressible "photos" and APKs) around one WhatsApp instance taken
 * from a synth operation (msgstore.db, a small wa.db, the owner's shared_prefs, media under
 * `Dump/data/media/0/WhatsApp/Media/`). Everything is SYNTHETIC; the bulk bytes are random.
 *
 * The zip is written by streaming (yazl's lazy read streams: an entry's bytes are produced only when yazl
 * reaches it, and the output respects back-pressure), so memory stays flat whatever the size.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import yazl from 'yazl';

export interface FfsZipOptions {
  /** Approximate size of the zip in bytes. */
  bytes: number;
  /** Number of unrelated files (the WhatsApp instance comes on top). */
  files: number;
  /** A synth device folder (`databases/msgstore.db`, `Media/`). */
  deviceDir: string;
  /** The device owner, written into WhatsApp's shared_prefs. */
  owner: string;
  /** Scratch folder for the template SQLite file. */
  scratch: string;
}

export interface FfsZipFacts {
  path: string;
  bytes: number;
  entries: number;
  unrelatedFiles: number;
  whatsappFiles: number;
  mediaFiles: number;
  unrelatedSqliteFiles: number;
}

/** Seeded PRNG (xorshift32) so the file names and text are the same each run. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

const WORDS = [
  'sync',
  'token',
  'cache',
  'user',
  'event',
  'config',
  'retry',
  'session',
  'ok',
  'false',
  'true',
];

/** Compressible, app-like text of `size` bytes (XML prefs, logs, JSON). */
function textOf(size: number, rnd: () => number): Buffer {
  let s = '';
  while (s.length < size)
    s += `<string name="${WORDS[rnd() % WORDS.length]}_${rnd() % 997}">${rnd().toString(16)} ${WORDS[rnd() % WORDS.length]}</string>\n`;
  return Buffer.from(s.slice(0, size));
}

/** A stream of `size` random bytes produced on demand, in 1 MiB chunks. */
function randomStream(size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, 1 << 20);
      left -= n;
      this.push(randomBytes(n));
    },
  });
}

/** One small SQLite database unrelated to WhatsApp (an app's own), written once and reused. */
function templateSqlite(scratch: string): Buffer {
  const p = join(scratch, 'template.db');
  const db = new Database(p);
  db.exec(
    'CREATE TABLE events (_id INTEGER PRIMARY KEY, ts INTEGER, kind TEXT, payload TEXT);' +
      'CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);',
  );
  const ins = db.prepare('INSERT INTO events (ts, kind, payload) VALUES (?, ?, ?)');
  for (let i = 0; i < 200; i++) ins.run(1_500_000_000 + i, 'sync', `synthetic payload ${i}`);
  db.close();
  return readFileSync(p);
}

/** A wa.db with the tables the reader and discovery know (synthetic contacts, no group creators). */
function waDb(scratch: string, owner: string): Buffer {
  const p = join(scratch, 'wa.db');
  const db = new Database(p);
  db.exec(
    'CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY, jid TEXT, display_name TEXT);' +
      'CREATE TABLE wa_group_admin_settings (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT UNIQUE, creator_jid TEXT);',
  );
  db.prepare('INSERT INTO wa_contacts (jid, display_name) VALUES (?, ?)').run(
    `${owner.slice(1)}@s.whatsapp.net`,
    'Synthetic owner',
  );
  db.close();
  return readFileSync(p);
}

function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const n of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    if (statSync(join(dir, r)).isDirectory()) out.push(...filesUnder(dir, r));
    else out.push(r);
  }
  return out;
}

export async function writeFfsZip(path: string, opts: FfsZipOptions): Promise<FfsZipFacts> {
  mkdirSync(opts.scratch, { recursive: true });
  const rnd = prng(20240501);
  const z = new yazl.ZipFile();
  const mtime = new Date(Date.UTC(2023, 4, 1));
  const out = createWriteStream(path);
  const written = new Promise<void>((res, rej) => {
    out.on('close', res);
    out.on('error', rej);
    z.outputStream.on('error', rej);
  });
  z.outputStream.pipe(out);
  let entries = 0;
  // Small files too are produced only when yazl reaches them (their text from a PRNG seeded per file).
  const text = (name: string, size: number, seed: number) => {
    entries++;
    z.addReadStreamLazy(name, { mtime, compress: true, size }, (cb) =>
      cb(null, Readable.from([textOf(size, prng(seed))])),
    );
  };
  const stored = (name: string, size: number) => {
    entries++;
    z.addReadStreamLazy(name, { mtime, compress: false, size }, (cb) => cb(null, randomStream(size)));
  };

  // The WhatsApp instance (about a dozen files).
  const wa = 'Dump/data/data/com.whatsapp';
  let whatsappFiles = 0;
  const waFile = (name: string, data: Buffer, compress = true) => {
    whatsappFiles++;
    entries++;
    z.addBuffer(data, name, { mtime, compress });
  };
  waFile(`${wa}/databases/msgstore.db`, readFileSync(join(opts.deviceDir, 'databases', 'msgstore.db')));
  waFile(`${wa}/databases/wa.db`, waDb(opts.scratch, opts.owner));
  waFile(
    `${wa}/shared_prefs/com.whatsapp_preferences_light.xml`,
    Buffer.from(
      `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n` +
        `    <string name="registration_jid">${opts.owner.slice(1)}@s.whatsapp.net</string>\n` +
        `    <string name="push_name">Synthetic owner</string>\n</map>\n`,
    ),
  );
  waFile(`${wa}/files/statistics`, textOf(4096, rnd));
  const media = filesUnder(join(opts.deviceDir, 'Media')).filter((f) => !f.endsWith('SYNTHETIC'));
  for (const m of media)
    waFile(`Dump/data/media/0/WhatsApp/Media/${m}`, readFileSync(join(opts.deviceDir, 'Media', m)), false);

  // Unrelated files. Small ones are fixed in number and size whatever the container size, so two sizes
  // differ only in the bulk bytes of photos and APKs.
  const sqlite = templateSqlite(opts.scratch);
  const apps = 400;
  const apks = 40;
  const photos = Math.round(opts.files * 0.1);
  const small = opts.files - photos - apks;
  let unrelatedSqliteFiles = 0;
  let smallBytes = 0;
  for (let i = 0; i < small; i++) {
    const app = `Dump/data/data/com.synthetic.app${String(i % apps).padStart(3, '0')}`;
    const k = i % 50;
    if (k === 0 && i < apps * 50) {
      unrelatedSqliteFiles++;
      entries++;
      smallBytes += sqlite.length;
      z.addBuffer(sqlite, `${app}/databases/app-${i}.db`, { mtime, compress: true });
    } else if (k === 1) {
      const size = 2048 + (rnd() % 8192);
      smallBytes += size;
      text(`Dump/data/log/app-${i}.txt`, size, i + 1);
    } else if (i % 7 === 0) {
      const size = 512 + (rnd() % 4096);
      smallBytes += size;
      text(`Dump/system/etc/conf-${i}.xml`, size, i + 1);
    } else {
      const size = 256 + (rnd() % 6144);
      smallBytes += size;
      const sub = ['shared_prefs', 'files', 'cache', 'no_backup'][rnd() % 4]!;
      text(`${app}/${sub}/f${i}.${sub === 'shared_prefs' ? 'xml' : 'dat'}`, size, i + 1);
    }
  }
  const bulk = Math.max(0, opts.bytes - smallBytes / 3);
  const apkSize = Math.floor((bulk * 0.2) / apks);
  for (let i = 0; i < apks; i++) stored(`Dump/system/app/SynthApp${i}/SynthApp${i}.apk`, apkSize);
  const photoSize = Math.floor((bulk * 0.8) / Math.max(1, photos));
  for (let i = 0; i < photos; i++)
    stored(`Dump/data/media/0/DCIM/Camera/IMG_2023${String(i).padStart(6, '0')}.jpg`, photoSize);
  z.end();
  await written;
  return {
    path,
    bytes: statSync(path).size,
    entries,
    unrelatedFiles: opts.files,
    whatsappFiles,
    mediaFiles: media.length,
    unrelatedSqliteFiles,
  };
}
