import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/cli/commands/user.js';
import { buildServer, CSP } from '../src/server/app.js';
import { openCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { ReviewStore } from '../src/store/review-store.js';
import { caseOn, demoRoot as runDemoRoot } from './helpers/demo-case.js';
import { inCase } from './helpers/case-url.js';
import { STORE_TARGETS } from './helpers/stores.js';

/**
 * The web API against a real demo case (synth → ingest → list → match → analyze), on every store: every route
 * for every role, the session and CSRF rules, lockout, headers, and the wellness rules on media.
 */
const PASSWORD = 'correct-horse-battery';
const ROLES = ['lead', 'analyst', 'viewer', 'auditor'] as const;
type Role = (typeof ROLES)[number];

let demoRoot = '';
beforeAll(async () => {
  demoRoot = await runDemoRoot('filet-server-');
}, 300_000);

describe.each(STORE_TARGETS)('web API on $name', (target) => {
  let app: FastifyInstance;
  let store: CaseStore;
  const sessions = {} as Record<Role, { cookie: string; csrf: string }>;
  let known = 0;
  let novel = 0;
  let caseDir = '';

  const call = (
    role: Role | null,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    csrf?: string | null,
  ): Promise<LightMyRequestResponse> => {
    const s = role ? sessions[role] : null;
    const headers: Record<string, string> = {};
    if (s) headers.cookie = s.cookie;
    const token = csrf === undefined ? s?.csrf : csrf;
    if (token) headers['x-csrf-token'] = token;
    return app.inject({
      method,
      url: inCase(store.caseId, url),
      headers,
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  };

  const login = (username: string, password: string, ip = '10.0.0.1') =>
    app.inject({ method: 'POST', url: '/api/session', payload: { username, password }, remoteAddress: ip });

  beforeAll(async () => {
    caseDir = await caseOn(demoRoot, target);
    ({ store } = await openCase(caseDir, { store: target.name === 'postgres' ? target.store : undefined }));
    for (const r of ROLES) await addUser(store, `${r}-user`, r, PASSWORD);
    await addUser(store, 'locked-user', 'analyst', PASSWORD);
    await addUser(store, 'gone-user', 'analyst', PASSWORD);
    // app.inject sends `Host: localhost:80`; a server that is not listening answers only the hosts it is told.
    app = await buildServer({
      caseDir,
      caseStore: store,
      loginPerIpPerMinute: 1000,
      allowedHosts: ['localhost:80'],
    });
    for (const r of ROLES) {
      const res = await login(`${r}-user`, PASSWORD);
      expect(res.statusCode, res.body).toBe(200);
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      sessions[r] = { cookie, csrf: res.json<{ csrfToken: string }>().csrfToken };
    }
    const media = (await call('lead', 'GET', '/media?limit=500')).json<{
      items: { id: number; status: string; present: boolean; mime: string }[];
    }>().items;
    known = media.find((m) => m.status === 'known' && m.present)!.id;
    novel = media.find((m) => m.status === 'novel' && m.present && m.mime.startsWith('image/'))!.id;
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const READ_ROUTES = [
    '/overview',
    '/accounts',
    '/accounts/1',
    '/accounts/1/messages',
    '/accounts/1/timeline',
    '/groups',
    '/groups/1',
    '/groups/1/messages',
    '/chats/1/conversation',
    '/messages/1/conversation',
    '/search?q=hola',
    '/triage',
    '/categories/scheme',
    '/annotations',
    '/annotations/tags',
    '/priority',
    '/network',
    '/media',
    '/merges',
    '/identity/suggestions',
  ];
  const expected: Record<string, Record<Role, number>> = {
    ...Object.fromEntries(
      READ_ROUTES.map((u) => [u, { lead: 200, analyst: 200, viewer: 200, auditor: 403 }]),
    ),
    '/evidence': { lead: 200, analyst: 200, viewer: 200, auditor: 200 },
    '/audit': { lead: 200, analyst: 403, viewer: 403, auditor: 200 },
    '/exports/json': { lead: 200, analyst: 403, viewer: 403, auditor: 403 },
    '/api/session': { lead: 200, analyst: 200, viewer: 200, auditor: 200 },
  };

  it('answers every read route per role as the policy says, and 401 without a session', async () => {
    for (const [url, byRole] of Object.entries(expected)) {
      for (const role of ROLES) {
        const res = await call(role, 'GET', url);
        expect(res.statusCode, `${role} GET ${url}: ${res.body.slice(0, 200)}`).toBe(byRole[role]);
        if (res.statusCode === 403) expect(res.json().message).toBe('not permitted, or no such route');
      }
      const anon = await call(null, 'GET', url);
      expect(anon.statusCode, `anonymous GET ${url}`).toBe(401);
    }
    for (const [m, u] of [
      ['POST', '/media/1/reveal'],
      ['POST', '/merges'],
      ['POST', '/identity/suggestions/accept'],
      ['POST', '/identity/suggestions/reject'],
      ['DELETE', '/api/session'],
      ['GET', '/api/no-such-route'],
      ['GET', `/media/${novel}/thumbnail`],
    ] as const)
      expect((await call(null, m, u, m === 'POST' ? {} : undefined)).statusCode, `${m} ${u}`).toBe(401);
    expect((await call(null, 'GET', '/api/health')).statusCode).toBe(200);
  });

  it('lists page with total, bounds and filters; bad input is a 400 naming the field', async () => {
    const p = (await call('viewer', 'GET', '/accounts?offset=5&limit=3')).json();
    expect(p.items).toHaveLength(3);
    expect(p.offset).toBe(5);
    expect(p.total).toBeGreaterThan(8);
    const all = (await call('viewer', 'GET', '/accounts?limit=500')).json();
    expect(all.items.slice(5, 8).map((x: { id: number }) => x.id)).toEqual(
      p.items.map((x: { id: number }) => x.id),
    );
    // Sorted by score, highest first.
    const scores = all.items.map((x: { score: number | null }) => x.score ?? -1);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    const es = (await call('viewer', 'GET', '/accounts?country=ES&role=distributor')).json();
    expect(es.total).toBeGreaterThan(0);
    for (const a of es.items) {
      expect(a.country).toBe('ES');
      expect(a.roles).toContain('distributor');
    }
    const bad: [string, RegExp][] = [
      ['/accounts?limit=501', /limit must be <= 500/],
      ['/accounts?limit=0', /limit must be >= 1/],
      ['/accounts?offset=-1', /offset must be >= 0/],
      ['/accounts?colour=red', /unknown query parameter "colour"/],
      ['/accounts?role=king', /role must be equal to one of the allowed values/],
      ['/accounts/abc', /params\/id must be integer/],
      ['/network?from=yesterday', /from must match pattern/],
      ['/media?status=shiny', /status/],
    ];
    for (const [u, re] of bad) {
      const r = await call('viewer', 'GET', u);
      expect(r.statusCode, u).toBe(400);
      expect(r.json().message, u).toMatch(re);
    }
    expect((await call('viewer', 'GET', '/accounts/999999')).statusCode).toBe(404);
    const merge = await call('analyst', 'POST', '/merges', { from: 1, into: 2, reason: 'x', extra: 1 });
    expect(merge.statusCode).toBe(400);
    expect(merge.json().message).toMatch(/unknown body property "extra"/);
  });

  it('serves the suspect file, group page and network, and audits the views', async () => {
    const top = (await call('analyst', 'GET', '/accounts?limit=1')).json().items[0];
    const before = (await store.readAudit()).length;
    const file = (await call('analyst', 'GET', `/accounts/${top.id}`)).json();
    expect(file.account.id).toBe(top.id);
    expect(file.roles.length).toBeGreaterThan(0);
    expect(file.roles.some((r: { provenance: unknown[] }) => r.provenance.length > 0)).toBe(true);
    expect(file.groups.length).toBeGreaterThan(0);
    expect(file.timeline.length).toBeGreaterThan(0);
    const g = (await call('analyst', 'GET', `/groups/${file.groups[0].id}`)).json();
    expect(g.members.length).toBeGreaterThan(0);
    const audit = (await store.readAudit()).slice(before);
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ['analyst-user', 'view.account'],
      ['analyst-user', 'view.group'],
    ]);
    const net = (await call('viewer', 'GET', '/network')).json();
    expect(net.nodes.count).toBe(net.nodes.id.length);
    expect(net.edges.count).toBeGreaterThan(0);
    expect(Math.max(...net.edges.source, ...net.edges.target)).toBeLessThan(net.nodes.count);
    const flagged = (await call('viewer', 'GET', '/network?flagged=true')).json();
    expect(flagged.nodes.count).toBeLessThan(net.nodes.count);
    const ov = (await call('viewer', 'GET', '/overview')).json();
    expect(ov.counts.mediaKnown).toBeGreaterThan(0);
    expect(ov.activity.length).toBeGreaterThan(0);
  });

  it('never returns known material as bytes; novel thumbnails are small, gray and blurred', async () => {
    for (const role of ['lead', 'analyst', 'viewer'] as const) {
      const t = await call(role, 'GET', `/media/${known}/thumbnail`);
      expect(t.statusCode).toBe(403);
      expect(t.headers['content-type']).toMatch(/json/);
    }
    const r = await call('lead', 'POST', `/media/${known}/reveal`, {});
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toMatch(/known material/);
    const list = (await call('viewer', 'GET', '/media?status=known')).json();
    expect(JSON.stringify(list)).not.toMatch(/base64|bytes/i);

    const th = await call('viewer', 'GET', `/media/${novel}/thumbnail`);
    expect(th.statusCode).toBe(200);
    expect(th.headers['content-type']).toBe('image/webp');
    const meta = await sharp(th.rawPayload).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(256);
    const stats = await sharp(th.rawPayload).stats();
    const [r0, g0, b0] = stats.channels;
    expect(Math.abs(r0!.mean - g0!.mean) + Math.abs(g0!.mean - b0!.mean)).toBeLessThan(1);
  });

  it('reveals novel media only to roles allowed, and writes an audit entry', async () => {
    expect((await call('viewer', 'POST', `/media/${novel}/reveal`, {})).statusCode).toBe(403);
    expect((await call('auditor', 'POST', `/media/${novel}/reveal`, {})).statusCode).toBe(403);
    const before = (await store.readAudit()).length;
    const r = await call('analyst', 'POST', `/media/${novel}/reveal`, { reason: 'triage' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^image\//);
    const meta = await sharp(r.rawPayload).metadata();
    expect(meta.width).toBeGreaterThan(256);
    const entry = (await store.readAudit()).slice(before).find((a) => a.action === 'media.reveal');
    expect(entry?.actor).toBe('analyst-user');
    expect(entry?.args).toMatchObject({ media: novel, reason: 'triage' });
    expect((await store.verifyAudit()).ok).toBe(true);
  });

  it('requires the CSRF token on state changes', async () => {
    for (const token of [null, 'wrong-token', sessions.viewer.csrf]) {
      const r = await call('analyst', 'POST', `/media/${novel}/review`, { status: 'confirmed' }, token);
      expect(r.statusCode).toBe(403);
      expect(r.json().message).toMatch(/CSRF/);
    }
    const ok = await call('analyst', 'POST', `/media/${novel}/review`, {
      status: 'confirmed',
      note: 'n',
    });
    expect(ok.statusCode).toBe(200);
    expect((await call('viewer', 'POST', `/media/${novel}/review`, { status: 'none' })).statusCode).toBe(403);
    const m = (await call('viewer', 'GET', '/media?review=confirmed')).json();
    expect(m.items.map((x: { id: number }) => x.id)).toContain(novel);
    expect((await store.readAudit()).some((a) => a.action === 'media.review')).toBe(true);
  });

  it('merges identities (analyst, lead), reversibly and audited; viewer cannot', async () => {
    expect(
      (await call('viewer', 'POST', '/merges', { from: 3, into: 4, reason: 'same person' })).statusCode,
    ).toBe(403);
    const m = await call('analyst', 'POST', '/merges', {
      from: 3,
      into: 4,
      reason: 'same number on two devices',
    });
    expect(m.statusCode, m.body).toBe(201);
    const id = m.json().id;
    expect((await call('lead', 'POST', '/merges', { from: 3, into: 5, reason: 'again' })).statusCode).toBe(
      409,
    );
    const file = (await call('analyst', 'GET', '/accounts/4')).json();
    expect(file.identities.map((i: { id: number }) => i.id)).toEqual([4, 3]);
    const hidden = (await call('analyst', 'GET', '/accounts?limit=500')).json();
    expect(hidden.items.map((a: { id: number }) => a.id)).not.toContain(3);
    expect((await call('lead', 'DELETE', `/merges/${id}`)).statusCode).toBe(200);
    expect((await call('lead', 'DELETE', `/merges/${id}`)).statusCode).toBe(409);
    expect((await store.accounts()).find((a) => a.id === 3)!.mergedInto).toBeNull();
    const actions = (await store.readAudit()).map((a) => a.action);
    expect(actions).toContain('identity.merge');
    expect(actions).toContain('identity.unmerge');
  });

  it('accepts and rejects identity suggestions for lead and analyst only, with a validated body', async () => {
    for (const path of ['accept', 'reject']) {
      const url = `/identity/suggestions/${path}`;
      for (const role of ['viewer', 'auditor'] as const) {
        const r = await call(role, 'POST', url, { from: 6, into: 7 });
        expect(r.statusCode, `${role} ${path}`).toBe(403);
        expect(r.json().message).toBe('not permitted, or no such route');
      }
      for (const role of ['lead', 'analyst'] as const) {
        const r = await call(role, 'POST', url, { from: 6, into: 7, by: 'someone else' });
        expect(r.statusCode, `${role} ${path}`).toBe(400);
        expect(r.json().message).toMatch(/unknown body property "by"/);
        expect((await call(role, 'POST', url, { from: 6 })).statusCode).toBe(400);
        expect((await call(role, 'POST', url, { from: 1, into: 99_999_999 })).statusCode).toBe(404);
      }
    }
    // A reject of two accounts of the case keeps them apart, recorded and audited in the analyst's name.
    const before = (await new ReviewStore(store).rejections()).length;
    const r = await call('analyst', 'POST', '/identity/suggestions/reject', {
      from: 6,
      into: 7,
      reason: 'two people',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ by: 'analyst-user', reason: 'two people', undoneAt: null });
    expect((await new ReviewStore(store).rejections()).length).toBe(before + 1);
    const entry = (await store.readAudit()).filter((e) => e.action === 'identity.reject').at(-1)!;
    expect(entry.actor).toBe('analyst-user');
    expect(
      (await call('lead', 'POST', '/identity/suggestions/reject', { from: 7, into: 6 })).statusCode,
    ).toBe(409);
  });

  it('re-verifies evidence (auditor) and shows the audit log with its verification', async () => {
    const v = await call('auditor', 'POST', '/evidence/1/verify');
    expect(v.statusCode).toBe(200);
    expect(v.json().ok).toBe(true);
    expect((await call('viewer', 'POST', '/evidence/1/verify')).statusCode).toBe(403);
    const a = (await call('auditor', 'GET', '/audit?limit=500')).json();
    expect(a.verification.ok).toBe(true);
    expect(a.items.some((e: { action: string }) => e.action === 'evidence.verify')).toBe(true);
    expect(a.total).toBe((await store.readAudit()).length);
  });

  it('exports, referral packages and the report for the lead only, audited', async () => {
    const before = (await store.readAudit()).length;
    for (const f of ['json', 'graphml', 'gexf', 'csv']) {
      const r = await call('lead', 'GET', `/exports/${f}`);
      expect(r.statusCode, f).toBe(200);
      expect(r.headers['content-disposition']).toMatch(/attachment/);
      expect((await call('analyst', 'GET', `/exports/${f}`)).statusCode).toBe(403);
    }
    expect((await call('viewer', 'GET', '/referrals/ES')).statusCode).toBe(403);
    const ref = await call('lead', 'GET', '/referrals/ES');
    expect(ref.statusCode).toBe(200);
    expect(ref.headers['content-type']).toBe('application/zip');
    expect(ref.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await call('lead', 'GET', '/referrals/ZZ')).statusCode).toBe(404);
    expect((await call('lead', 'GET', '/referrals/spain')).statusCode).toBe(400);
    const rep = await call('lead', 'GET', '/report');
    expect(rep.statusCode).toBe(200);
    expect(rep.body).toMatch(/<html/i);
    expect((await call('analyst', 'GET', '/report')).statusCode).toBe(403);
    const actions = (await store.readAudit()).slice(before).map((a) => a.action);
    expect(actions.filter((a) => a === 'referral.download')).toHaveLength(2);
    expect(actions).toContain('report.download');
    expect(
      (await store.readAudit()).slice(before).filter((a) => a.action === 'export.download'),
    ).toHaveLength(4);
  });

  it('sets the security headers and no-store on API responses', async () => {
    for (const r of [await call('viewer', 'GET', '/overview'), await call(null, 'GET', '/overview')]) {
      expect(r.headers['content-security-policy']).toBe(CSP.replace(/; /g, ';'));
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['cache-control']).toBe('no-store');
    }
    const res = await login('viewer-user', PASSWORD);
    const cookie = String(res.headers['set-cookie']);
    // Not listening, so no port: the name carries the server instance's id instead (see the two-server test).
    expect(cookie).toMatch(/^filet_session_[0-9a-f]{8}=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
  });

  it('logs in and out, locks an account after repeated failures, audits both', async () => {
    const bad = await login('nobody', 'whatever-password');
    expect(bad.statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await login('locked-user', 'wrong-password')).statusCode).toBe(401);
    const locked = await login('locked-user', PASSWORD);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().message).toMatch(/locked until/);
    // Failures are audited at most once per (name, address) and minute, as summaries (test/login-abuse.test.ts):
    // within this minute each name has its first failure recorded, the rest are held for the next summary.
    const audit = await store.readAudit();
    const failed = audit.filter((a) => a.action === 'login.failed');
    expect(failed.map((a) => [a.actor, (a.result as { failures: number }).failures])).toEqual([
      ['nobody', 1],
      ['locked-user', 1],
    ]);
    expect(audit.filter((a) => a.action === 'login.locked').map((a) => a.actor)).toEqual(['locked-user']);

    const s = await login('gone-user', PASSWORD);
    const cookie = String(s.headers['set-cookie']).split(';')[0]!;
    const csrf = s.json().csrfToken as string;
    expect((await app.inject({ url: '/api/session', headers: { cookie } })).statusCode).toBe(200);
    const out = await app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(204);
    expect((await app.inject({ url: '/api/session', headers: { cookie } })).statusCode).toBe(401);
    expect((await store.readAudit()).some((a) => a.action === 'logout' && a.actor === 'gone-user')).toBe(
      true,
    );
  });

  it('rate-limits logins per IP', async () => {
    const limited = await buildServer({
      caseDir: join(demoRoot, 'case'),
      caseStore: store,
      loginPerIpPerMinute: 3,
      allowedHosts: ['localhost:80'],
    });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (
            await limited.inject({
              method: 'POST',
              url: '/api/session',
              payload: { username: 'viewer-user', password: 'nope-nope-nope' },
              remoteAddress: '10.9.9.9',
            })
          ).statusCode,
        );
      expect(codes.slice(3)).toEqual([429, 429]);
    } finally {
      await limited.close();
    }
  });
  it('audits message pages, the network and the media list, with the query', async () => {
    const before = (await store.readAudit()).length;
    for (const u of [
      '/accounts/1/messages?offset=2&limit=5',
      '/groups/1/messages?limit=7',
      '/network?flagged=true&country=ES',
      '/media?status=novel&limit=3',
    ])
      expect((await call('viewer', 'GET', u)).statusCode, u).toBe(200);
    const entries = (await store.readAudit()).slice(before);
    expect(entries.map((a) => ({ actor: a.actor, action: a.action, args: a.args }))).toEqual([
      { actor: 'viewer-user', action: 'view.messages', args: { account: 1, offset: 2, limit: 5 } },
      { actor: 'viewer-user', action: 'view.messages', args: { group: 1, offset: 0, limit: 7 } },
      { actor: 'viewer-user', action: 'view.network', args: { flagged: true, country: 'ES' } },
      { actor: 'viewer-user', action: 'view.media', args: { status: 'novel', offset: 0, limit: 3 } },
    ]);
    for (const e of entries) expect(e.result).toMatchObject({ ok: true });
  });

  it('bounds offset at 10,000,000: beyond it is a 400 naming the field, never a 500', async () => {
    const paged: [Role, string][] = [
      ['lead', '/accounts'],
      ['lead', '/accounts/1/messages'],
      ['lead', '/groups'],
      ['lead', '/groups/1/messages'],
      ['lead', '/media'],
      ['lead', '/merges'],
      ['lead', '/evidence'],
      ['auditor', '/audit'],
    ];
    for (const [role, u] of paged) {
      for (const offset of ['10000001', '99999999999999999999', '1e300']) {
        const r = await call(role, 'GET', `${u}?offset=${offset}`);
        expect(r.statusCode, `${u}?offset=${offset}: ${r.body}`).toBe(400);
        expect(r.json().message).toBe('querystring/offset must be <= 10000000');
      }
      const edge = await call(role, 'GET', `${u}?offset=10000000`);
      expect(edge.statusCode, `${u}: ${edge.body}`).toBe(200);
      expect(edge.json().items).toEqual([]);
    }
  });

  it('names the session cookie after the port, so two servers on one host keep their sessions apart', async () => {
    const servers = [
      await buildServer({ caseDir, caseStore: store, loginPerIpPerMinute: 1000 }),
      await buildServer({ caseDir, caseStore: store, loginPerIpPerMinute: 1000 }),
    ];
    try {
      const bases = [];
      for (const s of servers) bases.push(await s.listen({ port: 0, host: '127.0.0.1' }));
      // A browser keeps cookies per host name, whatever the port: one jar for both servers.
      const jar = new Map<string, string>();
      const signIn = async (base: string, username: string) => {
        const r = await fetch(`${base}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: PASSWORD }),
        });
        expect(r.status).toBe(200);
        const [nameValue, ...attrs] = r.headers.getSetCookie()[0]!.split('; ');
        const [name, value] = nameValue!.split('=') as [string, string];
        jar.set(name, value);
        return { name, attrs };
      };
      const a = await signIn(bases[0]!, 'viewer-user');
      const b = await signIn(bases[1]!, 'analyst-user');
      expect(a.name).toBe(`filet_session_${new URL(bases[0]!).port}`);
      expect(b.name).toBe(`filet_session_${new URL(bases[1]!).port}`);
      expect(a.attrs).toContain('Path=/');
      const cookie = [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
      const who = async (base: string) =>
        (
          (await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()) as {
            user: { name: string };
          }
        ).user.name;
      expect(await who(bases[0]!)).toBe('viewer-user');
      expect(await who(bases[1]!)).toBe('analyst-user');
    } finally {
      for (const s of servers) await s.close();
    }
  });

  it('commits a merge, an unmerge and an evidence check together with their audit entry, or not at all', async () => {
    const actor = `audit-refused-${process.pid}`;
    await addUser(store, actor, 'analyst', PASSWORD);
    const res = await login(actor, PASSWORD);
    expect(res.statusCode).toBe(200);
    const s = {
      cookie: String(res.headers['set-cookie']).split(';')[0]!,
      csrf: res.json().csrfToken as string,
    };
    const as = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
      app.inject({
        method,
        url: inCase(store.caseId, url),
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
        ...(payload ? { payload } : {}),
      });
    // The database itself refuses this user's entries for these actions: a real failed append, no mock.
    const trigger = `filet_test_refuse_${process.pid}`;
    const when = `NEW.actor = '${actor}' AND NEW.action IN ('identity.merge', 'identity.unmerge', 'evidence.verify')`;
    if (target.name === 'sqlite')
      await store.db.exec(
        `CREATE TRIGGER ${trigger} BEFORE INSERT ON audit WHEN ${when} BEGIN SELECT RAISE(ABORT, 'audit refused by a test trigger'); END`,
      );
    else {
      await store.db.exec(
        `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused by a test trigger'; END $$`,
      );
      await store.db.exec(
        `CREATE TRIGGER ${trigger} BEFORE INSERT ON audit FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${trigger}()`,
      );
    }
    try {
      const [from, into] = [6, 7];
      const account = async (id: number) => (await store.accounts()).find((a) => a.id === id)!;
      expect((await account(from)).mergedInto).toBeNull();
      expect((await account(into)).mergedInto).toBeNull();
      const generation = await store.generation();
      const merge = await as('POST', '/merges', { from, into, reason: 'audit append refused' });
      expect(merge.statusCode, merge.body).toBe(500);
      expect((await account(from)).mergedInto).toBeNull();
      expect(
        (await new ReviewStore(store).merges()).some((m) => m.from === from && m.undoneAt === null),
      ).toBe(false);
      expect(await store.generation()).toBe(generation);

      const kept = await call('analyst', 'POST', '/merges', { from, into, reason: 'for the unmerge' });
      expect(kept.statusCode).toBe(201);
      const undo = await as('DELETE', `/merges/${kept.json().id}`);
      expect(undo.statusCode, undo.body).toBe(500);
      expect((await account(from)).mergedInto).toBe(into);
      expect(
        (await new ReviewStore(store).merges()).find((m) => m.id === kept.json().id)!.undoneAt,
      ).toBeNull();
      expect((await call('analyst', 'DELETE', `/merges/${kept.json().id}`)).statusCode).toBe(200);

      const checks = async () =>
        Number(
          (await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM evidence_checks WHERE case_id = ?', [
            store.caseId,
          ]))!.n,
        );
      const before = await checks();
      const verify = await as('POST', '/evidence/1/verify');
      expect(verify.statusCode, verify.body).toBe(500);
      expect(await checks()).toBe(before);
      expect((await store.verifyAudit()).ok).toBe(true);
    } finally {
      await store.db.exec(`DROP TRIGGER ${trigger}${target.name === 'postgres' ? ' ON audit' : ''}`);
      if (target.name === 'postgres') await store.db.exec(`DROP FUNCTION ${trigger}()`);
    }
  });

  it('answers the workbench write routes per role as the policy says', async () => {
    const series = (await call('lead', 'GET', '/triage?limit=1')).json<{ items: { id: number }[] }>()
      .items[0]!.id;
    const writes: [string, string, (role: Role) => object, Record<Role, number>][] = [
      ['PUT', '/priority', () => ({ reset: true }), { lead: 200, analyst: 403, viewer: 403, auditor: 403 }],
      [
        'PUT',
        '/categories/scheme',
        () => ({ scheme: 'vics' }),
        { lead: 200, analyst: 403, viewer: 403, auditor: 403 },
      ],
      [
        'POST',
        '/annotations',
        (role) => ({ target: { kind: 'account', id: 1 }, kind: 'tag', text: `matrix ${role}` }),
        { lead: 201, analyst: 201, viewer: 403, auditor: 403 },
      ],
      [
        'POST',
        `/triage/series/${series}/review`,
        () => ({ category: 'cam' }),
        { lead: 200, analyst: 200, viewer: 403, auditor: 403 },
      ],
    ];
    for (const [method, url, body, byRole] of writes)
      for (const role of ROLES) {
        const res = await call(role, method as 'PUT' | 'POST', url, body(role));
        expect(res.statusCode, `${role} ${method} ${url}: ${res.body.slice(0, 200)}`).toBe(byRole[role]);
      }
    for (const role of ROLES) {
      const res = await call(role, 'PUT', '/api/session/language', { language: 'en' });
      expect(res.statusCode, `${role} PUT /api/session/language: ${res.body.slice(0, 200)}`).toBe(200);
    }
  });
});
