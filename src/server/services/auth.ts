import { createHash, randomBytes } from 'node:crypto';
import type { CaseStore } from '../../store/case-store.js';
import { UserStore, type SessionRow, type UserRow } from '../../store/user-store.js';
import { verifyPassword } from '../passwords.js';
import { HttpError } from './paging.js';

/**
 * Logins and sessions. The session id (256 random bits) lives only in the client's cookie; the store keeps its
 * SHA-256, an absolute expiry and the last-seen time for the idle timeout. Repeated failures lock the account
 * for a while; a per-username window limits guessing spread over many addresses.
 */
export interface AuthSettings {
  sessionTtlMs: number;
  idleTimeoutMs: number;
  maxFailedLogins: number;
  lockMs: number;
  loginsPerUserPerMinute: number;
}

export const DEFAULT_AUTH: AuthSettings = {
  sessionTtlMs: 12 * 3600_000,
  idleTimeoutMs: 30 * 60_000,
  maxFailedLogins: 5,
  lockMs: 15 * 60_000,
  loginsPerUserPerMinute: 10,
};

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

export interface AuthedUser {
  name: string;
  role: UserRow['role'];
}

// Compared against when the user does not exist, so an unknown name costs the same time as a wrong password.
const DUMMY = {
  hash: randomBytes(64).toString('base64'),
  salt: randomBytes(16).toString('base64'),
  params: { N: 16384, r: 8, p: 1, keylen: 64 },
};

export class AuthService {
  private readonly users: UserStore;
  private readonly attempts = new Map<string, number[]>();

  constructor(
    store: CaseStore,
    readonly settings: AuthSettings = DEFAULT_AUTH,
  ) {
    this.users = new UserStore(store);
  }

  private rateLimited(username: string, now: number): boolean {
    const recent = (this.attempts.get(username) ?? []).filter((t) => t > now - 60_000);
    recent.push(now);
    this.attempts.set(username, recent);
    return recent.length > this.settings.loginsPerUserPerMinute;
  }

  /** Checks the password; on success opens a session. Throws 401/423/429 HttpErrors. */
  async login(
    username: string,
    password: string,
  ): Promise<{ sessionId: string; session: SessionRow; user: AuthedUser }> {
    const now = Date.now();
    if (this.rateLimited(username, now))
      throw new HttpError(429, 'too many login attempts for this user; wait a minute');
    const u = await this.users.getUser(username);
    if (u?.lockedUntil && u.lockedUntil > now)
      throw new HttpError(423, `account locked until ${new Date(u.lockedUntil).toISOString()}`);
    const ok = await verifyPassword(
      password,
      u ? { hash: u.passwordHash, salt: u.passwordSalt, params: u.passwordParams } : DUMMY,
    );
    if (!u || !ok || u.disabledAt !== null) {
      if (u && !ok) {
        const failed = (u.lockedUntil && u.lockedUntil <= now ? 0 : u.failedLogins) + 1;
        const lock = failed >= this.settings.maxFailedLogins ? now + this.settings.lockMs : null;
        await this.users.setLoginState(u.name, lock ? 0 : failed, lock);
      }
      throw new HttpError(401, 'invalid username or password');
    }
    await this.users.setLoginState(u.name, 0, null);
    const sessionId = randomBytes(32).toString('base64url');
    const session: SessionRow = {
      idHash: hashSessionId(sessionId),
      userName: u.name,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.settings.sessionTtlMs,
      lastSeen: now,
    };
    await this.users.createSession(session);
    await this.users.purgeSessions(now, now - this.settings.idleTimeoutMs);
    return { sessionId, session, user: { name: u.name, role: u.role } };
  }

  /** The session and user behind a cookie value, or null (unknown, expired, idle, or user disabled). */
  async resolve(sessionId: string): Promise<{ session: SessionRow; user: AuthedUser } | null> {
    const now = Date.now();
    const idHash = hashSessionId(sessionId);
    const s = await this.users.getSession(idHash);
    if (!s) return null;
    if (s.expiresAt <= now || s.lastSeen + this.settings.idleTimeoutMs <= now) {
      await this.users.deleteSession(idHash);
      return null;
    }
    const u = await this.users.getUser(s.userName);
    if (!u || u.disabledAt !== null) {
      await this.users.deleteSession(idHash);
      return null;
    }
    // Touch at most once a minute: the idle timeout does not need millisecond accuracy, writes are not free.
    if (now - s.lastSeen > 60_000) {
      await this.users.touchSession(idHash, now);
      s.lastSeen = now;
    }
    return { session: s, user: { name: u.name, role: u.role } };
  }

  async logout(idHash: string): Promise<void> {
    await this.users.deleteSession(idHash);
  }
}
