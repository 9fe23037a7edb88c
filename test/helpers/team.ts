import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { addUser } from '../../src/app/users.js';
import { buildServer } from '../../src/server/app.js';
import type { CaseStore } from '../../src/store/case-store.js';
import type { InstalledCase } from '../../src/store/installation-store.js';
import { INSTALLATION_ROLES } from '../../src/store/user-store.js';
import { Workspace } from '../../src/store/workspace.js';
import { inCase } from './case-url.js';
import { loginTo, type TestSession } from './sessions.js';
import { tempDir, type StoreTarget } from './stores.js';

export const TEAM_PASSWORD = 'correct horse battery staple 7';
export const DENIED_403 = { statusCode: 403, error: 'Forbidden', message: 'not permitted, or no such route' };
export const NO_SUCH_CASE = { statusCode: 404, error: 'Not Found', message: 'no such case' };

/**
 * The team the route tests of a workspace use: ada administers the installation; Operation Alder is led by
 * lena, with omar as analyst and vera as viewer; Operation Birch is led by bea (a user of another case).
 * `fill` gives Alder its content before the server starts; everyone but ada is logged in.
 */
export interface ServedTeam {
  ws: Workspace;
  app: FastifyInstance;
  alder: InstalledCase;
  birch: InstalledCase;
  alderStore: CaseStore;
  sessions: Record<string, TestSession>;
  /** `who`'s request to a route of Alder (a path inside the case, or one starting with /api/). */
  call(who: string, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function serveTeam(
  target: StoreTarget,
  prefix: string,
  fill: (alder: { store: CaseStore; dir: string }) => Promise<void>,
): Promise<ServedTeam> {
  const ws = await Workspace.init(join(tempDir(prefix), 'ws'), { store: target.store });
  for (const name of ['ada', 'lena', 'omar', 'vera', 'bea'])
    await addUser(
      ws.installation.scope,
      name,
      name === 'ada' ? 'admin' : 'member',
      TEAM_PASSWORD,
      INSTALLATION_ROLES,
    );
  const alder = await ws.createCase('Operation Alder', 'lena', 'ada');
  const birch = await ws.createCase('Operation Birch', 'bea', 'ada');
  for (const [userName, role] of [
    ['omar', 'analyst'],
    ['vera', 'viewer'],
  ] as const)
    await ws.installation.setMember({
      caseId: alder.id,
      userName,
      role,
      addedAt: Date.now(),
      addedBy: 'lena',
    });
  const opened = (await ws.openCase(alder.id))!;
  await fill({ store: opened.store, dir: opened.dir });
  const app = await buildServer({ workspace: ws, allowedHosts: ['localhost:80'], loginPerIpPerMinute: 1000 });
  const sessions: Record<string, TestSession> = {};
  for (const name of ['lena', 'omar', 'vera', 'bea'])
    sessions[name] = await loginTo(app, name, TEAM_PASSWORD);
  return {
    ws,
    app,
    alder,
    birch,
    alderStore: opened.store,
    sessions,
    call: (who, method, url, body) =>
      app.inject({
        method: method as 'GET',
        url: inCase(alder.id, url),
        headers: { cookie: sessions[who]!.cookie, 'x-csrf-token': sessions[who]!.csrf },
        ...(body !== undefined ? { payload: body as object } : {}),
      }),
    close: async () => {
      await app.close();
      await ws.close();
    },
  };
}
