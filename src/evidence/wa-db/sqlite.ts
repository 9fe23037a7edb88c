/**
 * Opening seized SQLite databases: read-only, never creating a file, and turning every way a damaged
 * file can fail (not SQLite, truncated, corrupt page met half-way through a scan) into a UserError that
 * names the file, so one bad item never crashes an ingest.
 */
import { open } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { UserError } from '../../util/errors.js';

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

/**
 * Opens read-only and touches the schema at once: a truncated or corrupt file fails here, not later.
 * `sqlite_master` is read in full, which validates the first pages.
 */
export async function openDb(path: string): Promise<{ db: Db; tables: Set<string> }> {
  if (!(await hasSqliteHeader(path))) {
    throw new UserError('not an SQLite database (no "SQLite format 3" header)', { file: path });
  }
  let db: Db | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view')").all() as {
      name: string;
    }[];
    return { db, tables: new Set(rows.map((r) => r.name)) };
  } catch (err) {
    db?.close();
    throw sqliteFailure(path, err);
  }
}

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
