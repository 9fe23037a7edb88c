import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { addUser } from '../src/cli/commands/user.js';
import { parseTrustProxy } from '../src/cli/commands/serve.js';
import { buildServer, type ServerOptions } from '../src/server/app.js';
import { checkPasswordStrength } from '../src/server/passwords.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { UserStore, type LoginLimits } from '../src/store/user-store.js';
import { UserError } from '../src/util/errors.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir, type StoreTarget } from './helpers/stores.js';

/**
 * Login abuse (issue 9, finding 6) against a real case on every store: concurrent wrong passwords, unknown
 * user names, lock expiry and growth, the per-address limit, the rate-limited audit of failures, trusted
 * proxies and the password rule. All names, addresses (RFC 5737 / 3849 documentation ranges) and passwords
 * are synthetic. Where time matters the server is given a clock that the test moves by hand.
 */
const PASSWORD = 'tidal-lantern-quarry';
const WRONG = 'not-the-password';
const T0 = Date.UTC(2031, 2, 3, 9, 0, 0); // 2031-03-03T09:00:00.000Z
const SEC = 1000;
const MIN = 60 * SEC;
const iso = (ms: number) => new Date(ms).toISOString();

interface Case {
  dir: string;
  store: CaseStore;
  target: StoreTarget;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function freshCase(target: StoreTarget, users: string[] = ['ana']): Promise<Case> {
  const dir = join(tempDir('filet-login-'), 'case');
  const { store } = await initCase(dir, { store: target.store });
  cleanup.push(() => store.close());
  for (const u of users) await addUser(store, u, 'analyst', PASSWORD);
  return { dir, store, target };
}

/** A second, independent connection to the same case: what a second server process would have. */
async function secondStore(c: Case): Promise<CaseStore> {
  const { store } = await openCase(c.dir, {
    store: c.target.name === 'postgres' ? c.target.store : undefined,
  });
  cleanup.push(() => store.close());
  return store;
}

async function serve(
  c: Case,
  o: { clock?: { t: number } } & Partial<ServerOptions> = {},
): Promise<FastifyInstance> {
  const { clock, ...rest } = o;
  const app = await buildServer({
    caseDir: c.dir,
    caseStore: c.store,
    loginPerIpPerMinute: 100_000,
    // app.inject sends Host: localhost:80; a server that is not listening answers only configured hosts.
    allowedHosts: ['localhost:80'],
    ...rest,
    auth: { ...(clock ? { clock: () => clock.t } : {}), ...rest.auth },
  });
  cleanup.push(() => app.close());
  return app;
}

const login = (
  app: FastifyInstance,
  username: string,
  password: string,
  ip = '192.0.2.10',
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> =>
  app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username, password },
    remoteAddress: ip,
    headers,
  });

type AuditEntry = Awaited<ReturnType<CaseStore['readAudit']>>[number];
const failedEntries = async (store: CaseStore): Promise<AuditEntry[]> =>
  (await store.readAudit()).filter((a) => a.action === 'login.failed');

interface FailedResult {
  failures: number;
  byStatus: Record<string, number>;
  window: { from: string; to: string };
}

