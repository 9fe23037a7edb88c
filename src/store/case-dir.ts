import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { TOOL_VERSION } from '../version.js';
import { loadAuditKey } from './audit-key.js';
import { CaseStore } from './case-store.js';
import type { SqlDriver } from './driver.js';
import { PostgresDriver, redactUrl } from './postgres-driver.js';
import { SqliteDriver } from './sqlite-driver.js';

/**
 * A case is a directory. `case.json` says which store holds it: the embedded `case.sqlite` beside it, or a
 * PostgreSQL database (whose URL comes from --store, FILET_DATABASE_URL, or case.json, in that order —
 * a URL given through the environment is not written to disk).
 */
export interface CaseFile {
  format: 'filet-case';
  version: 1;
  caseId: string;
  name: string;
  createdAt: string;
  store: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string | null };
}

export const CASE_FILE = 'case.json';

/**
 * The shape of a case id: base64url, starting with a letter or digit (an id that starts with "-" reads as
 * an option on a command line). The server looks up nothing that does not have it.
 */
export const CASE_ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isCaseId(s: string): boolean {
  return CASE_ID_SHAPE.test(s);
}

/**
 * 72 random bits, 12 characters. Every row and every index entry starts with the case id, so its length
 * is paid on every insert: a UUID's 36 characters cost about a fifth of ingest time, measured. About one
 * draw in 32 starts with "-" or "_" and is drawn again, so every id has CASE_ID_SHAPE.
 */
export function newCaseId(): string {
  for (;;) {
    const id = randomBytes(9).toString('base64url');
    if (isCaseId(id)) return id;
  }
}

export function isPostgresUrl(s: string | undefined): s is string {
  return !!s && /^postgres(ql)?:\/\//.test(s);
}

function readCaseFile(dir: string): CaseFile {
  const file = join(dir, CASE_FILE);
  if (!existsSync(file)) {
    throw new UserError(`not a filet case (no ${CASE_FILE}); create one with: filet init ${dir}`, {
      file: dir,
    });
  }
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CaseFile;
    if (parsed.format !== 'filet-case') throw new Error('format is not filet-case');
    return parsed;
  } catch (err) {
    throw new UserError(`unreadable case file: ${(err as Error).message}`, { file });
  }
}

function driverFor(dir: string, cf: CaseFile, storeOverride?: string): SqlDriver {
  const url = storeOverride ?? process.env.FILET_DATABASE_URL;
  if (cf.store.kind === 'postgres') {
    const u = isPostgresUrl(url) ? url : cf.store.url;
    if (!u)
      throw new UserError('this case lives in PostgreSQL: give --store postgres://… or FILET_DATABASE_URL');
    return new PostgresDriver(u);
  }
  return new SqliteDriver(join(dir, cf.store.file));
}

export async function initCase(
  dirArg: string,
  opts: {
    store?: string;
    name?: string;
    caseId?: string;
    /** false: case.json does not name the PostgreSQL URL even when given (a workspace's case, whose URL the workspace holds). */
    recordStoreUrl?: boolean;
  } = {},
): Promise<{ dir: string; store: CaseStore; caseFile: CaseFile }> {
  const dir = resolve(dirArg);
  if (existsSync(join(dir, CASE_FILE))) throw new UserError('a case already exists here', { file: dir });
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UserError('the folder is not empty; give a new or empty folder for the case', { file: dir });
  }
  const storeUrl = opts.store ?? process.env.FILET_DATABASE_URL;
  if (opts.store && !isPostgresUrl(opts.store) && opts.store !== 'sqlite') {
    throw new UserError(`unknown store "${opts.store}": use sqlite or postgres://user@host/db`);
  }
  const pgUrl = isPostgresUrl(storeUrl) ? storeUrl : null;
  // The audit key first (created on first use): a key that is refused leaves no half-made case behind.
  loadAuditKey({ caseDir: dir, create: true });
  const caseFile: CaseFile = {
    format: 'filet-case',
    version: 1,
    caseId: opts.caseId ?? newCaseId(),
    name: opts.name ?? basename(dir),
    createdAt: new Date().toISOString(),
    store: pgUrl
      ? {
          kind: 'postgres',
          url: opts.recordStoreUrl !== false && opts.store && isPostgresUrl(opts.store) ? opts.store : null,
        }
      : { kind: 'sqlite', file: 'case.sqlite' },
  };
  mkdirSync(join(dir, 'derived'), { recursive: true });
  mkdirSync(join(dir, 'exports'), { recursive: true });
  const driver = driverFor(dir, caseFile, pgUrl ?? undefined);
  try {
    await CaseStore.migrate(driver);
    const store = new CaseStore(driver, caseFile.caseId, dir);
    // The case and the genesis entry of its audit log together: no case exists without one.
    await store.transaction(async (s) => {
      await s.createCase({
        caseId: caseFile.caseId,
        name: caseFile.name,
        createdAt: Date.now(),
        synthetic: false,
        toolVersion: TOOL_VERSION,
      });
      await s.appendGenesis();
    });
    // case.json last, written atomically: a case without it was never created.
    const tmp = join(dir, `${CASE_FILE}.tmp`);
    writeFileSync(tmp, JSON.stringify(caseFile, null, 2) + '\n');
    renameSync(tmp, join(dir, CASE_FILE));
    return { dir, store, caseFile };
  } catch (err) {
    await driver.close();
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot create the case store at ${driver.location}: ${(err as Error).message}`);
  }
}

export async function openCase(
  dirArg: string,
  opts: { store?: string } = {},
): Promise<{ dir: string; store: CaseStore; caseFile: CaseFile }> {
  const dir = resolve(dirArg);
  const caseFile = readCaseFile(dir);
  const driver = driverFor(dir, caseFile, opts.store);
  try {
    await CaseStore.migrate(driver);
    const store = new CaseStore(driver, caseFile.caseId, dir);
    if (!(await store.getCase())) {
      throw new UserError(`case ${caseFile.caseId} is not in the store at ${driver.location}`, { file: dir });
    }
    return { dir, store, caseFile };
  } catch (err) {
    await driver.close();
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot open the case store at ${driver.location}: ${(err as Error).message}`);
  }
}

/** The PostgreSQL URL of a case folder's store, resolved as openCase resolves it; null when embedded. */
export function caseStoreUrl(dirArg: string, storeOverride?: string): string | null {
  const cf = readCaseFile(resolve(dirArg));
  if (cf.store.kind !== 'postgres') return null;
  const url = storeOverride ?? process.env.FILET_DATABASE_URL;
  return isPostgresUrl(url) ? url : cf.store.url;
}

/** The case id a case folder's case.json names (the folder must be a case). */
export function caseIdOf(dirArg: string): string {
  return readCaseFile(resolve(dirArg)).caseId;
}

export function describeStore(cf: CaseFile, dir: string): string {
  return cf.store.kind === 'sqlite'
    ? join(dir, cf.store.file)
    : cf.store.url
      ? redactUrl(cf.store.url)
      : 'PostgreSQL (FILET_DATABASE_URL)';
}
