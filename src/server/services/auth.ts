import { randomBytes, createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { CaseStore } from '../../store/case-store.js';
import {
  UserStore,
  type FailureCounts,
  type FailureSummary,
  type LoginLimits,
  type SessionRow,
  type AccountRole,
  isCaseRole,
} from '../../store/user-store.js';
import type { Language } from '../../model/vocabulary.js';
import { verifyPassword } from '../passwords.js';
import { HttpError } from './paging.js';

/**
 * Logins and sessions. The session id (256 random bits) lives only in the client's cookie; the store keeps its
 * SHA-256, an absolute expiry and the last-seen time for the idle timeout.
 *
 * Failed logins (docs/security-login.md): every attempt is counted in the store before its password is
 * checked, per client address and per user name (known or not, so a lock says nothing about which users
 * exist). Too many failures from one address → 429 without checking anything; too many on one name → the
 * name is locked (423), for 15 min, then twice as long for each consecutive lock up to 4 h; a success
 * forgets the name's failures. The audit gets at most one `login.failed` entry per (name, address) and
 * minute, carrying the number of failures it summarises.
 */
export interface AuthSettings {
  sessionTtlMs: number;
  idleTimeoutMs: number;
  /** Failed attempts on one user name within `failureWindowMs` that lock it. */
  maxFailedLogins: number;
  failureWindowMs: number;
  /** First lock; each consecutive lock (no success in between) lasts twice as long, up to `lockMaxMs`. */
  lockMs: number;
  lockMaxMs: number;
  /** Failed attempts from one address (IPv4, or IPv6 /64) within `ipWindowMs`; beyond them: 429. */
  ipMaxFailures: number;
  ipWindowMs: number;
  /** At most one login.failed audit entry per (user name, address) per this long. */
  auditWindowMs: number;
  /** The time source (tests move it by hand). */
  clock: () => number;
}

export const DEFAULT_AUTH: AuthSettings = {
  sessionTtlMs: 12 * 3600_000,
  idleTimeoutMs: 30 * 60_000,
  maxFailedLogins: 5,
  failureWindowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  lockMaxMs: 4 * 3600_000,
  ipMaxFailures: 20,
  ipWindowMs: 15 * 60_000,
  auditWindowMs: 60_000,
  clock: () => Date.now(),
};

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

/** The audit actor of attempts refused for their address: they are summarised per address, whatever the name. */
export const ANY_USER = '*';

export interface AuthedUser {
  name: string;
  /** A case role on a single case's server; admin or member on an installation's. */
  role: AccountRole;
  /** The UI language stored with the account (null: not chosen). */
  language: Language | null;
}

// Compared against when the user does not exist, so an unknown name costs the same time as a wrong password.
const DUMMY = {
  hash: randomBytes(64).toString('base64'),
  salt: randomBytes(16).toString('base64'),
  params: { N: 16384, r: 8, p: 1, keylen: 64 },
};

/**
 * The key an address is limited under: an IPv4 address as it is (IPv4-mapped IPv6 included), an IPv6
 * address's /64 (one subscriber usually holds a whole /64, so its addresses are one client).
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':') : []);
  const toGroups = (parts: string[]) =>
    parts.flatMap((p) => {
      if (!p.includes('.')) return [p];
      const [a, b, c, d] = p.split('.').map(Number) as [number, number, number, number];
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const h = toGroups(part(head));
  const t = toGroups(part(tail));
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class AuthService {
  private readonly users: UserStore;
  /** Attempts refused by the per-process flood limit (they never reach `login`), until the next sweep. */
  private flooded = new Map<string, { n: number; first: number; last: number }>();
  private static readonly MAX_FLOODED_KEYS = 10_000;

  constructor(
    private readonly store: CaseStore,
    readonly settings: AuthSettings = DEFAULT_AUTH,
    /** Which accounts may log in here; by default a case's (those with a case role). */
    private readonly admits: (role: AccountRole) => boolean = isCaseRole,
  ) {
    this.users = new UserStore(store);
  }

  private get limits(): LoginLimits {
    const s = this.settings;
    return {
      maxFailures: s.maxFailedLogins,
      failureWindowMs: s.failureWindowMs,
      lockMs: s.lockMs,
      lockMaxMs: s.lockMaxMs,
      ipMaxFailures: s.ipMaxFailures,
      ipWindowMs: s.ipWindowMs,
    };
  }

  /** Adds failures to a pair's pending audit count and appends the summary entry when one is due. */
  private async auditFailures(
    s: CaseStore,
    name: string,
    ip: string,
    counts: FailureCounts,
    at: { first: number; last: number },
  ): Promise<void> {
    const due = await new UserStore(s).countFailures(name, ip, counts, at, this.settings.auditWindowMs);
    if (due) await this.appendSummary(s, due);
  }

  private async appendSummary(s: CaseStore, f: FailureSummary): Promise<void> {
    await s.appendAudit(
      f.userName,
      'login.failed',
      { ip: f.ip },
      { failures: f.failures, byStatus: f.byStatus, window: { from: iso(f.firstAt), to: iso(f.lastAt) } },
    );
  }

  /**
   * Checks the password from client address `ip`; on success opens a session. Throws 401 (wrong name or
   * password, or disabled user), 423 (the name is locked) or 429 (the address is over its limit) HttpErrors.
   */
  async login(
    username: string,
    password: string,
    ip = 'unknown',
  ): Promise<{ sessionId: string; session: SessionRow; user: AuthedUser }> {
    const now = this.settings.clock();
    const key = addressKey(ip);
    const gate = await this.store.transaction(async (s) => {
      const g = await new UserStore(s).reserveLoginAttempt(username, key, now, this.limits);
      const at = { first: now, last: now };
      if (g.decision === 'limited') await this.auditFailures(s, ANY_USER, key, { limited: 1 }, at);
      if (g.decision === 'locked') await this.auditFailures(s, username, ip, { locked: 1 }, at);
      if (g.lockedNow)
        await s.appendAudit(
          username,
          'login.locked',
          { ip },
          { until: iso(g.lockedUntil!), minutes: g.lockMs / 60_000 },
        );
      return g;
    });
    if (gate.decision === 'limited')
      throw new HttpError(
        429,
        `too many failed logins from this address; try again after ${iso(gate.ipRetryAt)}`,
      );
    if (gate.decision === 'locked')
      throw new HttpError(423, `account locked until ${iso(gate.lockedUntil!)}`);

    // A server admits only the accounts of its kind (a case's server: accounts with a role in the case).
    const found = await this.users.getUser(username);
    const u = found && this.admits(found.role) ? found : null;
    const ok = await verifyPassword(
      password,
      u ? { hash: u.passwordHash, salt: u.passwordSalt, params: u.passwordParams } : DUMMY,
    );
    if (!u || !ok || u.disabledAt !== null) {
      // Already counted by the gate; only the audit is left.
      await this.store.transaction((s) =>
        this.auditFailures(s, username, ip, { unauthorized: 1 }, { first: now, last: now }),
      );
      throw new HttpError(401, 'invalid username or password');
    }
    const sessionId = randomBytes(32).toString('base64url');
    const session: SessionRow = {
      idHash: hashSessionId(sessionId),
      userName: u.name,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.settings.sessionTtlMs,
      lastSeen: now,
    };
    await this.store.transaction(async (s) => {
      const users = new UserStore(s);
      await users.loginSucceeded(u.name, key, gate.ipWindowStart);
      await users.createSession(session);
      await users.purgeSessions(now, now - this.settings.idleTimeoutMs);
      await s.appendAudit(u.name, 'login', { ip }, { ok: true });
    });
    return { sessionId, session, user: { name: u.name, role: u.role, language: u.language } };
  }

  /**
   * Notes an attempt refused by the per-process flood limit (the route's rate limit): it is summarised in
   * the audit with the address's other refused attempts at the next sweep.
   */
  noteFlooded(ip: string): void {
    const now = this.settings.clock();
    let key = addressKey(ip);
    if (!this.flooded.has(key) && this.flooded.size >= AuthService.MAX_FLOODED_KEYS) key = 'other addresses';
    const f = this.flooded.get(key);
    if (f) {
      f.n++;
      f.last = now;
    } else this.flooded.set(key, { n: 1, first: now, last: now });
  }

  /**
   * Writes the login.failed summaries that are due (their pair's last entry is a minute old), folds in the
   * flood-limit refusals, and drops limit rows that no longer matter. Run every minute by the server and
   * when it stops; failures still held back stay in the store for the next sweep (of any process).
   */
  async sweep(): Promise<void> {
    const now = this.settings.clock();
    const flooded = this.flooded;
    this.flooded = new Map();
    await this.store
      .transaction(async (s) => {
        const users = new UserStore(s);
        for (const [key, f] of flooded)
          await this.auditFailures(s, ANY_USER, key, { limited: f.n }, { first: f.first, last: f.last });
        for (const due of await users.dueFailureSummaries(now, this.settings.auditWindowMs))
          if (await users.markFailuresWritten(due, now)) await this.appendSummary(s, due);
        await users.pruneLoginState(now, this.limits, this.settings.auditWindowMs);
      })
      .catch((err: unknown) => {
        // Keep the refusals for the next sweep.
        for (const [key, f] of flooded) {
          const g = this.flooded.get(key);
          this.flooded.set(key, g ? { n: g.n + f.n, first: f.first, last: g.last } : f);
        }
        throw err;
      });
  }

  /** The session and user behind a cookie value, or null (unknown, expired, idle, or user disabled). */
  async resolve(sessionId: string): Promise<{ session: SessionRow; user: AuthedUser } | null> {
    const now = this.settings.clock();
    const idHash = hashSessionId(sessionId);
    const s = await this.users.getSession(idHash);
    if (!s) return null;
    if (s.expiresAt <= now || s.lastSeen + this.settings.idleTimeoutMs <= now) {
      await this.users.deleteSession(idHash);
      return null;
    }
    const found = await this.users.getUser(s.userName);
    const u = found && this.admits(found.role) ? found : null;
    if (!u || u.disabledAt !== null) {
      await this.users.deleteSession(idHash);
      return null;
    }
    // Touch at most once a minute: the idle timeout does not need millisecond accuracy, writes are not free.
    if (now - s.lastSeen > 60_000) {
      await this.users.touchSession(idHash, now);
      s.lastSeen = now;
    }
    return { session: s, user: { name: u.name, role: u.role, language: u.language } };
  }

  /** Ends a session and records it, in one transaction. */
  async logout(idHash: string, userName: string, ip: string): Promise<void> {
    await this.store.transaction(async (s) => {
      await new UserStore(s).deleteSession(idHash);
      await s.appendAudit(userName, 'logout', { ip }, { ok: true });
    });
  }
}
