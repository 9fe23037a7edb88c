import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexCase } from '../src/app/cross-case.js';
import { addUser } from '../src/app/users.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import { analyzeAndSave } from '../src/network/service.js';
import { buildServer, routeTable } from '../src/server/app.js';
import type { CaseStore } from '../src/store/case-store.js';
import type { InstalledCase } from '../src/store/installation-store.js';
import { INSTALLATION_ROLES } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation } from './helpers/synth-cache.js';
import { loginTo } from './helpers/sessions.js';

/**
 * Issue 12: one server for every case of a workspace. Users belong to the installation; roles are per case.
 * Every case route is walked (from the server's own route table) as a user of another case, as a user of
 * no case and as the administrator: each gets the same 404 and nothing of the case, not even a count. A
 * member gets what their role in that case allows; membership changes take effect on the next request.
 */
const PASSWORD = 'correct horse battery staple 7';
const NO_SUCH_CASE = { statusCode: 404, error: 'Not Found', message: 'no such case' };
const DENIED_403 = { statusCode: 403, error: 'Forbidden', message: 'not permitted, or no such route' };

// Written from the role table of docs/security-server.md: what an analyst may NOT do in a case.
const ANALYST_REFUSED = new Set([
  'GET /api/cases/:caseId/audit',
  'GET /api/cases/:caseId/exports/:format',
  'GET /api/cases/:caseId/referrals/:country',
  'GET /api/cases/:caseId/report',
  'GET /api/cases/:caseId/members/candidates',
  'PUT /api/cases/:caseId/members/:user',
  'DELETE /api/cases/:caseId/members/:user',
  'GET /api/cases/:caseId/intake/share',
  'POST /api/cases/:caseId/intake/preview',
  'POST /api/cases/:caseId/intake/ingest',
  'POST /api/cases/:caseId/intake/upload',
  'PUT /api/cases/:caseId/priority',
  'PUT /api/cases/:caseId/categories/scheme',
  'POST /api/cases/:caseId/keywords',
  'DELETE /api/cases/:caseId/keywords/:id',
]);

