import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/cli/commands/user.js';
import { buildServer, routeTable } from '../src/server/app.js';
import { openCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { filet, filetAsync } from './helpers/cli.js';
import { caseOn, demoRoot } from './helpers/demo-case.js';
import { inCase } from './helpers/case-url.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

/**
 * Who can reach what, tried from outside against a real served demo case on every store: every route the
 * server registered (read from the server at run time, so a new route is covered without editing this file),
 * with no session and with each role, spelled every way a client can spell a path on a raw TCP socket
 * (app.inject and fetch normalise the request target, a raw socket does not), with a wrong Host, and without
 * the CSRF token. Expected answers come from the hand-written table below (docs/api.md), never from
 * src/server/policy.ts.
 */
const PASSWORD = 'correct-horse-battery';
const ROLES = ['lead', 'analyst', 'viewer', 'auditor'] as const;
type Role = (typeof ROLES)[number];

/** The documented answers to a request without a valid session, and to one the session may not make. */
const DENIED_401 = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'not logged in (or the session expired)',
};
const DENIED_403 = { statusCode: 403, error: 'Forbidden', message: 'not permitted, or no such route' };
const CSRF_403 = { statusCode: 403, error: 'Forbidden', message: 'missing or invalid CSRF token' };

type Access = 'public' | 'session' | Record<Role, boolean>;
const Y = true;
const N = false;
const reader: Access = { lead: Y, analyst: Y, viewer: Y, auditor: N };
const handler: Access = { lead: Y, analyst: Y, viewer: N, auditor: N };
const leadOnly: Access = { lead: Y, analyst: N, viewer: N, auditor: N };

/** Written from the role table of docs/api.md. */
const ACCESS: Record<string, Access> = {
  'GET /api/health': 'public',
  'POST /api/session': 'public',
  'GET /api/session': 'session',
  'DELETE /api/session': 'session',
  'PUT /api/session/language': 'session',
  'GET /api/cases': 'session',
  'GET /api/cases/:caseId/overview': reader,
  'GET /api/cases/:caseId/accounts': reader,
  'GET /api/cases/:caseId/accounts/:id': reader,
  'GET /api/cases/:caseId/accounts/:id/messages': reader,
  'GET /api/cases/:caseId/accounts/:id/timeline': reader,
  'GET /api/cases/:caseId/groups': reader,
  'GET /api/cases/:caseId/groups/:id': reader,
  'GET /api/cases/:caseId/groups/:id/messages': reader,
  'GET /api/cases/:caseId/chats/:id/conversation': reader,
  'GET /api/cases/:caseId/messages/:id/conversation': reader,
  'GET /api/cases/:caseId/network': reader,
  'GET /api/cases/:caseId/media': reader,
  'GET /api/cases/:caseId/media/:id/thumbnail': reader,
  'GET /api/cases/:caseId/merges': reader,
  'GET /api/cases/:caseId/identity/suggestions': reader,
  'POST /api/cases/:caseId/identity/suggestions/accept': handler,
  'POST /api/cases/:caseId/identity/suggestions/reject': handler,
  'POST /api/cases/:caseId/media/:id/reveal': handler,
  'POST /api/cases/:caseId/media/:id/review': handler,
  'POST /api/cases/:caseId/merges': handler,
  'DELETE /api/cases/:caseId/merges/:id': handler,
  'GET /api/cases/:caseId/evidence': { lead: Y, analyst: Y, viewer: Y, auditor: Y },
  'POST /api/cases/:caseId/evidence/:id/verify': { lead: Y, analyst: Y, viewer: N, auditor: Y },
  'GET /api/cases/:caseId/audit': { lead: Y, analyst: N, viewer: N, auditor: Y },
  'GET /api/cases/:caseId/exports/:format': leadOnly,
  'GET /api/cases/:caseId/referrals/:country': leadOnly,
  'GET /api/cases/:caseId/report': leadOnly,
  'GET /api/cases/:caseId/jobs': reader,
  'GET /api/cases/:caseId/search': reader,
  'GET /api/cases/:caseId/intake/share': leadOnly,
  'POST /api/cases/:caseId/intake/preview': leadOnly,
  'POST /api/cases/:caseId/intake/ingest': leadOnly,
  'POST /api/cases/:caseId/intake/upload': leadOnly,
  'GET /api/cases/:caseId/priority': reader,
  'PUT /api/cases/:caseId/priority': leadOnly,
  'GET /api/cases/:caseId/triage': reader,
  'GET /api/cases/:caseId/triage/series/:id': reader,
  'POST /api/cases/:caseId/triage/series/:id/review': handler,
  'GET /api/cases/:caseId/categories/scheme': reader,
  'PUT /api/cases/:caseId/categories/scheme': leadOnly,
  'GET /api/cases/:caseId/annotations': reader,
  'GET /api/cases/:caseId/annotations/tags': reader,
  'POST /api/cases/:caseId/annotations': handler,
  'PATCH /api/cases/:caseId/annotations/:id': handler,
  'DELETE /api/cases/:caseId/annotations/:id': handler,
  'GET /api/cases/:caseId/keywords': reader,
  'GET /api/cases/:caseId/keywords/hits': reader,
  'POST /api/cases/:caseId/keywords': leadOnly,
  'DELETE /api/cases/:caseId/keywords/:id': leadOnly,
};
/** The UI routes, all public: the SPA index and the built assets. */
const UI_ROUTES = ['GET /', 'GET /index.html', 'GET /assets/:file'];

