import type { CaseStore } from '../store/case-store.js';
import { isCaseId } from '../store/case-dir.js';
import { isCaseRole, type AccountRole, type CaseRole, type InstallationRole } from '../store/user-store.js';
import type { Workspace } from '../store/workspace.js';
import { CaseViewCache } from './services/case-view.js';

/**
 * Which cases a server serves and who may enter each: the only place that turns the `:caseId` of a URL into
 * a store. A single case's server serves one case, whose accounts carry their role in it; an installation's
 * server serves every case of its workspace, whose accounts hold a role only where they are members
 * (src/store/installation-store.ts). The gate (app.ts) asks `enter` on every case route before anything
 * else; null answers "no such case" whether the case is missing or the user is not a member, so a stranger
 * cannot tell the two apart.
 */
export interface OpenCase {
  id: string;
  name: string;
  store: CaseStore;
  caseDir: string;
  /** The case as the pages read it, shared by every request to this case. */
  views: CaseViewCache;
}

export interface CaseEntry {
  id: string;
  name: string;
  role: CaseRole;
}

export interface CaseDirectory {
  readonly kind: 'case' | 'installation';
  /** Where accounts, sessions, login limits and their audit entries live. */
  readonly accounts: CaseStore;
  /** Which accounts may log in to this server. */
  admits(role: AccountRole): boolean;
  /** The cases the user may enter, with their role in each. */
  casesOf(user: { name: string; role: AccountRole }): Promise<CaseEntry[]>;
  /** The case and the user's role in it; null when there is no such case or the user has no role in it. */
  enter(
    caseId: string,
    user: { name: string; role: AccountRole },
  ): Promise<{ open: OpenCase; role: CaseRole } | null>;
  /** Every case served, opened (what a worker in the server's process serves). */
  targets(): Promise<{ store: CaseStore; dir: string }[]>;
  close(): Promise<void>;
}

export class SingleCaseDirectory implements CaseDirectory {
  readonly kind = 'case';
  private readonly open: OpenCase;

  constructor(
    store: CaseStore,
    caseDir: string,
    name: string,
    /** Closes the store when the server opened it (not when a caller handed it in). */
    private readonly closeStore: boolean,
  ) {
    this.open = { id: store.caseId, name, store, caseDir, views: new CaseViewCache(store) };
  }

  get accounts(): CaseStore {
    return this.open.store;
  }

  admits(role: AccountRole): boolean {
    return isCaseRole(role);
  }

  async casesOf(user: { role: AccountRole }): Promise<CaseEntry[]> {
    return isCaseRole(user.role) ? [{ id: this.open.id, name: this.open.name, role: user.role }] : [];
  }

  async enter(caseId: string, user: { role: AccountRole }) {
    return caseId === this.open.id && isCaseRole(user.role) ? { open: this.open, role: user.role } : null;
  }

  async targets() {
    return [{ store: this.open.store, dir: this.open.caseDir }];
  }

  async close(): Promise<void> {
    if (this.closeStore) await this.open.store.close();
  }
}

export class InstallationDirectory implements CaseDirectory {
  readonly kind = 'installation';
  private readonly views = new Map<string, CaseViewCache>();

  constructor(readonly workspace: Workspace) {}

  get accounts(): CaseStore {
    return this.workspace.installation.scope;
  }

  admits(role: AccountRole): boolean {
    return (['admin', 'member'] satisfies InstallationRole[] as AccountRole[]).includes(role);
  }

  async casesOf(user: { name: string }): Promise<CaseEntry[]> {
    const inst = this.workspace.installation;
    const names = new Map((await inst.listCases()).map((c) => [c.id, c.name]));
    return (await inst.membershipsOf(user.name))
      .filter((m) => names.has(m.caseId))
      .map((m) => ({ id: m.caseId, name: names.get(m.caseId)!, role: m.role }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async enter(caseId: string, user: { name: string }) {
    if (!isCaseId(caseId)) return null; // generated ids only (newCaseId); nothing else is looked up
    // The membership is read on every request: removing a member takes effect at their next click.
    const role = await this.workspace.installation.roleIn(user.name, caseId);
    if (!role) return null;
    const opened = await this.workspace.openCase(caseId);
    if (!opened) return null;
    let views = this.views.get(caseId);
    if (!views) this.views.set(caseId, (views = new CaseViewCache(opened.store)));
    return {
      open: { id: caseId, name: opened.info.name, store: opened.store, caseDir: opened.dir, views },
      role,
    };
  }

  async targets() {
    const out: { store: CaseStore; dir: string }[] = [];
    for (const c of await this.workspace.installation.listCases()) {
      const opened = await this.workspace.openCase(c.id);
      if (opened) out.push({ store: opened.store, dir: opened.dir });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.workspace.close();
  }
}
