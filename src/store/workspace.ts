import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { TOOL_VERSION } from '../version.js';
import { loadAuditKey } from './audit-key.js';
import { initCase, isPostgresUrl, newCaseId } from './case-dir.js';
import { CaseStore } from './case-store.js';
import type { SqlDriver } from './driver.js';
import { InstallationStore, type InstalledCase } from './installation-store.js';
import { PostgresDriver, redactUrl } from './postgres-driver.js';
import { SqliteDriver } from './sqlite-driver.js';

/**
 * A workspace is an installation on disk: a folder with `workspace.json`, the installation's own store and
 * one case folder per case under `cases/`. Embedded, the installation is `installation.sqlite` and each case
 * its own `case.sqlite` (a case folder stays a case: `filet ingest DIR/cases/ID …` works on it). On
 * PostgreSQL the installation and every case share one database (every row carries its scope's id); the
 * folder then holds only what the server derives (thumbnails, index caches, temporary downloads).
 */
export interface WorkspaceFile {
  format: 'filet-workspace';
  version: 1;
  installationId: string;
  createdAt: string;
  store: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string | null };
}

export const WORKSPACE_FILE = 'workspace.json';
const CASES = 'cases';

export function isWorkspace(dir: string): boolean {
  return existsSync(join(resolve(dir), WORKSPACE_FILE));
}

function readWorkspaceFile(dir: string): WorkspaceFile {
  const file = join(dir, WORKSPACE_FILE);
  if (!existsSync(file))
    throw new UserError(
      `not a filet workspace (no ${WORKSPACE_FILE}); create one with: filet workspace init ${dir}`,
      {
        file: dir,
      },
    );
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as WorkspaceFile;
    if (parsed.format !== 'filet-workspace') throw new Error('format is not filet-workspace');
    if (typeof parsed.installationId !== 'string') throw new Error('installationId is missing');
    return parsed;
  } catch (err) {
    throw new UserError(`unreadable workspace file: ${(err as Error).message}`, { file });
  }
}

function pgUrlOf(wf: WorkspaceFile, override: string | undefined): string | null {
  if (wf.store.kind !== 'postgres') return null;
  const url = override ?? process.env.FILET_DATABASE_URL;
  const u = isPostgresUrl(url) ? url : wf.store.url;
  if (!u)
    throw new UserError(
      'this workspace lives in PostgreSQL: give --store postgres://… or FILET_DATABASE_URL',
    );
  return u;
}

export interface OpenedCase {
  info: InstalledCase;
  store: CaseStore;
  /** The case folder (absolute). */
  dir: string;
}

export class Workspace {
  private readonly opened = new Map<string, Promise<OpenedCase>>();

  private constructor(
    readonly dir: string,
    readonly file: WorkspaceFile,
    readonly installation: InstallationStore,
    /** The PostgreSQL URL every case of the workspace shares, or null when embedded. */
    private readonly pgUrl: string | null,
  ) {}

  get kind(): 'sqlite' | 'postgres' {
    return this.file.store.kind;
  }

  /** The PostgreSQL URL every case of the workspace shares (with its password), or null when embedded. */
  get storeUrl(): string | null {
    return this.pgUrl;
  }

  /** Where the installation's store is, without a password. */
  get location(): string {
    return this.pgUrl ? redactUrl(this.pgUrl) : join(this.dir, (this.file.store as { file: string }).file);
  }

  /** A new, empty workspace: the installation's store and its audit log's genesis entry. */
  static async init(dirArg: string, opts: { store?: string } = {}): Promise<Workspace> {
    const dir = resolve(dirArg);
    if (existsSync(join(dir, WORKSPACE_FILE)))
      throw new UserError('a workspace already exists here', { file: dir });
    if (existsSync(dir) && readdirSync(dir).length > 0)
      throw new UserError('the folder is not empty; give a new or empty folder for the workspace', {
        file: dir,
      });
    if (opts.store && !isPostgresUrl(opts.store) && opts.store !== 'sqlite')
      throw new UserError(`unknown store "${opts.store}": use sqlite or postgres://user@host/db`);
    const url = opts.store ?? process.env.FILET_DATABASE_URL;
    const pgUrl = isPostgresUrl(url) ? url : null;
    loadAuditKey({ caseDir: dir, create: true });
    const file: WorkspaceFile = {
      format: 'filet-workspace',
      version: 1,
      installationId: newCaseId(),
      createdAt: new Date().toISOString(),
      store: pgUrl
        ? { kind: 'postgres', url: opts.store && isPostgresUrl(opts.store) ? opts.store : null }
        : { kind: 'sqlite', file: 'installation.sqlite' },
    };
    mkdirSync(join(dir, CASES), { recursive: true });
    const driver: SqlDriver = pgUrl
      ? new PostgresDriver(pgUrl)
      : new SqliteDriver(join(dir, 'installation.sqlite'));
    try {
      await CaseStore.migrate(driver);
      const scope = new CaseStore(driver, file.installationId, dir);
      await scope.transaction(async (s) => {
        await s.createCase({
          caseId: file.installationId,
          name: 'installation',
          createdAt: Date.now(),
          synthetic: false,
          toolVersion: TOOL_VERSION,
        });
        await s.appendGenesis();
      });
      const tmp = join(dir, `${WORKSPACE_FILE}.tmp`);
      writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n');
      renameSync(tmp, join(dir, WORKSPACE_FILE));
      return new Workspace(dir, file, new InstallationStore(scope), pgUrl);
    } catch (err) {
      await driver.close();
      if (err instanceof UserError) throw err;
      throw new UserError(
        `cannot create the workspace store at ${driver.location}: ${(err as Error).message}`,
      );
    }
  }