const allowed = (key: string, role: Role | null): boolean => {
  const a = ACCESS[key];
  if (a === undefined) throw new Error(`no expectation for route ${key}: add it to ACCESS`);
  if (a === 'public') return true;
  if (role === null) return false;
  return a === 'session' || a[role];
};
const stateChanging = (method: string) => !['GET', 'HEAD'].includes(method);

// ---- raw HTTP on a socket ---------------------------------------------------------------------------------

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function rawRequest(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.setTimeout(15_000, () => sock.destroy(new Error(`no answer to ${text.split('\r\n')[0]}`)));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP answer to ${text.split('\r\n')[0]}`));
      const [statusLine, ...lines] = all.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = all.subarray(split + 4);
      if (headers['transfer-encoding'] === 'chunked') {
        const parts: Buffer[] = [];
        let at = 0;
        for (;;) {
          const eol = body.indexOf('\r\n', at);
          const size = parseInt(body.subarray(at, eol).toString(), 16);
          if (!size) break;
          parts.push(body.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') });
    });
    sock.write(text);
  });
}

interface Ask {
  method: string;
  target: string;
  host?: string;
  cookie?: string;
  csrf?: string;
  body?: unknown;
}

// ---- the cases --------------------------------------------------------------------------------------------

let root = '';
beforeAll(async () => {
  root = await demoRoot('filet-security-');
}, 300_000);

describe.each(STORE_TARGETS)('server security on $name', (target) => {
  let app: FastifyInstance;
  let store: CaseStore;
  let caseDir = '';
  let port = 0;
  let host = '';
  let webRoot = '';
  let cookieName = '';
  let novel = 0;
  /** A triage series of the case (its smallest media id): GET …/triage/series/:id answers 200 for it. */
  let series = 0;
  const sessions = {} as Record<Role, { cookie: string; csrf: string }>;
  /** Phone numbers, group subjects and message texts of the case: what must never leak. */
  let secrets: string[] = [];

  const raw = (a: Ask): Promise<RawResponse> => {
    const body = a.body === undefined ? '' : JSON.stringify(a.body);
    const head = [
      `${a.method} ${a.target} HTTP/1.1`,
      `Host: ${a.host ?? host}`,
      'Connection: close',
      ...(a.cookie ? [`Cookie: ${a.cookie}`] : []),
      ...(a.csrf ? [`X-CSRF-Token: ${a.csrf}`] : []),
      ...(a.body !== undefined
        ? ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]
        : []),
    ];
    return rawRequest(port, head.join('\r\n') + '\r\n\r\n' + body);
  };

  const leaked = (body: string): string | undefined => secrets.find((s) => body.includes(s));

  const login = async (username: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { host },
      payload: { username, password: PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    return { cookie, csrf: res.json<{ csrfToken: string }>().csrfToken };
  };

  /** The API routes of the running server, from its own route table. */
  const apiRoutes = () =>
    routeTable(app)
      .filter((r) => r.url.startsWith('/api'))
      .map((r) => ({ method: r.method, url: r.url, key: `${r.method} ${r.url}` }));
  const keyOf = (r: { method: string; url: string }) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;

  /** A request per route that, once allowed, changes nothing: state changes get a body/id the schema refuses. */
  const sample = (r: { method: string; url: string }): { target: string; body?: unknown; ok: number } => {
    if (keyOf(r) === 'DELETE /api/session') return { target: r.url, ok: 204 };
    const fill = (u: string, id: string) =>
      u
        .replace(':caseId', store.caseId)
        .replace(':id', id)
        .replace(':format', 'json')
        .replace(':country', 'ES');
    if (!stateChanging(r.method))
      return {
        target: fill(
          r.url,
          r.url.includes('thumbnail') ? String(novel) : r.url.includes('/series/') ? String(series) : '1',
        ),
        ok: 200,
      };
    if (r.method === 'DELETE') return { target: fill(r.url, 'abc'), ok: 400 };
    return { target: fill(r.url, 'abc'), body: { unknownProperty: 1 }, ok: 400 };
  };

  /** The same path, spelled the ways a router, a proxy or a hook may read differently. */
  const variants = (path: string): [string, string][] => {
    const rest = path.slice('/api/'.length);
    const hex = (c: string) => '%' + c.charCodeAt(0).toString(16);
    return [
      ['encoded a', `/%61pi/${rest}`],
      ['encoded p', `/a%70i/${rest}`],
      ['encoded first letter after /api/', `/api/${hex(rest[0]!)}${rest.slice(1)}`],
      ['double-encoded', `/%2561pi/${rest}`],
      ['absolute-form', `http://${host}${path}`],
      ['absolute-form, localhost', `http://localhost:${port}${path}`],
      ['leading //', `//api/${rest}`],
      ['leading /./', `/./api/${rest}`],
      ['/api/./', `/api/./${rest}`],
      ['/x/../api/', `/x/../api/${rest}`],
      ['semicolon', `${path};x`],
      ['upper case', `/API/${rest}`],
      ['trailing slash', `${path}/`],
      ['encoded NUL', `${path}%00`],
      ['encoded slash', `/api%2F${rest}`],
      ['query only', `${path}?`],
    ];
  };

  beforeAll(async () => {
    caseDir = await caseOn(root, target);
    ({ store } = await openCase(caseDir, { store: target.name === 'postgres' ? target.store : undefined }));
    for (const r of ROLES) await addUser(store, `${r}-user`, r, PASSWORD);
    webRoot = tempDir('filet-security-web-');
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>filet test UI</title>');
    writeFileSync(join(webRoot, 'assets', 'app-test.js'), 'console.log("filet test UI");');
    app = await buildServer({
      caseDir,
      caseStore: store,
      webRoot,
      evidenceRoot: tempDir('filet-security-share-'),
      loginPerIpPerMinute: 100_000,
      auth: { ipMaxFailures: 100_000, maxFailedLogins: 100_000 },
      allowedHosts: ['filet.example.org'],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    host = `127.0.0.1:${port}`;
    for (const r of ROLES) sessions[r] = await login(`${r}-user`);
    cookieName = sessions.lead.cookie.split('=')[0]!;

    const media = await app.inject({
      url: inCase(store.caseId, '/media?limit=500'),
      headers: { host, cookie: sessions.lead.cookie },
    });
    novel = media
      .json<{ items: { id: number; status: string; present: boolean; mime: string }[] }>()
      .items.find((m) => m.status === 'novel' && m.present && m.mime.startsWith('image/'))!.id;
    series = (
      await app.inject({
        url: inCase(store.caseId, '/triage?limit=1'),
        headers: { host, cookie: sessions.lead.cookie },
      })
    ).json<{ items: { id: number }[] }>().items[0]!.id;

    const phones = (await store.accounts()).map((a) => a.phone).filter((p): p is string => !!p);
    const subjects = (await store.chats())
      .map((c) => c.subject)
      .filter((s): s is string => !!s && s.length >= 5);
    const texts = (
      await store.db.all<{ text: string }>(
        'SELECT text FROM messages WHERE case_id = ? AND text IS NOT NULL',
        [store.caseId],
      )
    )
      .map((m) => m.text)
      .filter((t) => t.length >= 12);
    const escaped = (s: string) => JSON.stringify(s).slice(1, -1);
    secrets = [...new Set([...phones, ...subjects, ...texts].flatMap((s) => [s, escaped(s)]))];
    expect(phones.length).toBeGreaterThan(10);
    expect(subjects.length).toBeGreaterThan(3);
    expect(texts.length).toBeGreaterThan(10);
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('registers no route the access table does not know, and the table lists no route the server lacks', () => {
    const registered = new Set(
      apiRoutes()
        .filter((r) => r.method !== 'HEAD')
        .map((r) => r.key),
    );
    expect([...registered].sort()).toEqual(Object.keys(ACCESS).sort());
    const ui = routeTable(app).filter((r) => !r.url.startsWith('/api') && r.method !== 'HEAD');
    expect(ui.map((r) => `${r.method} ${r.url}`).sort()).toEqual([...UI_ROUTES].sort());
    for (const r of routeTable(app)) {
      const key = keyOf(r);
      const isPublic = ACCESS[key] === 'public' || UI_ROUTES.includes(key);
      expect(r.public, key).toBe(isPublic);
      if (!isPublic) expect(r.permission, key).toBeTruthy();
    }
  });

  it('refuses a route registered without a permission or with an unlisted public flag, at startup', async () => {
    const probe = await buildServer({ caseDir, caseStore: store, webRoot });
    try {
      expect(() => probe.get('/api/forgotten', async () => ({ leak: true }))).toThrow(/permission/);
      expect(() =>
        probe.get('/api/also-public', { config: { public: true } }, async () => ({ leak: true })),
      ).toThrow(/PUBLIC_ROUTES/);
      expect(() =>
        probe.post('/api/typo', { config: { permission: 'case.raed' as 'case.read' } }, async () => ({
          leak: true,
        })),
      ).toThrow(/permission/);
    } finally {
      await probe.close();
    }
  });

  it('answers every route without a session with one 401, the same for unknown paths (inject)', async () => {
    const asks: { method: string; url: string; cookie?: string }[] = [];
    for (const r of apiRoutes()) {
      if (allowed(keyOf(r), null)) continue;
      const s = sample(r);
      asks.push({ method: r.method, url: s.target });
      asks.push({ method: r.method, url: s.target, cookie: `${cookieName}=not-a-session` });
      asks.push({
        method: r.method,
        url: s.target,
        cookie: `filet_session=${sessions.lead.cookie.split('=')[1]}`,
      });
    }
    for (const [method, url] of [
      ['GET', '/api/no-such-route'],
      ['POST', '/api/no-such-route'],
      ['GET', '/api'],
      ['GET', '/api/'],
      ['GET', inCase(store.caseId, 'overview/extra')],
      ['PUT', inCase(store.caseId, 'overview')],
      ['PATCH', inCase(store.caseId, 'merges/1')],
      ['OPTIONS', inCase(store.caseId, 'overview')],
      ['DELETE', inCase(store.caseId, 'audit')],
      ['POST', '/'],
    ] as const)
      asks.push({ method, url });
    for (const a of asks) {
      const res = await app.inject({
        method: a.method as 'GET',
        url: a.url,
        headers: { host, ...(a.cookie ? { cookie: a.cookie } : {}) },
      });
      const what = `${a.method} ${a.url}${a.cookie ? ' with ' + a.cookie.split('=')[0] : ''}`;
      expect(res.statusCode, `${what}: ${res.body.slice(0, 200)}`).toBe(401);
      if (a.method !== 'HEAD') expect(res.json(), what).toEqual(DENIED_401);
      expect(res.headers['cache-control'], what).toBe('no-store');
    }
    const health = await app.inject({ url: '/api/health', headers: { host } });
    expect(health.json()).toEqual({ ok: true });
  });

  it('answers each role as the table says; a refused route is indistinguishable from an unknown one (inject)', async () => {
    for (const role of ROLES) {
      for (const r of apiRoutes()) {
        const key = keyOf(r);
        if (ACCESS[key] === 'public') continue;
        const s = sample(r);
        const session = key === 'DELETE /api/session' ? await login(`${role}-user`) : sessions[role];
        const res = await app.inject({
          method: r.method as 'GET',
          url: s.target,
          headers: { host, cookie: session.cookie, 'x-csrf-token': session.csrf },
          ...(s.body !== undefined ? { payload: s.body as object } : {}),
        });
        const what = `${role} ${r.method} ${s.target}: ${res.body.slice(0, 200)}`;
        if (allowed(key, role)) {
          expect(res.statusCode, what).toBe(s.ok);
          if (s.ok === 400) expect(res.json().message, what).not.toMatch(/CSRF|permitted/);
        } else {
          expect(res.statusCode, what).toBe(403);
          if (r.method !== 'HEAD') expect(res.json(), what).toEqual(DENIED_403);
          if (r.method !== 'HEAD') expect(leaked(res.body), what).toBeUndefined();
        }
      }
      for (const [method, url] of [
        ['GET', '/api/no-such-route'],
        ['POST', '/api/no-such-route'],
        ['GET', '/api'],
        ['GET', inCase(store.caseId, 'overview/extra')],
        ['PUT', inCase(store.caseId, 'overview')],
        ['DELETE', inCase(store.caseId, 'audit')],
      ] as const) {
        const res = await app.inject({
          method,
          url,
          headers: { host, cookie: sessions[role].cookie, 'x-csrf-token': sessions[role].csrf },
        });
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403);
        expect(res.json(), `${role} ${method} ${url}`).toEqual(DENIED_403);
      }
    }
  });

  it('raw HTTP: no spelling of a path gets past the session or the role, and no refusal carries case data', async () => {
    const identities: (Role | null)[] = [null, ...ROLES];
    const reached = new Set<string>();
    for (const r of apiRoutes()) {
      const key = keyOf(r);
      if (ACCESS[key] === 'public' || r.method === 'HEAD') continue;
      const s = sample(r);
      for (const who of identities) {
        const session = who ? sessions[who] : undefined;
        // Logging out through a spelling that reaches the route would end the shared session: no CSRF there.
        const csrf = key === 'DELETE /api/session' ? undefined : session?.csrf;
        const ask = (t: string) =>
          raw({ method: r.method, target: t, cookie: session?.cookie, csrf, body: s.body });
        const canonical = await ask(s.target);
        for (const [name, t] of variants(s.target)) {
          const res = await ask(t);
          const what = `${who ?? 'anonymous'} ${r.method} ${t} (${name}): ${res.status} ${res.body.slice(0, 160)}`;
          if (who === null) {
            expect(res.status, what).toBe(401);
            expect(JSON.parse(res.body), what).toEqual(DENIED_401);
          } else if (!allowed(key, who)) {
            expect(res.status, what).toBe(403);
            expect(JSON.parse(res.body), what).toEqual(DENIED_403);
          } else if (res.status === canonical.status) {
            // This route (the router decodes `%61`, drops an absolute-form origin): answered as it is.
            if (res.status === 200) reached.add(name);
          } else if (res.status === 403) {
            // Not this route: an unknown path, answered like a refused one.
            expect(JSON.parse(res.body), what).toEqual(DENIED_403);
          } else if (res.status !== canonical.status) {
            // Another route the role may use (`/api/accounts/` is `/api/accounts/:id` with an empty id).
            expect(res.status, what).toBe(400);
            expect(JSON.parse(res.body).message, what).toMatch(/^params\//);
          }
          expect(res.status, what).toBeLessThan(500);
          if (who === null || !allowed(key, who)) expect(leaked(res.body), what).toBeUndefined();
        }
      }
    }
    // The spellings the router itself resolves to the route, so the gate's decision is what stopped the rest.
    expect([...reached].sort()).toEqual(
      [
        'absolute-form',
        'absolute-form, localhost',
        'encoded a',
        'encoded p',
        'encoded first letter after /api/',
        'query only',
      ].sort(),
    );

    // Targets the router cannot read (bad escape, over-long parameter) are answered like unknown paths.
    const long = 'x'.repeat(120);
    for (const t of [
      '/api/%zz',
      '/%zz',
      inCase(store.caseId, `/accounts/${long}`),
      `/api/no-such/${long}`,
      inCase(store.caseId, `/groups/${long}/messages`),
    ]) {
      const anon = await raw({ method: 'GET', target: t });
      expect(anon.status, t).toBe(401);
      expect(JSON.parse(anon.body), t).toEqual(DENIED_401);
      const lead = await raw({ method: 'GET', target: t, cookie: sessions.lead.cookie });
      expect(lead.status, t).toBe(403);
      expect(JSON.parse(lead.body), t).toEqual(DENIED_403);
      expect((await raw({ method: 'GET', target: t, host: 'evil.example' })).status, t).toBe(421);
    }
  });

  it('raw HTTP: a wrong Host is refused before anything else, a right one is served', async () => {
    const wrong = [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      `127.0.0.2:${port}`,
      `localhost.evil.example:${port}`,
    ];
    const targets = [
      ...apiRoutes()
        .filter((r) => r.method === 'GET')
        .map((r) => sample(r).target),
      '/api/no-such-route',
      '/',
      '/assets/app-test.js',
      '/%61pi/overview',
    ];
    for (const t of targets)
      for (const h of wrong) {
        const res = await raw({ method: 'GET', target: t, host: h, cookie: sessions.lead.cookie });
        const what = `GET ${t} Host: ${h}: ${res.status} ${res.body.slice(0, 120)}`;
        expect(res.status, what).toBe(421);
        expect(leaked(res.body), what).toBeUndefined();
        expect(res.body, what).not.toMatch(/filet test UI/);
      }
    // Two Host fields (RFC 9112 §3.2: refuse), whichever comes first.
    for (const pair of [
      [host, 'evil.example'],
      ['evil.example', host],
    ]) {
      const res = await rawRequest(
        port,
        `GET /api/overview HTTP/1.1\r\nHost: ${pair[0]}\r\nHost: ${pair[1]}\r\nCookie: ${sessions.lead.cookie}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status, pair.join(' + ')).toBe(421);
    }
    // HTTP/1.0 without a Host field.
    expect((await rawRequest(port, 'GET /api/health HTTP/1.0\r\n\r\n')).status).toBe(421);
    // Absolute-form: the target's authority is the host (RFC 9112 §3.2.2), and it is checked too.
    for (const authority of ['evil.example', `127.0.0.1:${port + 1}`]) {
      const res = await raw({
        method: 'GET',
        target: `http://${authority}/api/overview`,
        cookie: sessions.lead.cookie,
      });
      expect(res.status, authority).toBe(421);
      expect(leaked(res.body)).toBeUndefined();
    }
    const merge = await raw({
      method: 'POST',
      target: inCase(store.caseId, '/merges'),
      host: 'evil.example',
      cookie: sessions.lead.cookie,
      csrf: sessions.lead.csrf,
      body: { from: 3, into: 4, reason: 'rebinding' },
    });
    expect(merge.status).toBe(421);
    for (const h of [
      host,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
      'filet.example.org',
      `filet.example.org:${port}`,
    ]) {
      const res = await raw({
        method: 'GET',
        target: inCase(store.caseId, '/overview'),
        host: h,
        cookie: sessions.viewer.cookie,
      });
      expect(res.status, h).toBe(200);
      expect(JSON.parse(res.body).counts.accounts, h).toBeGreaterThan(0);
    }
  });

  it('state-changing routes need the session’s own CSRF token, however the path is spelled', async () => {
    for (const r of apiRoutes()) {
      if (!stateChanging(r.method) || ACCESS[keyOf(r)] === 'public') continue;
      const s = sample(r);
      for (const role of ROLES) {
        if (!allowed(keyOf(r), role)) continue;
        const other = sessions[role === 'lead' ? 'analyst' : 'lead'].csrf;
        for (const csrf of [undefined, 'wrong-token', other, sessions[role].csrf.slice(0, -1)]) {
          for (const t of [s.target, ...variants(s.target).map((v) => v[1])]) {
            const res = await raw({
              method: r.method,
              target: t,
              cookie: sessions[role].cookie,
              csrf,
              body: s.body,
            });
            const what = `${role} ${r.method} ${t} csrf=${csrf}: ${res.status} ${res.body.slice(0, 160)}`;
            expect(res.status, what).toBe(403);
            expect([CSRF_403, DENIED_403], what).toContainEqual(JSON.parse(res.body));
            if (t === s.target) expect(JSON.parse(res.body), what).toEqual(CSRF_403);
          }
        }
      }
    }
    // Still logged in: none of the refused logouts ended a session.
    for (const role of ROLES)
      expect(
        (await raw({ method: 'GET', target: '/api/session', cookie: sessions[role].cookie })).status,
      ).toBe(200);
  });

  it('serves the UI without a session, and never for a path the API could mean', async () => {
    for (const t of ['/', '/index.html', '/groups/3', '/accounts/12?tab=timeline']) {
      const res = await raw({ method: 'GET', target: t });
      expect(res.status, t).toBe(200);
      expect(res.body, t).toMatch(/filet test UI/);
      expect(res.headers['content-type'], t).toMatch(/text\/html/);
    }
    const js = await raw({ method: 'GET', target: '/assets/app-test.js' });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    for (const t of ['/assets/missing.js', '/assets/..%2Findex.html', '/assets/%2e%2e%2f%2e%2e%2fcase.json'])
      expect((await raw({ method: 'GET', target: t })).status, t).toBe(404);
    for (const t of [
      '/API/overview',
      '/%2561pi/overview',
      '//api/overview',
      '/./api/overview',
      '/x/../api',
      '/Api',
      '/api%00',
    ]) {
      const res = await raw({ method: 'GET', target: t });
      expect(res.status, t).toBe(401);
      expect(JSON.parse(res.body), t).toEqual(DENIED_401);
    }
  });

  it('shows an auditor custody metadata only (no paths, notes or content); a lead sees the reader notes', async () => {
    const ask = (role: Role) =>
      app.inject({
        url: inCase(store.caseId, '/evidence?limit=500'),
        headers: { host, cookie: sessions[role].cookie },
      });
    const auditor = await ask('auditor');
    expect(auditor.statusCode).toBe(200);
    expect(leaked(auditor.body)).toBeUndefined();
    const items = auditor.json<{ items: Record<string, unknown>[] }>().items;
    expect(items.length).toBe((await store.listEvidence()).length);
    const custody = [
      'id',
      'sha256',
      'size',
      'kind',
      'device',
      'examiner',
      'acquiredAt',
      'ingestedAt',
      'toolVersion',
      'lastVerification',
    ];
    for (const e of items) expect(Object.keys(e).sort()).toEqual([...custody].sort());

    const lead = await ask('lead');
    const full = lead.json<{ items: { path: string; notes: Record<string, unknown> }[] }>().items;
    expect(full.every((e) => typeof e.path === 'string')).toBe(true);
    expect(full.some((e) => Object.keys(e.notes).length > 0)).toBe(true);
    expect(leaked(lead.body)).toBeDefined();

    // A re-verification that fails names no path (a chat export's file name carries the chat's subject).
    const ev = (await store.listEvidence()).find((e) => e.kind === 'chat-export-zip')!;
    renameSync(ev.path, ev.path + '.moved');
    try {
      const v = await app.inject({
        method: 'POST',
        url: inCase(store.caseId, `/evidence/${ev.id}/verify`),
        headers: { host, cookie: sessions.auditor.cookie, 'x-csrf-token': sessions.auditor.csrf },
      });
      expect(v.statusCode).toBe(200);
      expect(v.json()).toMatchObject({ id: ev.id, ok: false, actual: null });
      expect(v.body).not.toContain(ev.path);
      expect(leaked(v.body)).toBeUndefined();
      const trail = await app.inject({
        url: inCase(store.caseId, '/audit?limit=500&action=evidence.verify'),
        headers: { host, cookie: sessions.auditor.cookie },
      });
      expect(trail.body).not.toContain(ev.path);
    } finally {
      renameSync(ev.path + '.moved', ev.path);
    }
  });
});

describe('filet serve --allowed-host', () => {
  const freePort = () =>
    new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });

  it('answers the named hosts and the listening address, 421 for any other Host', async () => {
    const port = await freePort();
    const child = filetAsync([
      'serve',
      join(root, 'case'),
      '--port',
      String(port),
      '--allowed-host',
      'filet.lab.example',
      '--allowed-host',
      'proxy.example:8443',
    ]);
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('serving')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`filet serve exited (${code}): ${out}`)));
      });
      const health = (h: string) =>
        rawRequest(port, `GET /api/health HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`);
      for (const h of [`127.0.0.1:${port}`, `localhost:${port}`, 'filet.lab.example', 'proxy.example:8443'])
        expect((await health(h)).status, h).toBe(200);
      for (const h of ['evil.example', 'proxy.example:9999', `filet.lab.example.evil.example:${port}`])
        expect((await health(h)).status, h).toBe(421);
    } finally {
      child.kill('SIGTERM');
    }
    const bad = filet(['serve', join(root, 'case'), '--allowed-host', 'https://filet.lab.example/']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--allowed-host/);
  });
});
