import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/app/users.js';
import { buildServer } from '../src/server/app.js';
import type { InstalledCase } from '../src/store/installation-store.js';
import { INSTALLATION_ROLES } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { synthesize } from '../src/synth/index.js';
import type { DeviceEntry } from '../src/synth/truth.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { loginTo } from './helpers/sessions.js';

/**
 * Issue 12, intake in the web app: a lead browses the evidence share, previews a container (devices,
 * owners, the secrets it needs), ingests it; or uploads a chat export under the size limit. Nothing outside
 * the share is read, whatever the path; only a lead may do it; a stranger gets "no such case".
 */
const PASSWORD = 'correct horse battery staple 7';
const NO_SUCH_CASE = { statusCode: 404, error: 'Not Found', message: 'no such case' };

let shareRoot = '';
let outside = '';
let devices: DeviceEntry[] = [];
const container = (kind: string) => {
  const d = devices.find((x) => x.containers?.some((c) => c.kind === kind))!;
  return { device: d, ...d.containers!.find((c) => c.kind === kind)! };
};

beforeAll(async () => {
  const work = tempDir('filet-intake-http-');
  shareRoot = join(work, 'share');
  await synthesize({ out: shareRoot, seed: 7, scale: 'small', containers: true });
  devices = JSON.parse(readFileSync(join(shareRoot, 'devices.json'), 'utf8')) as DeviceEntry[];
  outside = join(work, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'chat.txt'), '01/02/2026, 10:00 - +34 600 000 001: SYNTHETIC outside\n');
  symlinkSync(outside, join(shareRoot, 'link-out'));
  symlinkSync(join(outside, 'chat.txt'), join(shareRoot, 'chat-link.txt'));
}, 600_000);

