import { isCaseRole, type CaseRole } from './user-store.js';
export { INSTALLATION_ROLES, type InstallationRole } from './user-store.js';
import type { CaseStore } from './case-store.js';

/**
 * An installation: many cases and the people who work on them. Its own rows (users, sessions, login limits,
 * its audit log) live in the shared tables under the installation's id, exactly as a case's do, so login,
 * sessions and the audit chain are the same code for both. What an installation adds is here: the register
 * of its cases and, per case, who is a member in which role. Nobody has a role outside a case: an
 * installation administrator creates cases and users and names leads, but sees a case's content only as a
 * member of it.
 */
export interface InstalledCase {
  id: string;
  name: string;
  /** The case folder (case.json, derived files), relative to the workspace folder. */
  folder: string;
  createdAt: number;
  createdBy: string;
}

export interface CaseMember {
  caseId: string;
  userName: string;
  role: CaseRole;
  addedAt: number;
  addedBy: string;
}

const caseOf = (r: Record<string, unknown>): InstalledCase => ({
  id: String(r.id),
  name: String(r.name),
  folder: String(r.folder),
  createdAt: Number(r.created_at),
  createdBy: String(r.created_by),
});

const memberOf = (r: Record<string, unknown>): CaseMember => ({
  caseId: String(r.member_case),
  userName: String(r.user_name),
  role: String(r.role) as CaseRole,
  addedAt: Number(r.added_at),
  addedBy: String(r.added_by),
});

export class InstallationStore {
  /** `scope`: the store bound to the installation's id (its users, sessions and audit log). */
  constructor(readonly scope: CaseStore) {}

  get id(): string {
    return this.scope.caseId;
  }

  /** The same installation on a store bound to a transaction. */
  on(s: CaseStore): InstallationStore {
    return new InstallationStore(s);
  }

  async registerCase(c: InstalledCase): Promise<void> {
    await this.scope.db.run(
      `INSERT INTO installation_cases (case_id, id, name, folder, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
      [this.id, c.id, c.name, c.folder, c.createdAt, c.createdBy],
    );
  }

  async getCase(caseId: string): Promise<InstalledCase | null> {
    const r = await this.scope.db.get<Record<string, unknown>>(
      'SELECT * FROM installation_cases WHERE case_id = ? AND id = ?',
      [this.id, caseId],
    );
    return r ? caseOf(r) : null;
  }

  async listCases(): Promise<InstalledCase[]> {
    return (
      await this.scope.db.all<Record<string, unknown>>(
        'SELECT * FROM installation_cases WHERE case_id = ? ORDER BY created_at, id',
        [this.id],
      )
    ).map(caseOf);
  }

  async caseByName(name: string): Promise<InstalledCase | null> {
    const r = await this.scope.db.get<Record<string, unknown>>(
      'SELECT * FROM installation_cases WHERE case_id = ? AND name = ?',
      [this.id, name],
    );
    return r ? caseOf(r) : null;
  }

  /** Adds a member or changes their role. Returns the role they had before (null: not a member). */
  async setMember(m: CaseMember): Promise<CaseRole | null> {
    const before = await this.roleIn(m.userName, m.caseId);
    await this.scope.db.run(
      `INSERT INTO case_members (case_id, member_case, user_name, role, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (case_id, member_case, user_name) DO UPDATE SET role = excluded.role,
         added_at = excluded.added_at, added_by = excluded.added_by`,
      [this.id, m.caseId, m.userName, m.role, m.addedAt, m.addedBy],
    );
    return before;
  }

  async removeMember(caseId: string, userName: string): Promise<boolean> {
    const n = await this.scope.db.run(
      'DELETE FROM case_members WHERE case_id = ? AND member_case = ? AND user_name = ?',
      [this.id, caseId, userName],
    );
    return n > 0;
  }

  async members(caseId: string): Promise<CaseMember[]> {
    return (
      await this.scope.db.all<Record<string, unknown>>(
        'SELECT * FROM case_members WHERE case_id = ? AND member_case = ? ORDER BY user_name',
        [this.id, caseId],
      )
    ).map(memberOf);
  }

  /** Every case the user is a member of, with their role there. */
  async membershipsOf(userName: string): Promise<CaseMember[]> {
    return (
      await this.scope.db.all<Record<string, unknown>>(
        'SELECT * FROM case_members WHERE case_id = ? AND user_name = ? ORDER BY member_case',
        [this.id, userName],
      )
    ).map(memberOf);
  }

  async roleIn(userName: string, caseId: string): Promise<CaseRole | null> {
    const r = await this.scope.db.get<{ role: string }>(
      'SELECT role FROM case_members WHERE case_id = ? AND member_case = ? AND user_name = ?',
      [this.id, caseId, userName],
    );
    return r && isCaseRole(r.role) ? r.role : null;
  }

  /** The leads of each case (a case may have several; the "ask them" of a cross-case notice names them). */
  async leadsOf(caseIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!caseIds.length) return out;
    const rows = await this.scope.db.all<{ member_case: string; user_name: string }>(
      `SELECT member_case, user_name FROM case_members WHERE case_id = ? AND role = 'lead'
         AND member_case IN (${caseIds.map(() => '?').join(', ')}) ORDER BY user_name`,
      [this.id, ...caseIds],
    );
    for (const r of rows)
      (out.get(r.member_case) ?? out.set(r.member_case, []).get(r.member_case)!).push(r.user_name);
    return out;
  }
}
