import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/app/users.js';
import { buildServer } from '../src/server/app.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { INSTALLATION_ROLES, UserStore } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

/**
 * The UI language stored with the account (issue 13 item 9): PUT /api/session/language on a single case's
 * server and on a workspace's, on every store. Valid codes are stored on the user's row and shown by every
 * later session (another browser, another machine); anything else is refused before the store is touched;
 * the change is audited where the account lives. Users and names are synthetic.
 */
const PASSWORD = 'quiet-harbour-lantern-9';

interface Client {
  cookie: string;
  csrf: string;
}

async function login(app: FastifyInstance, name: string): Promise<Client & { body: LightMyRequestResponse }> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username: name, password: PASSWORD },
  });
  expect(r.statusCode, r.body).toBe(200);
  return {
    cookie: String(r.headers['set-cookie']).split(';')[0]!,
    csrf: r.json<{ csrfToken: string }>().csrfToken,
    body: r,
  };
}

function putLanguage(
  app: FastifyInstance,
  c: Client | null,
  payload: unknown,
  withCsrf = true,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (c) headers.cookie = c.cookie;
  if (c && withCsrf) headers['x-csrf-token'] = c.csrf;
  return app.inject({ method: 'PUT', url: '/api/session/language', headers, payload: payload as object });
}

const sessionOf = (app: FastifyInstance, c: Client) =>
  app.inject({ method: 'GET', url: '/api/session', headers: { cookie: c.cookie } });

describe.each(STORE_TARGETS)('the UI language on $name', (target) => {
  describe('a single case server', () => {
    let store: CaseStore;
    let app: FastifyInstance;

    beforeAll(async () => {
      const caseDir = join(tempDir('filet-lang-'), 'case');
      ({ store } = await initCase(caseDir, { store: target.store }));
      await addUser(store, 'ana', 'analyst', PASSWORD);
      await addUser(store, 'bruno', 'viewer', PASSWORD);
      // app.inject sends Host: localhost:80; a server that is not listening answers only configured hosts.
      app = await buildServer({ caseDir, caseStore: store, allowedHosts: ['localhost:80'] });
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
    });

    it('starts unchosen, stores a valid choice with the account, and every later session shows it', async () => {
      const ana = await login(app, 'ana');
      expect(ana.body.json().user).toEqual({ name: 'ana', role: 'analyst', language: null });

      const put = await putLanguage(app, ana, { language: 'es' });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json().user).toEqual({ name: 'ana', role: 'analyst', language: 'es' });
      expect((await sessionOf(app, ana)).json().user.language).toBe('es');
      // Stored on the user's row, not in the session: a new login (another machine) finds it.
      expect((await new UserStore(store).getUser('ana'))!.language).toBe('es');
      const elsewhere = await login(app, 'ana');
      expect(elsewhere.body.json().user.language).toBe('es');

      expect((await putLanguage(app, elsewhere, { language: 'de' })).statusCode).toBe(200);
      expect((await sessionOf(app, ana)).json().user.language).toBe('de');
      // Another user's choice is their own.
      const bruno = await login(app, 'bruno');
      expect(bruno.body.json().user.language).toBeNull();

      // Audited in the case's log (a lone case's accounts live in it), in the user's name.
      const entries = (await store.readAudit({ limit: 1000 })).filter((e) => e.action === 'user.language');
      expect(entries.map((e) => [e.actor, e.args, e.result])).toEqual([
        ['ana', { language: 'es' }, { ok: true }],
        ['ana', { language: 'de' }, { ok: true }],
      ]);
    });

    it('refuses an unknown code (400), a missing CSRF token (403) and no session (401), storing nothing', async () => {
      const ana = await login(app, 'ana');
      expect((await putLanguage(app, ana, { language: 'fr' })).statusCode).toBe(200);
      for (const bad of [
        { language: 'xx' },
        { language: 'EN' },
        { language: 'es-ES' },
        { language: '' },
        {},
      ]) {
        const r = await putLanguage(app, ana, bad);
        expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      }
      expect((await putLanguage(app, ana, { language: 'it', extra: 1 })).statusCode).toBe(400);
      expect((await putLanguage(app, ana, { language: 'it' }, false)).statusCode).toBe(403);
      expect((await putLanguage(app, null, { language: 'it' })).statusCode).toBe(401);
      expect((await sessionOf(app, ana)).json().user.language).toBe('fr');
      expect((await new UserStore(store).getUser('ana'))!.language).toBe('fr');
    });
  });

  describe('a workspace server', () => {
    let ws: Workspace;
    let app: FastifyInstance;
    let caseId = '';

    beforeAll(async () => {
      ws = await Workspace.init(join(tempDir('filet-lang-ws-'), 'ws'), { store: target.store });
      await addUser(ws.installation.scope, 'ada', 'admin', PASSWORD, INSTALLATION_ROLES);
      await addUser(ws.installation.scope, 'lena', 'member', PASSWORD, INSTALLATION_ROLES);
      caseId = (await ws.createCase('Operation Larch (synthetic)', 'lena', 'ada')).id;
      app = await buildServer({
        workspace: ws,
        evidenceRoot: tempDir('filet-lang-share-'),
        allowedHosts: ['localhost:80'],
      });
    });
    afterAll(async () => {
      await app?.close();
      await ws?.close();
    });

    it("stores the choice with the installation's account and audits it in the installation's log", async () => {
      const lena = await login(app, 'lena');
      expect(lena.body.json().user.language).toBeNull();
      expect((await putLanguage(app, lena, { language: 'pt' })).statusCode).toBe(200);
      expect((await login(app, 'lena')).body.json().user.language).toBe('pt');
      expect((await putLanguage(app, lena, { language: 'klingon' })).statusCode).toBe(400);
      expect((await putLanguage(app, lena, { language: 'it' }, false)).statusCode).toBe(403);
      expect((await putLanguage(app, null, { language: 'it' })).statusCode).toBe(401);
      expect((await sessionOf(app, lena)).json().user.language).toBe('pt');

      const inst = await ws.installation.scope.readAudit({ limit: 1000 });
      expect(
        inst.filter((e) => e.action === 'user.language').map((e) => [e.actor, e.args, e.result]),
      ).toEqual([['lena', { language: 'pt' }, { ok: true }]]);
      // Not a change of any case: the case's own log has no such entry.
      const c = (await ws.openCase(caseId))!;
      expect((await c.store.readAudit({ limit: 1000 })).filter((e) => e.action === 'user.language')).toEqual(
        [],
      );
    });
  });
});
