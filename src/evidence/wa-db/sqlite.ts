/**
 * Opening seized SQLite databases: always a private copy (the database and its `-wal` when present,
 * copied into a temporary folder removed on close), never the evidence file itself — SQLite opened
 * read-only in place still creates or changes `-shm` beside it. The copy is hashed while it is made and
 * recorded in the reader's notes (`innerArtifacts`). A temporary folder (not the case folder) because the
 * copy is scratch: its bytes are the evidence's, its digest is recorded, and nothing refers to it later.
 * Every way a damaged
 * file can fail (not SQLite, truncated, corrupt page met half-way through a scan) into a UserError that
 * names the file, so one bad item never crashes an ingest.
 */
import { constants, createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { ReaderNotes } from '../../model/types.js';
import { UserError } from '../../util/errors.js';
import { writeHashed } from '../vfs/index.js';
import { cellTooLarge, DEFAULT_SQLITE_BUDGET, type SqliteBudget } from './budget.js';

let budget: SqliteBudget = DEFAULT_SQLITE_BUDGET;

/** The budget private copies are opened under in this thread (the read worker sets the ingest's). */
export function setSqliteBudget(b: SqliteBudget): void {
  budget = b;
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export async function hasSqliteHeader(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0);
    return bytesRead === 16 && buf.equals(MAGIC);
  } finally {
    await fh.close();
  }
}

export type Db = Database.Database;

/** Wraps an SQLite failure as a UserError naming the file (and the table being read, when known). */
export function sqliteFailure(path: string, err: unknown, table?: string): UserError {
  if (err instanceof UserError) return err;
  const msg = (err as Error).message ?? String(err);
  return new UserError(`unreadable SQLite database (corrupt or truncated?): ${msg}`, { file: path, table });
}

/** An inner file a reader read, as recorded in the evidence notes. */
export interface InnerArtifact {
  path: string;
  role: string;
  size: number;
  sha256: string;
  /** How it was read: a temporary private copy, or staged from a container into the case folder. */
  readAs: string;
  /**
   * Where these bytes can be read again for `filet verify`: the file in the evidence folder, or its staged
   * copy in the case folder. Absent for items ingested before it was recorded.
   */
  location?: string;
  /** The container's own name for the file when a view renamed it (a Cellebrite report's Local Path). */
  member?: string;
}

export function recordInner(notes: ReaderNotes | undefined, a: InnerArtifact): void {
  if (!notes) return;
  const list = (notes.innerArtifacts ??= []) as InnerArtifact[];
  if (!list.some((x) => x.path === a.path && x.sha256 === a.sha256)) list.push(a);
}

/**
 * Drops the `location` of inner artifacts read from a scratch folder that is being removed (a decrypted
 * working copy): there is nothing to re-check there later, the encrypted original is what `filet verify`
 * re-hashes.
 */
export function forgetScratchLocations(notes: ReaderNotes | undefined, scratchDir: string): void {
  for (const a of (notes?.innerArtifacts ?? []) as InnerArtifact[])
    if (a.location?.startsWith(scratchDir)) delete a.location;
}

async function isRegularFile(p: string): Promise<boolean> {
  const st = await lstat(p).catch(() => null);
  return !!st?.isFile();
}

async function copyNoFollow(src: string, dest: string) {
  const fh = await open(src, constants.O_RDONLY | constants.O_NOFOLLOW);
  return writeHashed(createReadStream('', { fd: fh, highWaterMark: 1 << 20 }), dest);
}

/** A database opened on a private copy; `close()` closes it and removes the copy. */
export interface PrivateDb {
  db: Db;
  /** Ordinary tables only: what the readers may read. */
  tables: Set<string>;
  /** Schema objects that are never read, by name: views, virtual tables, tables with generated columns. */
  notRead: Map<string, string>;
  close(): void;
}

/**
 * Settings that bound what reading a copy can cost: a 64 MB page cache, no memory map, temporary data
 * on disk, and schema code (views, triggers, defaults) not trusted to call functions with side effects.
 * `cell_size_check` makes SQLite check each page's cells when it reads the page, so a corrupt page is an
 * error at once instead of a wild read.
 */
function harden(db: Db): void {
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 0');
  db.pragma('temp_store = FILE');
  db.pragma('trusted_schema = OFF');
  db.pragma('cell_size_check = ON');
  db.pragma('query_only = ON');
}

/**
 * What the readers may read: ordinary tables without generated columns. A view or a generated column is
 * code (any query, a recursive one included) that SQLite would run on read; a virtual table is a module's
 * code. WhatsApp's databases use none of them for their data, so they are listed, never read.
 */
function readableTables(db: Db): { tables: Set<string>; notRead: Map<string, string> } {
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')")
    .all() as { type: string; name: string; sql: string | null }[];
  const tables = new Set<string>();
  const notRead = new Map<string, string>();
  for (const r of rows) {
    if (r.type === 'view') notRead.set(r.name, 'a view');
    else if (/^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(r.sql ?? '')) notRead.set(r.name, 'a virtual table');
    else {
      const cols = db.prepare(`PRAGMA table_xinfo("${r.name.replace(/"/g, '""')}")`).all() as {
        hidden: number;
      }[];
      if (cols.some((c) => c.hidden === 2 || c.hidden === 3))
        notRead.set(r.name, 'a table with generated columns');
      else tables.add(r.name);
    }
  }
  return { tables, notRead };
}

/**
 * The largest record of every table and index, from the b-tree page headers (SQLite's dbstat: no cell is
 * loaded), against the budget's cell limit. Reads every page header once: about 0.1 s for 300 MB.
 */
