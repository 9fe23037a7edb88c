import type { CaseStore } from './case-store.js';
import type { Param } from './driver.js';
import { LANGUAGES, type Language } from '../model/vocabulary.js';

/**
 * Users and sessions of the web server (migration 3), and the failed-login limits (migration 7). Passwords
 * arrive here already hashed (the caller owns the KDF); sessions are keyed by the SHA-256 of their id, so a
 * copy of the store cannot be used to log in. Login limits live in the store, so every server process on
 * the case sees the same counts; each count is changed by one SQL statement, so concurrent attempts never
 * overwrite each other's.
 */
export const USER_ROLES = ['lead', 'analyst', 'viewer', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/** The roles one holds in a case: a single case's users have theirs on their row, an installation's per case. */
export const CASE_ROLES = USER_ROLES;
export type CaseRole = UserRole;
/** The kinds of an installation's accounts (src/store/installation-store.ts): no case role on the row. */
export const INSTALLATION_ROLES = ['admin', 'member'] as const;
export type InstallationRole = (typeof INSTALLATION_ROLES)[number];
export type AccountRole = CaseRole | InstallationRole;

export function isCaseRole(r: unknown): r is CaseRole {
  return (CASE_ROLES as readonly unknown[]).includes(r);
}

export function isLanguage(l: unknown): l is Language {
  return (LANGUAGES as readonly unknown[]).includes(l);
}

export interface UserRow {
  name: string;
  role: AccountRole;
  passwordHash: string;
  passwordSalt: string;
  passwordParams: Record<string, number>;
  createdAt: number;
  disabledAt: number | null;
  /** Failed attempts on this name since its last successful login (login_throttle). */
  failedLogins: number;
  /** End of the name's latest lock (may be past). */
  lockedUntil: number | null;
  /** The UI language the user chose (one of LANGUAGES), or null: not chosen yet (migration 19). */
  language: Language | null;
}

/** The numbers the login gate applies (AuthSettings carries them; src/server/services/auth.ts). */
export interface LoginLimits {
  /** Failed attempts on one user name, within `failureWindowMs`, that lock it. */
  maxFailures: number;
  failureWindowMs: number;
  /** Length of the first lock; each consecutive lock lasts twice the previous one, up to `lockMaxMs`. */
  lockMs: number;
  /** Cap of a lock; a lock that ended this long ago no longer makes the next one longer. */
  lockMaxMs: number;
  /** Failed attempts from one address (IPv4, or IPv6 /64), within `ipWindowMs`, after which it is refused. */
  ipMaxFailures: number;
  ipWindowMs: number;
}

/** What the gate decided for one attempt, counted before its password is checked. */
export interface LoginGate {
  /** allowed: check the password; locked: the user name is locked (423); limited: the address is (429). */
  decision: 'allowed' | 'locked' | 'limited';
  /** End of the name's lock when locked or just locked by this attempt, else null. */
  lockedUntil: number | null;
  /** This attempt was the one that reached the threshold: the name is now locked (the attempt is still checked). */
  lockedNow: boolean;
  /** Length of that lock. */
  lockMs: number;
  /** Start of the address's window (a success gives its attempt back in that window) and when it ends. */
  ipWindowStart: number;
  ipRetryAt: number;
}

/** Failed logins of one (user name, address) pair, summarised in one audit entry. */
export interface FailureSummary {
  userName: string;
  ip: string;
  failures: number;
  byStatus: { 401?: number; 423?: number; 429?: number };
  firstAt: number;
  lastAt: number;
}

export interface FailureCounts {
  unauthorized?: number;
  locked?: number;
  limited?: number;
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

/**
 * `:name` placeholders → `?` with the parameter list in order (a name may repeat). Numbers are bound as
 * `CAST(? AS BIGINT)`: PostgreSQL cannot infer a type for a bare parameter inside CASE arithmetic.
 */
function bind(sql: string, values: Record<string, Param>): [string, Param[]] {
  const params: Param[] = [];
  const text = sql.replace(/:(\w+)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for :${name}`);
    const v = values[name]!;
    params.push(v);
    return typeof v === 'number' ? 'CAST(? AS BIGINT)' : '?';
  });
  return [text, params];
}

const T = 'login_throttle';
// The user-name row's state, as seen by the statement that counts one more attempt (old values throughout).
const IS_LOCKED = `(${T}.locked_until IS NOT NULL AND ${T}.locked_until > :now)`;
const IS_FRESH = `(${T}.window_start <= :stale)`;
const NEXT_FAILURES = `(CASE WHEN ${IS_FRESH} THEN 1 ELSE ${T}.failures + 1 END)`;
const LOCKING = `(NOT ${IS_LOCKED} AND ${NEXT_FAILURES} >= :max)`;
const NEXT_LOCK_MS =
  `(CASE WHEN ${T}.lock_ms = 0 OR ${T}.locked_until IS NULL OR ${T}.locked_until <= :decayed THEN :lockMs` +
  ` WHEN ${T}.lock_ms * 2 >= :cap THEN :cap ELSE ${T}.lock_ms * 2 END)`;

const COUNT_USER_ATTEMPT = `INSERT INTO ${T} (case_id, scope, subject, window_start, failures, total, lock_ms,
    locked_until, last_refused)
  VALUES (:c, 'user', :name, :now, :firstFailures, 1, :firstLockMs, :firstLockedUntil, 0)
  ON CONFLICT (case_id, scope, subject) DO UPDATE SET
    total = ${T}.total + 1,
    last_refused = CASE WHEN ${IS_LOCKED} THEN 1 ELSE 0 END,
    failures = CASE WHEN ${IS_LOCKED} THEN ${T}.failures WHEN ${LOCKING} THEN 0 ELSE ${NEXT_FAILURES} END,
    window_start = CASE WHEN ${IS_LOCKED} THEN ${T}.window_start
      WHEN ${LOCKING} OR ${IS_FRESH} THEN :now ELSE ${T}.window_start END,
    lock_ms = CASE WHEN ${LOCKING} THEN ${NEXT_LOCK_MS} ELSE ${T}.lock_ms END,
    locked_until = CASE WHEN ${LOCKING} THEN :now + ${NEXT_LOCK_MS} ELSE ${T}.locked_until END
  RETURNING failures, lock_ms, locked_until, last_refused`;

const COUNT_IP_ATTEMPT = `INSERT INTO ${T} (case_id, scope, subject, window_start, failures, total, lock_ms,
    locked_until, last_refused)
  VALUES (:c, 'ip', :ip, :now, 1, 1, 0, NULL, 0)
  ON CONFLICT (case_id, scope, subject) DO UPDATE SET
    total = ${T}.total + 1,
    failures = CASE WHEN ${IS_FRESH} THEN 1 ELSE ${T}.failures + 1 END,
    window_start = CASE WHEN ${IS_FRESH} THEN :now ELSE ${T}.window_start END
  RETURNING failures, window_start`;

const L = 'login_failure_log';
const COUNT_FAILURES = `INSERT INTO ${L} (case_id, user_name, ip, pending, unauthorized, locked, limited, first_at,
    last_at, logged_at)
  VALUES (:c, :name, :ip, :n, :n401, :n423, :n429, :first, :last, NULL)
  ON CONFLICT (case_id, user_name, ip) DO UPDATE SET
    pending = ${L}.pending + :n,
    unauthorized = ${L}.unauthorized + :n401,
    locked = ${L}.locked + :n423,
    limited = ${L}.limited + :n429,
    first_at = CASE WHEN ${L}.pending = 0 OR ${L}.first_at IS NULL OR ${L}.first_at > :first THEN :first
      ELSE ${L}.first_at END,
    last_at = CASE WHEN ${L}.last_at IS NULL OR ${L}.last_at < :last THEN :last ELSE ${L}.last_at END
  RETURNING user_name, ip, pending, unauthorized, locked, limited, first_at, last_at, logged_at`;

function summaryFromRow(r: Record<string, unknown>): FailureSummary {
  const byStatus: FailureSummary['byStatus'] = {};
  if (Number(r.unauthorized)) byStatus[401] = Number(r.unauthorized);
  if (Number(r.locked)) byStatus[423] = Number(r.locked);
  if (Number(r.limited)) byStatus[429] = Number(r.limited);
  return {
    userName: String(r.user_name),
    ip: String(r.ip),
    failures: Number(r.pending),
    byStatus,
    firstAt: Number(r.first_at),
    lastAt: Number(r.last_at),
  };
}

export class UserStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get c() {
    return this.store.caseId;
  }

  async addUser(u: Omit<UserRow, 'disabledAt' | 'failedLogins' | 'lockedUntil' | 'language'>): Promise<void> {
    await this.db.run(
      `INSERT INTO users (case_id, name, role, password_hash, password_salt, password_params, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [this.c, u.name, u.role, u.passwordHash, u.passwordSalt, JSON.stringify(u.passwordParams), u.createdAt],
    );
  }

  async getUser(name: string): Promise<UserRow | null> {
    const r = await this.db.get<Record<string, unknown>>(`${USERS_WITH_THROTTLE} AND u.name = ?`, [
      this.c,
      name,
    ]);
    return r ? userFromRow(r) : null;
  }

  async listUsers(): Promise<UserRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(`${USERS_WITH_THROTTLE} ORDER BY u.name`, [
      this.c,
    ]);
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

  /** Stores the user's UI language; false when there is no such user. */
  async setLanguage(name: string, language: Language): Promise<boolean> {
    const n = await this.db.run('UPDATE users SET language = ? WHERE case_id = ? AND name = ?', [
      language,
      this.c,
      name,
    ]);
    return n > 0;
  }

  // ---- login limits ------------------------------------------------------------------------------------

  /**
   * Counts one login attempt before its password is checked, for the address (`ipKey`) and then the user
   * name (whether or not such a user exists). Each count is one statement, so N concurrent attempts count N
   * and exactly one of them reaches the lock threshold; attempts that find the name locked, or the address
   * over its limit, are refused. A successful login gives its counts back (`loginSucceeded`).
   */
  async reserveLoginAttempt(
    name: string,
    ipKey: string,
    now: number,
    limits: LoginLimits,
  ): Promise<LoginGate> {
    const ip = (await this.db.get<{ failures: number; window_start: number }>(
      ...bind(COUNT_IP_ATTEMPT, { c: this.c, ip: ipKey, now, stale: now - limits.ipWindowMs }),
    ))!;
    const ipWindowStart = Number(ip.window_start);
    const base = { ipWindowStart, ipRetryAt: ipWindowStart + limits.ipWindowMs };
    if (Number(ip.failures) > limits.ipMaxFailures)
      return { decision: 'limited', lockedUntil: null, lockedNow: false, lockMs: 0, ...base };
    const lockAtOnce = limits.maxFailures <= 1;
    const u = (await this.db.get<Record<string, unknown>>(
      ...bind(COUNT_USER_ATTEMPT, {
        c: this.c,
        name,
        now,
        stale: now - limits.failureWindowMs,
        max: limits.maxFailures,
        decayed: now - limits.lockMaxMs,
        lockMs: limits.lockMs,
        cap: limits.lockMaxMs,
        firstFailures: lockAtOnce ? 0 : 1,
        firstLockMs: lockAtOnce ? limits.lockMs : 0,
        firstLockedUntil: lockAtOnce ? now + limits.lockMs : null,
      }),
    ))!;
    const lockedUntil = num(u.locked_until);
    if (Number(u.last_refused))
      return { decision: 'locked', lockedUntil, lockedNow: false, lockMs: Number(u.lock_ms), ...base };
    // Only the attempt that sets a lock leaves the failure count at 0 (every other one leaves it >= 1).
    const lockedNow = Number(u.failures) === 0;
    return {
      decision: 'allowed',
      lockedUntil: lockedNow ? lockedUntil : null,
      lockedNow,
      lockMs: Number(u.lock_ms),
      ...base,
    };
  }

  /** A correct password: the name's failures, lock and lock growth are forgotten; the address gets its attempt back. */
  async loginSucceeded(name: string, ipKey: string, ipWindowStart: number): Promise<void> {
    await this.db.run(`DELETE FROM ${T} WHERE case_id = ? AND scope = 'user' AND subject = ?`, [
      this.c,
      name,
    ]);
    await this.db.run(
      `UPDATE ${T} SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END,
         total = CASE WHEN total > 0 THEN total - 1 ELSE 0 END
       WHERE case_id = ? AND scope = 'ip' AND subject = ? AND window_start = ?`,
      [this.c, ipKey, ipWindowStart],
    );
  }

  /**
   * Adds failed attempts to the (user name, address) pair's pending audit count. When the pair's last
   * login.failed entry is at least `auditWindowMs` old (or there is none), returns the summary of everything
   * pending and marks it written: the caller appends that entry in the same transaction.
   */
  async countFailures(
    name: string,
    ip: string,
    counts: FailureCounts,
    at: { first: number; last: number },
    auditWindowMs: number,
  ): Promise<FailureSummary | null> {
    const n401 = counts.unauthorized ?? 0;
    const n423 = counts.locked ?? 0;
    const n429 = counts.limited ?? 0;
    const r = (await this.db.get<Record<string, unknown>>(
      ...bind(COUNT_FAILURES, {
        c: this.c,
        name,
        ip,
        n: n401 + n423 + n429,
        n401,
        n423,
        n429,
        first: at.first,
        last: at.last,
      }),
    ))!;
    const logged = num(r.logged_at);
    if (logged !== null && logged > at.last - auditWindowMs) return null;
    const s = summaryFromRow(r);
    return (await this.markFailuresWritten(s, at.last)) ? s : null;
  }

  /** Pairs with failures pending whose last entry is at least `auditWindowMs` old at `now`. */
  async dueFailureSummaries(now: number, auditWindowMs: number): Promise<FailureSummary[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      ...bind(
        `SELECT * FROM ${L} WHERE case_id = :c AND pending > 0 AND (logged_at IS NULL OR logged_at <= :due)
         ORDER BY user_name, ip`,
        { c: this.c, due: now - auditWindowMs },
      ),
    );
    return rows.map(summaryFromRow);
  }

  /**
   * Marks a summary written: its counts are taken off the pair (only if they are still what the summary
   * says, so two writers never both write the same failures). False when another writer got there first.
   */
  async markFailuresWritten(s: FailureSummary, now: number): Promise<boolean> {
    const n = await this.db.run(
      ...bind(
        `UPDATE ${L} SET pending = 0, unauthorized = 0, locked = 0, limited = 0, first_at = NULL, last_at = NULL,
           logged_at = :now
         WHERE case_id = :c AND user_name = :name AND ip = :ip AND pending = :n`,
        { c: this.c, name: s.userName, ip: s.ip, n: s.failures, now },
      ),
    );
    return n > 0;
  }

  /** Drops rows that no longer change any decision (expired windows, long-ended locks, written pairs). */
  async pruneLoginState(now: number, limits: LoginLimits, auditWindowMs: number): Promise<void> {
    await this.db.run(
      ...bind(`DELETE FROM ${T} WHERE case_id = :c AND scope = 'ip' AND window_start <= :stale`, {
        c: this.c,
        stale: now - limits.ipWindowMs,
      }),
    );
    await this.db.run(
      ...bind(
        `DELETE FROM ${T} WHERE case_id = :c AND scope = 'user' AND window_start <= :stale
           AND (locked_until IS NULL OR locked_until <= :decayed)`,
        { c: this.c, stale: now - limits.failureWindowMs, decayed: now - limits.lockMaxMs },
      ),
    );
    await this.db.run(
      ...bind(`DELETE FROM ${L} WHERE case_id = :c AND pending = 0 AND logged_at <= :due`, {
        c: this.c,
        due: now - auditWindowMs,
      }),
    );
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

const USERS_WITH_THROTTLE = `SELECT u.*, t.total AS t_total, t.locked_until AS t_locked_until FROM users u
  LEFT JOIN ${T} t ON t.case_id = u.case_id AND t.scope = 'user' AND t.subject = u.name
  WHERE u.case_id = ?`;

function userFromRow(r: Record<string, unknown>): UserRow {
  return {
    name: String(r.name),
    role: r.role as AccountRole,
    passwordHash: String(r.password_hash),
    passwordSalt: String(r.password_salt),
    passwordParams: JSON.parse(String(r.password_params)) as Record<string, number>,
    createdAt: Number(r.created_at),
    disabledAt: num(r.disabled_at),
    failedLogins: Number(r.t_total ?? 0),
    lockedUntil: num(r.t_locked_until),
    language: isLanguage(r.language) ? r.language : null,
  };
}
