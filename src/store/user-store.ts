import type { CaseStore } from './case-store.js';

/**
 * Users and sessions of the web server (migration 3). Passwords arrive here already hashed (the caller owns
 * the KDF); sessions are keyed by the SHA-256 of their id, so a copy of the store cannot be used to log in.
 */
export const USER_ROLES = ['lead', 'analyst', 'viewer', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserRow {
  name: string;
  role: UserRole;
  passwordHash: string;
  passwordSalt: string;
  passwordParams: Record<string, number>;
  createdAt: number;
  disabledAt: number | null;
  failedLogins: number;
  lockedUntil: number | null;
}

export interface SessionRow {
  idHash: string;
  userName: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
  lastSeen: number;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export class UserStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get c() {
    return this.store.caseId;
  }

  async addUser(u: Omit<UserRow, 'disabledAt' | 'failedLogins' | 'lockedUntil'>): Promise<void> {
    await this.db.run(
      `INSERT INTO users (case_id, name, role, password_hash, password_salt, password_params, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [this.c, u.name, u.role, u.passwordHash, u.passwordSalt, JSON.stringify(u.passwordParams), u.createdAt],
    );
  }

  async getUser(name: string): Promise<UserRow | null> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT * FROM users WHERE case_id = ? AND name = ?',
      [this.c, name],
    );
    return r ? userFromRow(r) : null;
  }

  async listUsers(): Promise<UserRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM users WHERE case_id = ? ORDER BY name',
      [this.c],
    );
    return rows.map(userFromRow);
  }

  /** Disables a user and ends their sessions; false when there is no such user. */
  async disableUser(name: string, at: number): Promise<boolean> {
    return this.store.transaction(async (s) => {
      const n = await s.db.run('UPDATE users SET disabled_at = ? WHERE case_id = ? AND name = ?', [
        at,
        this.c,
        name,
      ]);
      await s.db.run('DELETE FROM sessions WHERE case_id = ? AND user_name = ?', [this.c, name]);
      return n > 0;
    });
  }

  async setLoginState(name: string, failedLogins: number, lockedUntil: number | null): Promise<void> {
    await this.db.run('UPDATE users SET failed_logins = ?, locked_until = ? WHERE case_id = ? AND name = ?', [
      failedLogins,
      lockedUntil,
      this.c,
      name,
    ]);
  }

  async createSession(s: SessionRow): Promise<void> {
    await this.db.run(
      `INSERT INTO sessions (case_id, id_hash, user_name, csrf, created_at, expires_at, last_seen)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [this.c, s.idHash, s.userName, s.csrf, s.createdAt, s.expiresAt, s.lastSeen],
    );
  }

  async getSession(idHash: string): Promise<SessionRow | null> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT * FROM sessions WHERE case_id = ? AND id_hash = ?',
      [this.c, idHash],
    );
    if (!r) return null;
    return {
      idHash: String(r.id_hash),
      userName: String(r.user_name),
      csrf: String(r.csrf),
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
      lastSeen: Number(r.last_seen),
    };
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    await this.db.run('UPDATE sessions SET last_seen = ? WHERE case_id = ? AND id_hash = ?', [
      at,
      this.c,
      idHash,
    ]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE case_id = ? AND id_hash = ?', [this.c, idHash]);
  }

  /** Drops sessions past their absolute expiry or idle since before `idleBefore`. */
  async purgeSessions(now: number, idleBefore: number): Promise<number> {
    return this.db.run('DELETE FROM sessions WHERE case_id = ? AND (expires_at < ? OR last_seen < ?)', [
      this.c,
      now,
      idleBefore,
    ]);
  }
}

function userFromRow(r: Record<string, unknown>): UserRow {
  return {
    name: String(r.name),
    role: r.role as UserRole,
    passwordHash: String(r.password_hash),
    passwordSalt: String(r.password_salt),
    passwordParams: JSON.parse(String(r.password_params)) as Record<string, number>,
    createdAt: Number(r.created_at),
    disabledAt: num(r.disabled_at),
    failedLogins: Number(r.failed_logins),
    lockedUntil: num(r.locked_until),
  };
}
