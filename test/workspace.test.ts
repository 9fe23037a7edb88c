import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/app/users.js';
import { buildServer } from '../src/server/app.js';
import { initCase, newCaseId, openCase } from '../src/store/case-dir.js';
import { INSTALLATION_ROLES, UserStore } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

const PASSWORD = 'correct horse battery staple 7';

// Regression: base64url ids began with "-" or "_" one time in 32, and the server (which looks up only ids
// that start with a letter or digit) answered such a case "no such case" to its own lead.
it('generates case ids of 12 url-safe characters that start with a letter or digit', () => {
  const ids = Array.from({ length: 20_000 }, () => newCaseId());
  const bad = ids.filter((id) => !/^[A-Za-z0-9][A-Za-z0-9_-]{11}$/.test(id));
  expect(bad).toEqual([]);
  expect(new Set(ids).size).toBe(ids.length);
  // The draw is not biased away from the two symbols elsewhere in the id.
  expect(ids.some((id) => /[-_]/.test(id))).toBe(true);
});

describe.each(STORE_TARGETS)('workspace on $name', (target) => {
  let dir: string;
  let ws: Workspace;

  beforeAll(async () => {
    dir = join(tempDir('filet-ws-'), 'ws');
    ws = await Workspace.init(dir, { store: target.store });
    for (const [name, role] of [
      ['ada', 'admin'],
      ['lena', 'member'],
      ['omar', 'member'],
    ] as const)
      await addUser(ws.installation.scope, name, role, PASSWORD, INSTALLATION_ROLES);
  });
  afterAll(async () => ws?.close());

  it('creates cases, each led by the user named, in the installation log', async () => {
    const a = await ws.createCase('Operation Alder', 'lena', 'ada');
    const b = await ws.createCase('Operation Birch', 'omar', 'ada');
    expect(a.id).not.toBe(b.id);
    expect((await ws.installation.listCases()).map((c) => c.name)).toEqual([
      'Operation Alder',
      'Operation Birch',
    ]);
    expect(await ws.installation.roleIn('lena', a.id)).toBe('lead');
    expect(await ws.installation.roleIn('lena', b.id)).toBeNull();
    expect(await ws.installation.roleIn('omar', b.id)).toBe('lead');
    // The administrator who created them is a member of neither.
    expect(await ws.installation.roleIn('ada', a.id)).toBeNull();
    expect((await ws.installation.leadsOf([a.id, b.id])).get(b.id)).toEqual(['omar']);
    const log = await ws.installation.scope.readAudit();
    expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(['case.create']));
    expect(log.filter((e) => e.action === 'case.create').map((e) => e.actor)).toEqual(['ada', 'ada']);
  });

  it('keeps every case a case of its own: its folder opens as one, its log starts with its genesis', async () => {
    const [a] = await ws.installation.listCases();
    const opened = await ws.openCase(a!.id);
    expect(opened!.store.caseId).toBe(a!.id);
    expect((await opened!.store.getCase())!.name).toBe('Operation Alder');
    expect((await opened!.store.readAudit()).map((e) => e.action)).toEqual(['audit.genesis']);
    // The case's folder is a case folder: the CLI's `filet ingest DIR/cases/ID` opens it.
    const caseFile = JSON.parse(readFileSync(join(dir, a!.folder, 'case.json'), 'utf8'));
    expect(caseFile.caseId).toBe(a!.id);
    if (target.name === 'sqlite') {
      const direct = await openCase(join(dir, a!.folder));
      expect(direct.caseFile.caseId).toBe(a!.id);
      await direct.store.close();
    } else expect(caseFile.store).toEqual({ kind: 'postgres', url: target.store });
    // The installation's own rows are not a case of it.
    expect(await ws.openCase(ws.installation.id)).toBeNull();
    expect(await ws.openCase('no-such-case')).toBeNull();
  });

  it('changes members per case, and refuses what would leave a half-made case', async () => {
    const [a, b] = await ws.installation.listCases();
    expect(
      await ws.installation.setMember({
        caseId: a!.id,
        userName: 'omar',
        role: 'analyst',
        addedAt: 1,
        addedBy: 'lena',
      }),
    ).toBeNull();
    expect(
      await ws.installation.setMember({
        caseId: a!.id,
        userName: 'omar',
        role: 'viewer',
        addedAt: 2,
        addedBy: 'lena',
      }),
    ).toBe('analyst');
    expect((await ws.installation.membershipsOf('omar')).map((m) => [m.caseId, m.role]).sort()).toEqual(
      [
        [a!.id, 'viewer'],
        [b!.id, 'lead'],
      ].sort(),
    );
    expect(await ws.installation.removeMember(a!.id, 'omar')).toBe(true);
    expect(await ws.installation.removeMember(a!.id, 'omar')).toBe(false);

    const before = readdirSync(join(dir, 'cases')).sort();
    await expect(ws.createCase('Operation Cedar', 'nobody', 'ada')).rejects.toThrow(
      /no active user "nobody"/,
    );
    await expect(ws.createCase('Operation Alder', 'lena', 'ada')).rejects.toThrow(/already exists/);
    await expect(ws.createCase('bad/name', 'lena', 'ada')).rejects.toThrow(
      /no control characters or slashes/,
    );
    await new UserStore(ws.installation.scope).disableUser('omar', Date.now());
    await expect(ws.createCase('Operation Cedar', 'omar', 'ada')).rejects.toThrow(/no active user "omar"/);
    expect(readdirSync(join(dir, 'cases')).sort()).toEqual(before);
    expect((await ws.installation.listCases()).length).toBe(2);
  });

  it('reopens with the same installation, cases and members', async () => {
    const again = await Workspace.open(dir, { store: target.store });
    try {
      expect(again.installation.id).toBe(ws.installation.id);
      expect((await again.installation.listCases()).map((c) => c.name)).toEqual([
        'Operation Alder',
        'Operation Birch',
      ]);
      expect(await again.installation.roleIn('lena', (await again.installation.listCases())[0]!.id)).toBe(
        'lead',
      );
    } finally {
      await again.close();
    }
  });

  it('refuses a folder that is not a workspace, or not empty', async () => {
    const other = tempDir('filet-ws-bad-');
    await expect(Workspace.open(other)).rejects.toThrow(/not a filet workspace/);
    await expect(Workspace.init(dir, { store: target.store })).rejects.toThrow(/already exists/);
    expect(existsSync(join(other, 'workspace.json'))).toBe(false);
  });
});