function checkCells(db: Db, path: string): void {
  const rows = db.prepare('SELECT name, mx_payload AS mx FROM dbstat WHERE aggregate = TRUE').all() as {
    name: string;
    mx: number;
  }[];
  for (const r of rows)
    if (r.mx > budget.maxCellBytes)
      throw new UserError(cellTooLarge(r.name, r.mx, budget.maxCellBytes), { file: path });
}

/**
 * Copies `path` (and `path-wal`) into a fresh temporary folder and opens the copy read-only. With
 * `notes`, both copies' digests are recorded as inner artifacts of `role`.
 */
export async function openPrivateCopy(
  path: string,
  notes?: ReaderNotes,
  role = 'database',
  /** Measure every table's largest record against the budget first (readers do; schema-only looks not). */
  cells = true,
): Promise<PrivateDb> {
  if (!(await hasSqliteHeader(path))) {
    throw new UserError('not an SQLite database (no "SQLite format 3" header)', { file: path });
  }
  const dir = await mkdtemp(join(tmpdir(), 'filet-sqlite-'));
  const cleanup = () => rm(dir, { recursive: true, force: true }).catch(() => {});
  let db: Db | null = null;
  try {
    const copy = join(dir, 'db.sqlite');
    const main = await copyNoFollow(path, copy);
    recordInner(notes, {
      path,
      role,
      ...main,
      readAs: 'temporary private copy (removed after reading)',
      location: resolve(path),
    });
    if (await isRegularFile(`${path}-wal`)) {
      const wal = await copyNoFollow(`${path}-wal`, `${copy}-wal`);
      recordInner(notes, {
        path: `${path}-wal`,
        role: `${role} write-ahead log`,
        ...wal,
        readAs: 'temporary private copy (removed after reading)',
        location: resolve(`${path}-wal`),
      });
    }
    db = new Database(copy, { readonly: true, fileMustExist: true });
    harden(db);
    const { tables, notRead } = readableTables(db);
    if (cells) checkCells(db, path);
    const opened = db;
    return {
      db: opened,
      tables,
      notRead,
      close() {
        opened.close();
        void cleanup();
      },
    };
  } catch (err) {
    db?.close();
    await cleanup();
    throw sqliteFailure(path, err);
  }
}

/**
 * Opens a private copy read-only and touches the schema at once: a truncated or corrupt file fails here,
 * not later. `sqlite_master` is read in full, which validates the first pages.
 */
export async function openDb(path: string, notes?: ReaderNotes): Promise<PrivateDb> {
  return openPrivateCopy(path, notes);
}

/** Tables (and, for `withColumnsOf`, those tables' columns) of a database, read from a private copy. */
export async function sqliteSignature(
  path: string,
  withColumnsOf: string[] = [],
): Promise<{ tables: Set<string>; columns: Map<string, Set<string>> } | null> {
  if (!(await hasSqliteHeader(path))) return null;
  // Several readers ask about the same file in a row (detection): one private copy answers them all
  // while the file and its -wal are unchanged.
  const stamp = async (p: string) => {
    const st = await lstat(p).catch(() => null);
    return st ? `${st.size}:${st.mtimeMs}:${st.ino}` : '-';
  };
  const key = `${path}\0${await stamp(path)}\0${await stamp(`${path}-wal`)}\0${withColumnsOf.join(',')}`;
  const hit = signatureCache.get(key);
  if (hit) return hit;
  let p: PrivateDb | null = null;
  try {
    p = await openPrivateCopy(path, undefined, 'database', false);
    const columns = new Map<string, Set<string>>();
    for (const t of withColumnsOf) if (p.tables.has(t)) columns.set(t, columnsOf(p.db, t));
    // What the file claims to be counts its views too (a view named `message` makes it look like a
    // msgstore); reading it then fails saying the view is never read.
    const sig = { tables: new Set([...p.tables, ...p.notRead.keys()]), columns };
    if (signatureCache.size > 256) signatureCache.clear();
    signatureCache.set(key, sig);
    return sig;
  } catch {
    return null;
  } finally {
    p?.close();
  }
}

const signatureCache = new Map<string, { tables: Set<string>; columns: Map<string, Set<string>> }>();

export function columnsOf(db: Db, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA table_info("${table.replace(/"/g, '""')}")`).all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** `t.col` when the column exists, else `NULL` — schemas drift between app versions. */
export function colOr(cols: Set<string>, alias: string, col: string, as = col): string {
  return cols.has(col) ? `${alias}.${col} AS ${as}` : `NULL AS ${as}`;
}

/**
 * Iterates a statement row by row (nothing accumulates), converting errors raised mid-scan — a corrupt
 * page deep in the file — into UserErrors naming the file and table.
 */
export function* iterateRows<T>(
  db: Db,
  path: string,
  table: string,
  sql: string,
  params: unknown[] = [],
): Generator<T> {
  let it: IterableIterator<unknown>;
  try {
    it = db.prepare(sql).iterate(...params);
  } catch (err) {
    throw sqliteFailure(path, err, table);
  }
  try {
    for (;;) {
      let step: IteratorResult<unknown>;
      try {
        step = it.next();
      } catch (err) {
        throw sqliteFailure(path, err, table);
      }
      if (step.done) return;
      yield step.value as T;
    }
  } finally {
    it.return?.();
  }
}

export function allRows<T>(db: Db, path: string, table: string, sql: string, params: unknown[] = []): T[] {
  try {
    return db.prepare(sql).all(...params) as T[];
  } catch (err) {
    throw sqliteFailure(path, err, table);
  }
}