async function fillCase(store: CaseStore, caseDir: string, labels: string[]): Promise<void> {
  const op = await synthOperation(7, 'small');
  for (const d of op.devices.filter((x) => labels.includes(x.label)))
    await ingestPaths(
      store,
      d.files.map((f) => join(op.dir, f)),
      { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
    );
  await importHashList(store, join(op.dir, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
  await matchCase(store, caseDir, {});
  await analyzeAndSave(store, {});
}

describe.each(STORE_TARGETS)('a workspace served on $name', (target) => {
  let ws: Workspace;
  let app: FastifyInstance;
  let alder: InstalledCase;
  let birch: InstalledCase;
  let alderStore: CaseStore;
  /** Phone numbers, subjects and texts of Alder: what must never reach anyone outside it. */
  let secrets: string[] = [];
  const sessions: Record<string, { cookie: string; csrf: string }> = {};

  const login = async (name: string) => {
    sessions[name] = await loginTo(app, name, PASSWORD);
  };
  const call = (
    who: string,
    method: string,
    url: string,
    body?: unknown,
    csrf = true,
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method: method as 'GET',
      url,
      headers: {
        cookie: sessions[who]!.cookie,
        ...(csrf ? { 'x-csrf-token': sessions[who]!.csrf } : {}),
      },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const leaked = (body: string) => secrets.find((s) => body.includes(s));

  const caseRoutes = () =>
    routeTable(app).filter((r) => r.url.startsWith('/api/cases/:caseId') && r.method !== 'HEAD');
  /** A request per route that changes nothing once allowed: state changes get a body/id the schema refuses. */
  const sample = (r: { method: string; url: string }, caseId: string) => {
    const fill = (id: string) =>
      r.url
        .replace(':caseId', caseId)
        .replace(':id', id)
        .replace(':format', 'json')
        .replace(':country', 'ES')
        .replace(':user', 'no-such-user');
    if (r.method === 'GET') return { url: fill('1'), ok: 200 };
    if (r.method === 'DELETE')
      return r.url.endsWith(':user') ? { url: fill('1'), ok: 409 } : { url: fill('abc'), ok: 400 };
    return { url: fill('abc'), body: { unknownProperty: 1 }, ok: 400 };
  };

  beforeAll(async () => {
    const dir = join(tempDir('filet-ws-server-'), 'ws');
    ws = await Workspace.init(dir, { store: target.store });
    for (const [name, role] of [
      ['ada', 'admin'],
      ['lena', 'member'],
      ['omar', 'member'],
      ['bea', 'member'],
      ['nobody', 'member'],
    ] as const)
      await addUser(ws.installation.scope, name, role, PASSWORD, INSTALLATION_ROLES);
    alder = await ws.createCase('Operation Alder', 'lena', 'ada');
    birch = await ws.createCase('Operation Birch', 'bea', 'ada');
    const a = (await ws.openCase(alder.id))!;
    alderStore = a.store;
    await fillCase(a.store, a.dir, ['D05-ar-android', 'D02-it-android']);
    const b = (await ws.openCase(birch.id))!;
    await fillCase(b.store, b.dir, ['D06-ar-android']);
    // Filled without the follow-up: index them as `filet workspace index` does.
    await indexCase(ws, alder.id);
    await indexCase(ws, birch.id);
    await ws.installation.setMember({
      caseId: alder.id,
      userName: 'omar',
      role: 'analyst',
      addedAt: Date.now(),
      addedBy: 'lena',
    });
    app = await buildServer({
      workspace: ws,
      evidenceRoot: tempDir('filet-ws-share-'),
      allowedHosts: ['localhost:80'],
      loginPerIpPerMinute: 1000,
    });
    for (const n of ['ada', 'lena', 'omar', 'bea', 'nobody']) await login(n);

    const phones = (await a.store.accounts()).map((x) => x.phone).filter((p): p is string => !!p);
    const subjects = (await a.store.chats())
      .map((c) => c.subject)
      .filter((s): s is string => !!s && s.length >= 5);
    const texts = (
      await a.store.db.all<{ text: string }>(
        'SELECT text FROM messages WHERE case_id = ? AND text IS NOT NULL',
        [alder.id],
      )
    )
      .map((m) => m.text)
      .filter((t) => t.length >= 12);
    secrets = [...new Set([...phones, ...subjects, ...texts, 'Operation Alder'])];
    expect(phones.length).toBeGreaterThan(5);
    expect(texts.length).toBeGreaterThan(10);
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await ws?.close();
  });

  it('lists in the session only the cases one is a member of, with the permissions there', async () => {
    const s = (await call('omar', 'GET', '/api/session')).json();
    expect(s.cases).toEqual([
      expect.objectContaining({ id: alder.id, name: 'Operation Alder', role: 'analyst' }),
    ]);
    expect(s.installation.permissions).toEqual(['session']);
    expect((await call('nobody', 'GET', '/api/cases')).json()).toEqual({ items: [] });
    // The administrator created both cases and is a member of neither.
    const admin = (await call('ada', 'GET', '/api/session')).json();
    expect(admin.cases).toEqual([]);
    expect(admin.installation.permissions).toContain('installation.admin');
    const lena = (await call('lena', 'GET', '/api/cases')).json();
    expect(lena.items.map((c: { name: string; role: string }) => [c.name, c.role])).toEqual([
      ['Operation Alder', 'lead'],
    ]);
  });

  it('answers every case route with the same 404 to a user of another case, of no case and to the admin', async () => {
    const routes = caseRoutes();
    // Every case route of issue 12's list is there, the team routes included.
    expect(routes.length).toBeGreaterThanOrEqual(28);
    const before = (await alderStore.readAudit()).length;
    for (const who of ['bea', 'nobody', 'ada']) {
      for (const r of routes) {
        const s = sample(r, alder.id);
        for (const csrf of [true, false]) {
          const res = await call(who, r.method, s.url, s.body, csrf);
          const what = `${who} ${r.method} ${s.url}: ${res.body.slice(0, 200)}`;
          expect(res.statusCode, what).toBe(404);
          expect(res.json(), what).toEqual(NO_SUCH_CASE);
          expect(leaked(res.body), what).toBeUndefined();
        }
      }
    }
    // A case that does not exist answers the same, so the 404 says nothing about which ids exist.
    for (const id of ['no-such-case', birch.id.replace(/.$/, (c) => (c === '0' ? '1' : '0'))]) {
      const res = await call('lena', 'GET', `/api/cases/${id}/overview`);
      expect(res.json()).toEqual(NO_SUCH_CASE);
    }
    // Nothing was read, so nothing was written to the case's log either.
    expect((await alderStore.readAudit()).length).toBe(before);
  });

  it("gives a member what their role in that case allows, and nothing of a case they're not in", async () => {
    for (const r of caseRoutes()) {
      const key = `${r.method} ${r.url}`;
      const s = sample(r, alder.id);
      const res = await call('omar', r.method, s.url, s.body);
      const what = `omar ${key}: ${res.body.slice(0, 200)}`;
      if (ANALYST_REFUSED.has(key)) {
        expect(res.statusCode, what).toBe(403);
        expect(res.json(), what).toEqual(DENIED_403);
      } else expect(res.statusCode, what).toBe(s.ok === 409 ? 403 : s.ok);
      // The same route in Birch, where omar has no role.
      const other = await call('omar', r.method, sample(r, birch.id).url, s.body);
      expect(other.json(), `omar in Birch ${key}`).toEqual(NO_SUCH_CASE);
    }
    // A lead's reads of their own case work, and land in that case's log under their name.
    const ov = await call('lena', 'GET', `/api/cases/${alder.id}/accounts/1`);
    expect(ov.statusCode, ov.body).toBe(200);
    const last = (await alderStore.readAudit()).at(-1)!;
    expect([last.actor, last.action]).toEqual(['lena', 'view.account']);
  });

  it('lets a lead add and remove members, effective at the next request, audited in the installation log', async () => {
    const url = `/api/cases/${alder.id}/overview`;
    expect((await call('nobody', 'GET', url)).statusCode).toBe(404);
    const add = await call('lena', 'PUT', `/api/cases/${alder.id}/members/nobody`, { role: 'viewer' });
    expect(add.statusCode, add.body).toBe(200);
    expect(add.json().items.map((m: { user: string; role: string }) => `${m.user}:${m.role}`)).toEqual([
      'lena:lead',
      'nobody:viewer',
      'omar:analyst',
    ]);
    const seen = await call('nobody', 'GET', url);
    expect(seen.statusCode, seen.body).toBe(200);
    expect((await call('nobody', 'GET', `/api/cases/${alder.id}/audit`)).statusCode).toBe(403);
    // An analyst cannot change the team; the lead removes the viewer, who is out at once.
    expect((await call('omar', 'DELETE', `/api/cases/${alder.id}/members/nobody`)).statusCode).toBe(403);
    expect((await call('lena', 'DELETE', `/api/cases/${alder.id}/members/nobody`)).statusCode).toBe(200);
    expect((await call('nobody', 'GET', url)).json()).toEqual(NO_SUCH_CASE);
    // The last lead stays: refused with the rule, and the refusal is in the log too.
    const self = await call('lena', 'DELETE', `/api/cases/${alder.id}/members/lena`);
    expect(self.statusCode).toBe(409);
    expect(self.json().message).toBe('a case keeps at least one lead');
    const mine = (await ws.installation.scope.readAudit())
      .filter((e) => e.actor === 'lena' && e.action.startsWith('member.'))
      .map((e) => [e.action, (e.args as { user: string }).user, (e.result as { ok: boolean }).ok]);
    expect(mine).toEqual([
      ['member.set', 'nobody', true],
      ['member.remove', 'nobody', true],
      ['member.remove', 'lena', false],
    ]);
    expect(await ws.installation.roleIn('lena', alder.id)).toBe('lead');
  });

  it('lets the administrator create users and cases and name leads, never enter a case', async () => {
    for (const [m, u, body] of [
      ['GET', '/api/installation/cases', undefined],
      ['GET', '/api/installation/users', undefined],
      ['POST', '/api/installation/cases', { name: 'Operation Cedar', lead: 'nobody' }],
      ['POST', '/api/installation/users', { name: 'mallory', password: PASSWORD }],
    ] as const) {
      const res = await call('lena', m, u, body);
      expect(res.statusCode, `lena ${m} ${u}`).toBe(403);
      expect(res.json()).toEqual(DENIED_403);
    }
    const listed = (await call('ada', 'GET', '/api/installation/cases')).json();
    expect(listed.items.map((c: { name: string; leads: string[] }) => [c.name, c.leads])).toEqual([
      ['Operation Alder', ['lena']],
      ['Operation Birch', ['bea']],
    ]);
    // Names and leads only: no counts, no content.
    expect(leaked(JSON.stringify(listed).replace('Operation Alder', ''))).toBeUndefined();
    expect(Object.keys(listed.items[0]).sort()).toEqual(['createdAt', 'createdBy', 'id', 'leads', 'name']);

    const made = await call('ada', 'POST', '/api/installation/users', { name: 'cora', password: PASSWORD });
    expect(made.statusCode, made.body).toBe(201);
    const weak = await call('ada', 'POST', '/api/installation/users', { name: 'dan', password: 'password' });
    expect(weak.statusCode).toBe(409);
    const created = await call('ada', 'POST', '/api/installation/cases', {
      name: 'Operation Cedar',
      lead: 'cora',
    });
    expect(created.statusCode, created.body).toBe(201);
    const cedar = created.json<{ id: string }>().id;
    const dup = await call('ada', 'POST', '/api/installation/cases', {
      name: 'Operation Cedar',
      lead: 'cora',
    });
    expect(dup.statusCode).toBe(409);
    expect((await call('ada', 'GET', `/api/cases/${cedar}/overview`)).json()).toEqual(NO_SUCH_CASE);
    await login('cora');
    expect(
      (await call('cora', 'GET', '/api/cases')).json().items.map((c: { name: string }) => c.name),
    ).toEqual(['Operation Cedar']);
    expect((await call('cora', 'GET', `/api/cases/${cedar}/overview`)).statusCode).toBe(200);
    // The admin names a second lead; the new lead sees the case from their next request.
    const named = await call('ada', 'PUT', `/api/installation/cases/${cedar}/leads/bea`);
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json().leads).toEqual(['bea', 'cora']);
    expect((await call('bea', 'GET', `/api/cases/${cedar}/members`)).statusCode).toBe(200);
    // The password never reaches the log.
    const log = JSON.stringify(await ws.installation.scope.readAudit());
    expect(log).not.toContain(PASSWORD);
    expect(log).toContain('"case.create"');
  });

  it('says where else an account is: a link into a case one is a member of, only the leads otherwise', async () => {
    const a = (await ws.openCase(alder.id))!.store;
    const b = (await ws.openCase(birch.id))!.store;
    const inBirch = new Map(
      (await b.accounts()).filter((x) => x.phone && !x.mergedInto).map((x) => [x.phone!, x.id]),
    );
    const shared = (await a.accounts()).find((x) => x.phone && !x.mergedInto && inBirch.has(x.phone))!;
    expect(shared).toBeDefined();
    const url = `/api/cases/${alder.id}/accounts/${shared.id}/elsewhere`;
    const notice = await call('omar', 'GET', url);
    expect(notice.statusCode, notice.body).toBe(200);
    expect(notice.json()).toEqual({ links: [], notices: [{ leads: ['bea'] }] });
    expect(notice.body).not.toContain(birch.id);
    expect(notice.body).not.toContain('Operation Birch');
    // A member of both cases gets the link to the same person in the other case.
    await addUser(ws.installation.scope, 'both', 'member', PASSWORD, INSTALLATION_ROLES);
    for (const c of [alder.id, birch.id])
      await ws.installation.setMember({
        caseId: c,
        userName: 'both',
        role: 'viewer',
        addedAt: Date.now(),
        addedBy: 'ada',
      });
    await login('both');
    const linked = (await call('both', 'GET', url)).json();
    expect(linked.notices).toEqual([]);
    expect(linked.links).toEqual([
      expect.objectContaining({
        caseId: birch.id,
        caseName: 'Operation Birch',
        account: inBirch.get(shared.phone!),
      }),
    ]);
    expect(linked.links[0].via.map((v: { kind: string }) => v.kind)).toContain('phone');
    // Asked of a case one is not in: the same 404 as any of its routes.
    expect((await call('bea', 'GET', url)).json()).toEqual(NO_SUCH_CASE);
    const last = (await a.readAudit()).at(-1)!;
    expect([last.actor, last.action]).toEqual(['both', 'view.account.elsewhere']);
  });
});