describe('a single case server and installation accounts', () => {
  it('admits only accounts with a role in the case (an installation account in its table is refused)', async () => {
    const { store } = await initCase(join(tempDir('filet-ws-single-'), 'case'));
    try {
      await addUser(store, 'lead1', 'lead', PASSWORD);
      await addUser(store, 'stray', 'member', PASSWORD, INSTALLATION_ROLES);
      const app = await buildServer({
        caseDir: store.caseDir!,
        caseStore: store,
        allowedHosts: ['localhost:80'],
      });
      try {
        const login = (username: string) =>
          app.inject({ method: 'POST', url: '/api/session', payload: { username, password: PASSWORD } });
        expect((await login('lead1')).statusCode).toBe(200);
        const refused = await login('stray');
        expect(refused.statusCode).toBe(401);
        expect(refused.json().message).toBe('invalid username or password');
      } finally {
        await app.close();
      }
    } finally {
      await store.close();
    }
  });
});

describe.each(STORE_TARGETS)('filet workspace on $name', (target) => {
  it('sets up an installation from the command line, each change in its audit log', async () => {
    const dir = join(tempDir('filet-ws-cli-'), 'unit');
    const st = ['--store', target.store];
    const ok = (args: string[], input?: string) => {
      const r = filet(['workspace', ...args], {}, input);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout;
    };
    ok(['init', dir, ...st]);
    ok(['user', 'add', dir, 'ada', '--admin', ...st], `${PASSWORD}\n`);
    ok(['user', 'add', dir, 'lena', ...st], `${PASSWORD}\n`);
    ok(['user', 'add', dir, 'omar', ...st], `${PASSWORD}\n`);
    const made = JSON.parse(
      ok(['case', 'create', dir, 'Operation Alder', '--lead', 'lena', '--json', ...st]),
    );
    ok(['member', 'add', dir, 'Operation Alder', 'omar', '--role', 'analyst', ...st]);
    expect(
      JSON.parse(ok(['member', 'list', dir, made.id, '--json', ...st])).map(
        (m: { user: string; role: string }) => [m.user, m.role],
      ),
    ).toEqual([
      ['lena', 'lead'],
      ['omar', 'analyst'],
    ]);
    // The last lead stays; a role that does not exist is refused; neither changes anything.
    const lastLead = filet(['workspace', 'member', 'remove', dir, 'Operation Alder', 'lena', ...st]);
    expect(lastLead.code).not.toBe(0);
    expect(lastLead.stderr).toMatch(/keeps at least one lead/);
    const badRole = filet(['workspace', 'member', 'add', dir, made.id, 'omar', '--role', 'owner', ...st]);
    expect(badRole.stderr).toMatch(/unknown role "owner"/);
    ok(['member', 'remove', dir, made.id, 'omar', ...st]);
    const users = JSON.parse(ok(['user', 'list', dir, '--json', ...st]));
    expect(users.map((u: { name: string; admin: boolean }) => [u.name, u.admin])).toEqual([
      ['ada', true],
      ['lena', false],
      ['omar', false],
    ]);
    const ws = await Workspace.open(dir, { store: target.store });
    try {
      expect(await ws.installation.roleIn('lena', made.id)).toBe('lead');
      expect(await ws.installation.roleIn('omar', made.id)).toBeNull();
      const log = await ws.installation.scope.readAudit();
      expect(log.map((e) => [e.action, (e.result as { ok?: boolean } | null)?.ok ?? null])).toEqual([
        ['audit.genesis', null],
        ['user.add', true],
        ['user.add', true],
        ['user.add', true],
        ['case.create', true],
        ['member.set', true],
        ['member.remove', false],
        ['member.remove', true],
      ]);
      expect((await ws.installation.scope.verifyAudit()).ok).toBe(true);
    } finally {
      await ws.close();
    }
  }, 120_000);
});