describe.each(STORE_TARGETS)('login abuse on $name', (target) => {
  it('counts 10 concurrent wrong passwords as 10 and locks the account', async () => {
    const c = await freshCase(target);
    const app = await serve(c);
    const res = await Promise.all(Array.from({ length: 10 }, () => login(app, 'ana', WRONG)));
    // The count is taken before the password is checked: 5 are checked (and fail), the 5 others find the lock.
    expect(res.map((r) => r.statusCode).sort()).toEqual([401, 401, 401, 401, 401, 423, 423, 423, 423, 423]);
    const u = await new UserStore(c.store).getUser('ana');
    expect(u?.failedLogins).toBe(10);
    expect(u?.lockedUntil).toBeGreaterThan(Date.now());
    expect((await login(app, 'ana', PASSWORD)).statusCode).toBe(423);
  });

  it('shares the count between two server processes on the same case', async () => {
    const c = await freshCase(target);
    const a = await serve(c);
    const b = await serve(c, { caseStore: await secondStore(c) });
    const res = await Promise.all(Array.from({ length: 10 }, (_, i) => login(i % 2 ? a : b, 'ana', WRONG)));
    expect(res.filter((r) => r.statusCode === 401)).toHaveLength(5);
    expect(res.filter((r) => r.statusCode === 423)).toHaveLength(5);
    expect((await new UserStore(c.store).getUser('ana'))?.failedLogins).toBe(10);
    expect((await login(a, 'ana', PASSWORD)).statusCode).toBe(423);
    expect((await login(b, 'ana', PASSWORD)).statusCode).toBe(423);
  });

  it('the store counts 10 concurrent attempts on two connections as 10 (one statement each)', async () => {
    const c = await freshCase(target);
    const stores = [new UserStore(c.store), new UserStore(await secondStore(c))];
    const limits = (maxFailures: number): LoginLimits => ({
      maxFailures,
      failureWindowMs: 15 * MIN,
      lockMs: 15 * MIN,
      lockMaxMs: 240 * MIN,
      ipMaxFailures: 1000,
      ipWindowMs: 15 * MIN,
    });
    const burst = (user: string, max: number) =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stores[i % 2]!.reserveLoginAttempt(user, '192.0.2.30', T0, limits(max)),
        ),
      );

    const counted = await burst('ana', 100);
    expect(counted.map((g) => g.decision)).toEqual(Array(10).fill('allowed'));
    expect((await stores[0]!.getUser('ana'))?.failedLogins).toBe(10);

    const locking = await burst('bea', 5); // 'bea' does not exist: counted all the same
    expect(locking.filter((g) => g.decision === 'allowed')).toHaveLength(5);
    expect(locking.filter((g) => g.decision === 'locked')).toHaveLength(5);
    expect(locking.filter((g) => g.lockedNow)).toHaveLength(1);
    expect(locking.every((g) => g.decision === 'allowed' || g.lockedUntil === T0 + 15 * MIN)).toBe(true);
  });

  it('answers an unknown user name exactly as a known one, the 423 included', async () => {
    const c = await freshCase(target);
    const clock = { t: T0 };
    const app = await serve(c, { clock });
    const run = async (name: string, ip: string) => {
      clock.t = T0;
      const out = [];
      for (let i = 0; i < 7; i++) {
        const r = await login(app, name, i === 6 ? PASSWORD : WRONG, ip);
        out.push({ status: r.statusCode, body: r.json<unknown>(), cookie: r.headers['set-cookie'] ?? null });
        clock.t += SEC;
      }
      return out;
    };
    const known = await run('ana', '192.0.2.21');
    const unknown = await run('no-such-user', '192.0.2.22');
    expect(unknown).toEqual(known);
    const bad = { statusCode: 401, error: 'Unauthorized', message: 'invalid username or password' };
    // The 5th failure (at 09:00:04) locks the name for 15 minutes.
    const locked = {
      statusCode: 423,
      error: 'Locked',
      message: 'account locked until 2031-03-03T09:15:04.000Z',
    };
    expect(known.map((k) => k.body)).toEqual([bad, bad, bad, bad, bad, locked, locked]);
    expect(known.every((k) => k.cookie === null)).toBe(true);
  });

  it('lets a lock expire, doubles it per consecutive lock up to 4 h, and starts over after a success', async () => {
    const c = await freshCase(target, ['ana', 'ben']);
    const clock = { t: T0 };
    const app = await serve(c, { clock });
    const lockFor = async (user: string, start: number, minutes: number) => {
      clock.t = start;
      for (let i = 0; i < 5; i++) expect((await login(app, user, WRONG)).statusCode).toBe(401);
      clock.t = start + minutes * MIN - 1;
      const probe = await login(app, user, PASSWORD);
      expect(probe.statusCode).toBe(423);
      expect(probe.json<{ message: string }>().message).toBe(
        `account locked until ${iso(start + minutes * MIN)}`,
      );
      return start + minutes * MIN;
    };
    let t = T0;
    for (const minutes of [15, 30, 60, 120, 240, 240]) t = await lockFor('ana', t, minutes);
    clock.t = t;
    expect((await login(app, 'ana', PASSWORD)).statusCode).toBe(200);
    t = await lockFor('ana', t, 15); // the success reset the growth
    clock.t = t;
    expect((await login(app, 'ana', PASSWORD)).statusCode).toBe(200);

    // Without a success, the growth is forgotten once 4 h have passed since the last lock ended.
    const ended = await lockFor('ben', T0, 15);
    await lockFor('ben', ended + 241 * MIN, 15);
  });

  it('refuses an address past 20 failures in 15 min with 429 before looking at the password', async () => {
    const c = await freshCase(target);
    const clock = { t: T0 };
    const app = await serve(c, { clock });
    const attacker = '198.51.100.7';
    for (let i = 0; i < 20; i++) {
      expect((await login(app, `ghost-${i}`, WRONG, attacker)).statusCode).toBe(401);
      clock.t += SEC;
    }
    const refused = await login(app, 'ana', PASSWORD, attacker);
    expect(refused.statusCode).toBe(429);
    expect(refused.json<{ message: string }>().message).toBe(
      'too many failed logins from this address; try again after 2031-03-03T09:15:00.000Z',
    );
    // Refused before the account was considered: nothing was counted against "ana".
    expect((await new UserStore(c.store).getUser('ana'))?.failedLogins).toBe(0);
    expect((await login(app, 'ana', PASSWORD, '198.51.100.8')).statusCode).toBe(200);
    clock.t = T0 + 15 * MIN;
    expect((await login(app, 'ana', PASSWORD, attacker)).statusCode).toBe(200);

    // Successful logins do not count towards the limit.
    for (let i = 0; i < 22; i++)
      expect((await login(app, 'ana', PASSWORD, '198.51.100.9')).statusCode).toBe(200);

    // IPv6: one /64 is one address for the limit.
    clock.t = T0 + 60 * MIN;
    for (let i = 0; i < 20; i++)
      expect(
        (await login(app, `ghost-${i}`, WRONG, `2001:db8:5:6::${(i + 1).toString(16)}`)).statusCode,
      ).toBe(401);
    expect((await login(app, 'ana', PASSWORD, '2001:db8:5:6:ffff::9')).statusCode).toBe(429);
    expect((await login(app, 'ana', PASSWORD, '2001:db8:5:7::1')).statusCode).toBe(200);
  });

  it('200 wrong attempts leave a bounded number of login.failed entries whose counts add up to 200', async () => {
    // One user, one address, one attempt a second from 09:00:00 to 09:03:19. Hand-computed from the rules
    // (5 failures lock; 20 failed attempts per address per 15 min; one entry per name and address per minute):
    //  - attempts 0-4 are checked (401), the 5th locks; attempts 5-19 find the lock (423); 20-199 are refused
    //    for the address (429) and summarised under the name "*";
    //  - "ana": an entry at 0 s (1), then 1-19 held back: 19 written by the sweep at shutdown;
    //  - "*": an entry at 20 s (1), at 80 s (21-80: 60), at 140 s (81-140: 60), at shutdown (141-199: 59).
    const c = await freshCase(target);
    const clock = { t: T0 };
    const app = await serve(c, { clock });
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) {
      codes.push((await login(app, 'ana', WRONG, '203.0.113.5')).statusCode);
      clock.t += SEC;
    }
    expect(codes).toEqual([...Array(5).fill(401), ...Array(15).fill(423), ...Array(180).fill(429)]);
    clock.t += MIN;
    await app.close(); // the last sweep writes the summaries whose minute is over

    const entries = await failedEntries(c.store);
    expect(entries.length).toBeLessThanOrEqual(6);
    const summary = entries.map((e) => {
      const r = e.result as FailedResult;
      return {
        actor: e.actor,
        ip: (e.args as { ip: string }).ip,
        failures: r.failures,
        byStatus: r.byStatus,
      };
    });
    // In time order up to the shutdown; the shutdown sweep's two entries in either order.
    expect(summary.slice(0, 4)).toEqual([
      { actor: 'ana', ip: '203.0.113.5', failures: 1, byStatus: { 401: 1 } },
      { actor: '*', ip: '203.0.113.5', failures: 1, byStatus: { 429: 1 } },
      { actor: '*', ip: '203.0.113.5', failures: 60, byStatus: { 429: 60 } },
      { actor: '*', ip: '203.0.113.5', failures: 60, byStatus: { 429: 60 } },
    ]);
    expect(summary.slice(4).sort((a, b) => a.failures - b.failures)).toEqual([
      { actor: 'ana', ip: '203.0.113.5', failures: 19, byStatus: { 401: 4, 423: 15 } },
      { actor: '*', ip: '203.0.113.5', failures: 59, byStatus: { 429: 59 } },
    ]);
    expect(summary.reduce((n, s) => n + s.failures, 0)).toBe(200);
    const last = entries.find((e) => e.actor === 'ana' && (e.result as FailedResult).failures === 19)!;
    expect((last.result as FailedResult).window).toEqual({ from: iso(T0 + 1 * SEC), to: iso(T0 + 19 * SEC) });
    const locks = (await c.store.readAudit()).filter((a) => a.action === 'login.locked');
    expect(locks.map((l) => [l.actor, (l.result as { until: string }).until])).toEqual([
      ['ana', iso(T0 + 4 * SEC + 15 * MIN)],
    ]);
  });

  it('200 attempts with 200 different names from one address stay bounded too', async () => {
    // Attempts 0-19: 20 names, one entry each; 20-199: refused for the address, "*" entries as above.
    const c = await freshCase(target, []);
    const clock = { t: T0 };
    const app = await serve(c, { clock });
    for (let i = 0; i < 200; i++) {
      await login(app, `ghost-${i}`, WRONG, '203.0.113.6');
      clock.t += SEC;
    }
    clock.t += MIN;
    await app.close();
    const entries = await failedEntries(c.store);
    expect(entries.length).toBeLessThanOrEqual(24);
    const counts = entries.map((e) => (e.result as FailedResult).failures);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
    expect(entries.filter((e) => e.actor === '*').map((e) => (e.result as FailedResult).failures)).toEqual([
      1, 60, 60, 59,
    ]);
  });

  it('attempts refused by the per-process flood limit are counted in the audit too', async () => {
    const c = await freshCase(target);
    const clock = { t: T0 };
    const app = await serve(c, { clock, loginPerIpPerMinute: 3 });
    const codes = [];
    for (let i = 0; i < 10; i++) codes.push((await login(app, 'ana', WRONG, '203.0.113.9')).statusCode);
    expect(codes).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    clock.t += MIN;
    await app.close();
    const entries = await failedEntries(c.store);
    expect(entries.map((e) => `${e.actor}:${(e.result as FailedResult).failures}`).sort()).toEqual([
      '*:7',
      'ana:1',
      'ana:2',
    ]);
  });

  it('without trustProxy a forged X-Forwarded-For changes nothing', async () => {
    const c = await freshCase(target);
    const clock = { t: T0 };
    const app = await serve(c, { clock });
    for (let i = 0; i < 20; i++)
      expect(
        (await login(app, `ghost-${i}`, WRONG, '10.20.30.40', { 'x-forwarded-for': `203.0.113.${i + 1}` }))
          .statusCode,
      ).toBe(401);
    const r = await login(app, 'ana', PASSWORD, '10.20.30.40', { 'x-forwarded-for': '203.0.113.200' });
    expect(r.statusCode).toBe(429);
    const ips = new Set((await failedEntries(c.store)).map((e) => (e.args as { ip: string }).ip));
    expect([...ips]).toEqual(['10.20.30.40']);
    const ok = await login(app, 'ana', PASSWORD, '10.20.30.41', { 'x-forwarded-proto': 'https' });
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('with trustProxy the proxy-reported client address and protocol are used', async () => {
    const c = await freshCase(target);
    const clock = { t: T0 };
    const app = await serve(c, { clock, trustProxy: ['127.0.0.1'] });
    const proxy = '127.0.0.1';
    for (let i = 0; i < 20; i++)
      expect(
        (
          await login(app, `ghost-${i}`, WRONG, proxy, {
            // What the client sent first is ignored: the proxy appends the address it saw.
            'x-forwarded-for': `198.51.100.${i + 1}, 203.0.113.7`,
          })
        ).statusCode,
      ).toBe(401);
    expect((await login(app, 'ana', PASSWORD, proxy, { 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(
      429,
    );
    const ok = await login(app, 'ana', PASSWORD, proxy, {
      'x-forwarded-for': '203.0.113.8',
      'x-forwarded-proto': 'https',
    });
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['set-cookie'])).toMatch(/; Secure/);
    const plain = await login(app, 'ana', PASSWORD, proxy, { 'x-forwarded-for': '203.0.113.8' });
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/);
    // A client that is not the proxy cannot claim another address or https.
    const direct = await login(app, 'no-one', WRONG, '10.9.9.9', {
      'x-forwarded-for': '203.0.113.99',
      'x-forwarded-proto': 'https',
    });
    expect(direct.statusCode).toBe(401);
    const direct2 = await login(app, 'ana', PASSWORD, '10.9.9.9', { 'x-forwarded-proto': 'https' });
    expect(String(direct2.headers['set-cookie'])).not.toMatch(/Secure/);
    const ips = new Set((await failedEntries(c.store)).map((e) => (e.args as { ip: string }).ip));
    expect([...ips].sort()).toEqual(['10.9.9.9', '203.0.113.7']);
    const audit = await c.store.readAudit();
    expect(audit.filter((a) => a.action === 'login').map((a) => (a.args as { ip: string }).ip)).toEqual([
      '203.0.113.8',
      '203.0.113.8',
      '10.9.9.9',
    ]);
  });

  it('filet user list shows a lock kept in the throttle table', async () => {
    const c = await freshCase(target);
    const app = await serve(c);
    for (let i = 0; i < 5; i++) await login(app, 'ana', WRONG);
    const r = filet([
      'user',
      'list',
      c.dir,
      '--json',
      ...(target.name === 'postgres' ? ['--store', target.store] : []),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; lockedUntil: string | null }[];
    expect(rows).toHaveLength(1);
    expect(Date.parse(rows[0]!.lockedUntil!)).toBeGreaterThan(Date.now() + 14 * MIN);
  });
});

describe('password rule', () => {
  it('refuses short, common, patterned and name-containing passwords, saying why', () => {
    const refused: [string, string | undefined, RegExp][] = [
      ['short-pass1', undefined, /at least 12 characters/],
      ['Tr0ub4dor&3', undefined, /at least 12 characters/],
      ['password1234', undefined, /common/],
      ['Password1234!', undefined, /common/],
      ['P@ssw0rd2024', undefined, /common/],
      ['qwertyuiop12', undefined, /common|sequence/],
      ['iloveyou2024', undefined, /common/],
      ['letmein12345', undefined, /common/],
      ['dragon123456', undefined, /common/],
      ['football1234', undefined, /common/],
      ['welcome12345', undefined, /common/],
      ['2024monkey!!', undefined, /common/],
      ['aaaaaaaaaaaa', undefined, /sequence|repeat/],
      ['abcabcabcabc', undefined, /sequence|repeat/],
      ['123456789012', undefined, /common|sequence|repeat/],
      ['abcdefghijkl', undefined, /sequence|repeat/],
      ['zyxwvutsrqpo', undefined, /sequence|repeat/],
      ['1qaz2wsx3edc', undefined, /common|sequence/],
      ['asdfghjkl;12', undefined, /common|sequence/],
      ['abababab1212', undefined, /sequence|repeat|different characters/],
      ['ana.lopez-secret-2031', 'ana.lopez', /user name/],
      ['Seacole-ANA.LOPEZ-x', 'ana.lopez', /user name/],
    ];
    for (const [pw, user, why] of refused) {
      const msg = checkPasswordStrength(pw, user);
      expect(msg, pw).not.toBeNull();
      expect(msg, pw).toMatch(why);
    }
    const accepted: [string, string | undefined][] = [
      ['correct-horse-battery', 'lead-user'],
      ['e2e-password-long', 'e2e-lead'],
      ['tidal-lantern-quarry', 'ana'],
      ['Vq7#mZ2!rT9x', undefined],
      ['ferry gravel tulip 9', 'ana.lopez'],
    ];
    for (const [pw, user] of accepted) expect(checkPasswordStrength(pw, user), pw).toBeNull();
  });

  it.each(STORE_TARGETS)('filet user add refuses a weak password with the reason ($name)', async (target) => {
    const c = await freshCase(target, []);
    await expect(addUser(c.store, 'cara', 'viewer', 'qwerty123456')).rejects.toThrow(UserError);
    await expect(addUser(c.store, 'cara', 'viewer', 'qwerty123456')).rejects.toThrow(/common/);
    await expect(addUser(c.store, 'cara', 'viewer', 'cara-cara-2031')).rejects.toThrow(/user name/);
    await addUser(c.store, 'cara', 'viewer', 'ochre-willow-stanza');
    expect((await new UserStore(c.store).getUser('cara'))?.role).toBe('viewer');
  });
});

describe('--trust-proxy', () => {
  it('takes addresses, networks or a hop count, and refuses anything else', () => {
    expect(parseTrustProxy('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(typeof parseTrustProxy('1')).toBe('function');
    for (const bad of ['', 'proxy.example', '10.0.0.0/33', '300.1.1.1', '0', 'true'])
      expect(() => parseTrustProxy(bad), bad).toThrow(UserError);
  });
});