describe.each(STORE_TARGETS)('intake over HTTP on $name', (target) => {
  let ws: Workspace;
  let app: FastifyInstance;
  let alder: InstalledCase;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};

  const call = (
    who: string,
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { cookie: sessions[who]!.cookie, 'x-csrf-token': sessions[who]!.csrf, ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const at = (p: string) => `/api/cases/${alder.id}${p}`;

  beforeAll(async () => {
    ws = await Workspace.init(join(tempDir('filet-intake-ws-'), 'ws'), { store: target.store });
    for (const [name, role] of [
      ['lena', 'member'],
      ['omar', 'member'],
      ['bea', 'member'],
    ] as const)
      await addUser(ws.installation.scope, name, role, PASSWORD, INSTALLATION_ROLES);
    alder = await ws.createCase('Operation Alder', 'lena', 'lena');
    await ws.createCase('Operation Birch', 'bea', 'bea');
    await ws.installation.setMember({
      caseId: alder.id,
      userName: 'omar',
      role: 'analyst',
      addedAt: Date.now(),
      addedBy: 'lena',
    });
    app = await buildServer({
      workspace: ws,
      evidenceRoot: shareRoot,
      allowedHosts: ['localhost:80'],
      loginPerIpPerMinute: 1000,
    });
    for (const n of ['lena', 'omar', 'bea']) {
      sessions[n] = await loginTo(app, n, PASSWORD);
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ws?.close();
  });

  it('lists the share for a lead, links marked refused; an analyst gets 403, another case 404', async () => {
    const root = await call('lena', 'GET', at('/intake/share'));
    expect(root.statusCode, root.body).toBe(200);
    const entries = root.json<{ entries: { name: string; kind: string }[] }>().entries;
    expect(entries.find((e) => e.name === 'link-out')?.kind).toBe('refused');
    expect(entries.find((e) => e.name === 'chat-link.txt')?.kind).toBe('refused');
    expect(entries.find((e) => e.name === 'devices.json')?.kind).toBe('file');
    expect((await call('omar', 'GET', at('/intake/share'))).statusCode).toBe(403);
    expect((await call('bea', 'GET', at('/intake/share'))).json()).toEqual(NO_SUCH_CASE);
  });

  it('refuses every path that leads outside the share, and records the refusal', async () => {
    for (const path of ['../outside/chat.txt', '/etc/passwd', 'link-out/chat.txt', 'chat-link.txt', 'a\\b']) {
      const list = await call('lena', 'GET', at(`/intake/share?path=${encodeURIComponent(path)}`));
      expect(list.statusCode, `list ${path}: ${list.body}`).toBe(400);
      for (const route of ['/intake/preview', '/intake/ingest']) {
        const r = await call('lena', 'POST', at(route), { paths: [path] });
        expect(r.statusCode, `${route} ${path}: ${r.body}`).toBe(400);
        expect(r.body).not.toContain('SYNTHETIC outside');
      }
    }
    const c = (await ws.openCase(alder.id))!;
    expect((await c.store.counts()).messages).toBe(0);
    const refused = (await c.store.readAudit()).filter(
      (e) => e.action === 'ingest' && (e.result as { ok: boolean }).ok === false,
    );
    expect(refused.length).toBe(5);
  });

  it('previews a container (devices and owners, nothing written), then ingests it', async () => {
    const ffs = container('android-full-file-system-zip');
    const c = (await ws.openCase(alder.id))!;
    const before = (await c.store.counts()).messages;
    const p = await call('lena', 'POST', at('/intake/preview'), { paths: [ffs.path] });
    expect(p.statusCode, p.body).toBe(200);
    const view = p.json<{ devices: { instances: { owner?: { number: string } }[] }[] }>();
    // devices.json is the generator's own truth about whose phone it is.
    expect(view.devices.map((d) => d.instances.map((i) => i.owner?.number))).toEqual([[ffs.device.owner]]);
    expect((await c.store.counts()).messages).toBe(before);

    const r = await call('lena', 'POST', at('/intake/ingest'), { paths: [ffs.path], match: false });
    expect(r.statusCode, r.body).toBe(200);
    const out = r.json<{ outcomes: { status: string }[] }>();
    expect(out.outcomes.map((o) => o.status)).toEqual(['ingested']);
    expect((await c.store.counts()).messages).toBeGreaterThan(0);
    // The workspace's cross-case index took the new item's phone numbers at once.
    const phones = await ws.installation.scope.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM crosscase_keys WHERE case_id = ? AND member_case = ? AND kind = 'phone'",
      [ws.installation.id, alder.id],
    );
    expect(Number(phones!.n)).toBeGreaterThan(0);
    // The analyst now reads the case's suspects.
    const acc = await call('omar', 'GET', at('/accounts'));
    expect(acc.json<{ total: number }>().total).toBeGreaterThan(0);
  });

  it('uploads a chat export under the limit (the same bytes once), refuses more, then ingests the upload', async () => {
    const exp = devices.flatMap((d) => d.files).find((f) => f.endsWith('.txt') || f.endsWith('.zip'))!;
    const bytes = readFileSync(join(shareRoot, exp));
    const name = exp.split('/').pop()!;
    const up = (b: Buffer, n = name) =>
      call('lena', 'POST', at(`/intake/upload?name=${encodeURIComponent(n)}`), b, {
        'content-type': 'application/octet-stream',
      });
    const first = await up(bytes);
    expect(first.statusCode, first.body).toBe(201);
    const sha = first.json<{ sha256: string }>().sha256;
    const again = await up(bytes);
    expect([again.statusCode, again.json().sha256, again.json().existed]).toEqual([200, sha, true]);
    expect((await call('omar', 'POST', at(`/intake/upload?name=x.txt`))).statusCode).toBe(403);
    // More than 64 MiB: refused, nothing left behind.
    const c = (await ws.openCase(alder.id))!;
    const uploads = join(c.dir, 'evidence-uploads');
    const big = Buffer.alloc(64 * 1024 * 1024 + 1, 0x41);
    const tooBig = await up(big, 'big.txt');
    expect(tooBig.statusCode).toBe(413);
    expect(readdirSync(uploads).sort()).toEqual([sha]);

    const r = await call('lena', 'POST', at('/intake/ingest'), { uploads: [sha], match: false });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<{ outcomes: { status: string }[] }>().outcomes.map((o) => o.status)).toEqual(['ingested']);
  });

  it('takes a crypt15 key and an iTunes password from the form and records neither', async () => {
    const key = 'ab'.repeat(32);
    const crypt = container('android-crypt15');
    const r = await call('lena', 'POST', at('/intake/preview'), {
      paths: [crypt.path.replace(/\/Android\/media\/.*$/, '')],
      secrets: { key, backupPassword: 'not-the-real-password-42' },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).not.toContain(key);
    const c = (await ws.openCase(alder.id))!;
    const log = JSON.stringify(await c.store.readAudit());
    expect(log).not.toContain(key);
    expect(log).not.toContain('not-the-real-password-42');
    expect(log).toContain('"secretsGiven":["key","backupPassword"]');
  });

  it('queues a container as jobs when the server has a queue; they run, and nothing is counted twice', async () => {
    // A server with the job queue, as `filet serve` runs it (embedded: it works the jobs itself; on
    // PostgreSQL pg-boss delivers them, here to a worker in this server's process).
    const queued = await buildServer({
      workspace: ws,
      evidenceRoot: shareRoot,
      jobs: { worker: true },
      allowedHosts: ['localhost:80'],
      loginPerIpPerMinute: 1000,
    });
    try {
      const r0 = await queued.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: 'lena', password: PASSWORD },
      });
      const s = {
        cookie: String(r0.headers['set-cookie']).split(';')[0]!,
        csrf: r0.json().csrfToken as string,
      };
      const ask = (method: string, url: string, body?: unknown) =>
        queued.inject({
          method: method as 'GET',
          url,
          headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
          ...(body !== undefined ? { payload: body as object } : {}),
        });
      const birch = (await ws.installation.caseByName('Operation Birch'))!;
      await ws.installation.setMember({
        caseId: birch.id,
        userName: 'lena',
        role: 'lead',
        addedAt: Date.now(),
        addedBy: 'bea',
      });
      const zip = container('android-full-file-system-zip');
      const r = await ask('POST', `/api/cases/${birch.id}/intake/ingest`, { paths: [zip.path] });
      expect(r.statusCode, r.body).toBe(202);
      expect(r.json<{ jobs: number[] }>().jobs.length).toBe(1);
      // The same container twice: the second job finds its artifact ingested already.
      expect(
        (await ask('POST', `/api/cases/${birch.id}/intake/ingest`, { paths: [zip.path] })).statusCode,
      ).toBe(202);
      let jobs: { kind: string; state: string; error: string | null }[] = [];
      const deadline = Date.now() + 240_000;
      while (Date.now() < deadline) {
        jobs = (await ask('GET', `/api/cases/${birch.id}/jobs`)).json<{ jobs: typeof jobs }>().jobs;
        if (jobs.length >= 3 && jobs.every((j) => j.state === 'done' || j.state === 'failed')) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      expect(
        jobs.filter((j) => j.state !== 'done'),
        JSON.stringify(jobs),
      ).toEqual([]);
      expect(jobs.filter((j) => j.kind === 'ingest').length).toBe(2);
      const b = (await ws.openCase(birch.id))!.store;
      // The container's one WhatsApp database, once (devices.json: the generator's truth about what it holds).
      const ingested = (await b.listEvidence()).filter((e) => e.path.endsWith(zip.path));
      expect(ingested.map((e) => e.kind)).toEqual(['android-msgstore']);
      expect((await b.counts()).messages).toBeGreaterThan(0);
      // One audit entry per artifact ingested, and the queueing itself.
      const log = await b.readAudit();
      expect(log.filter((e) => e.action === 'intake.queue').length).toBe(2);
    } finally {
      await queued.close();
    }
  }, 300_000);
});