  static async open(dirArg: string, opts: { store?: string } = {}): Promise<Workspace> {
    const dir = resolve(dirArg);
    const file = readWorkspaceFile(dir);
    const pgUrl = pgUrlOf(file, opts.store);
    const driver: SqlDriver = pgUrl
      ? new PostgresDriver(pgUrl)
      : new SqliteDriver(join(dir, (file.store as { file: string }).file));
    try {
      await CaseStore.migrate(driver);
      const scope = new CaseStore(driver, file.installationId, dir);
      if (!(await scope.getCase()))
        throw new UserError(`installation ${file.installationId} is not in the store at ${driver.location}`, {
          file: dir,
        });
      return new Workspace(dir, file, new InstallationStore(scope), pgUrl);
    } catch (err) {
      await driver.close();
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot open the workspace store at ${driver.location}: ${(err as Error).message}`);
    }
  }

  /**
   * Creates a case, registers it and makes `lead` its lead, audited in the installation's log. The case's
   * own store and genesis come first; if registering fails the case folder is removed again, so no case
   * exists half-made (on PostgreSQL its rows stay, unregistered: nothing reaches a case the register lacks).
   */
  async createCase(name: string, lead: string, actor: string): Promise<InstalledCase> {
    const clean = name.trim();
    if (clean.length < 1 || clean.length > 100 || /[\p{Cc}/\\]/u.test(clean))
      throw new UserError(`a case name is 1-100 characters, no control characters or slashes; got "${name}"`);
    if (await this.installation.caseByName(clean))
      throw new UserError(`a case named "${clean}" already exists`);
    const leadRow = await this.installation.scope.db.get<{ role: string; disabled_at: unknown }>(
      'SELECT role, disabled_at FROM users WHERE case_id = ? AND name = ?',
      [this.installation.id, lead],
    );
    if (!leadRow || leadRow.disabled_at !== null)
      throw new UserError(`no active user "${lead}" in this installation to lead the case`);
    const id = newCaseId();
    const dir = join(this.dir, CASES, id);
    const made = await initCase(dir, {
      name: clean,
      caseId: id,
      store: this.pgUrl ?? 'sqlite',
      recordStoreUrl: this.file.store.kind === 'postgres' && this.file.store.url !== null,
    });
    await made.store.close();
    const info: InstalledCase = {
      id,
      name: clean,
      folder: relative(this.dir, dir),
      createdAt: Date.now(),
      createdBy: actor,
    };
    try {
      await this.installation.scope.transaction(async (s) => {
        const inst = this.installation.on(s);
        await inst.registerCase(info);
        await inst.setMember({
          caseId: id,
          userName: lead,
          role: 'lead',
          addedAt: info.createdAt,
          addedBy: actor,
        });
        await s.appendAudit(actor, 'case.create', { name: clean, lead }, { ok: true, caseId: id });
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return info;
  }

  /** A case of the workspace, opened once and kept open until the workspace closes. Null: no such case. */
  async openCase(caseId: string): Promise<OpenedCase | null> {
    const cached = this.opened.get(caseId);
    if (cached) return cached;
    const info = await this.installation.getCase(caseId);
    if (!info) return null;
    const p = (async () => {
      const dir = resolve(this.dir, info.folder);
      const driver = this.pgUrl ? this.installation.scope.db : new SqliteDriver(join(dir, 'case.sqlite'));
      if (!this.pgUrl) await CaseStore.migrate(driver);
      return { info, store: new CaseStore(driver, caseId, dir), dir };
    })();
    this.opened.set(caseId, p);
    p.catch(() => this.opened.delete(caseId));
    return p;
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled([...this.opened.values()]);
    this.opened.clear();
    if (!this.pgUrl) for (const r of all) if (r.status === 'fulfilled') await r.value.store.db.close();
    await this.installation.scope.db.close();
  }
}
