/**
 * The table signature of a SQLite database inside a container, for discovery. A database up to 64 MiB is
 * read into memory and opened there (SQLite's deserialize: read-only, no file, nothing to remove
 * afterwards); a larger one is copied to the scratch folder and read through sqliteSignature like a
 * file. Opening from memory spares a file write plus a second private copy per database,
 * and a full file system holds hundreds of unrelated app databases whose tables must be looked at.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteSignature } from '../wa-db/sqlite.js';
import type { EvidenceFs, VfsEntry } from '../vfs/index.js';

const IN_MEMORY_MAX = 64 * 1024 * 1024;

export async function entrySignature(
  fs: EvidenceFs,
  e: VfsEntry,
  scratch: () => Promise<string>,
  scratchName: string,
): Promise<{ tables: Set<string> } | null> {
  if (e.size > IN_MEMORY_MAX) {
    const real = join(await scratch(), scratchName);
    await fs.copyTo(e.path, real);
    return sqliteSignature(real);
  }
  if (fs.readHead) return signatureOfBytes(await fs.readHead(e.path, e.size));
  const chunks: Buffer[] = [];
  for await (const c of (await fs.open(e.path)) as AsyncIterable<Buffer>) chunks.push(c);
  return signatureOfBytes(Buffer.concat(chunks));
}

/** Tables and views named in `sqlite_master`, or null when the bytes are not a readable database. */
export function signatureOfBytes(bytes: Buffer): { tables: Set<string> } | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(bytes, { readonly: true });
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view')").all() as {
      name: string;
    }[];
    return { tables: new Set(rows.map((r) => r.name)) };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}
