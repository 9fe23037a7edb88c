import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/cli/commands/user.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import { analyzeAndSave } from '../src/network/service.js';
import { buildServer } from '../src/server/app.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { REPO } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation } from './helpers/synth-cache.js';
import { inCase } from './helpers/case-url.js';

/**
 * Issue 9: 50 concurrent clients on PostgreSQL for 60 s (FILET_LOAD_SECONDS), over loopback, mixing views,
 * reveals, reviews and merges. No request may hang (each is bounded), every audited request leaves exactly
 * one audit entry (counted per action), and the chain verifies. Latencies go to test-results/load-pg.json.
 */
const pg = STORE_TARGETS.find((t) => t.name === 'postgres');
const SECONDS = Number(process.env.FILET_LOAD_SECONDS ?? 60);
const CLIENTS = 50;
const PASSWORD = 'correct-horse-battery';

describe.skipIf(!pg)('50 concurrent clients on PostgreSQL', () => {
  let app: FastifyInstance;
  let store: CaseStore;
  let base = '';

  beforeAll(async () => {
    const op = await synthOperation(7, 'small');
    const caseDir = join(tempDir('filet-load-'), 'case');
    ({ store } = await initCase(caseDir, { store: pg!.store }));
    for (const d of op.devices.filter((x) =>
      ['D05-ar-android', 'D06-ar-android', 'D02-it-android'].includes(x.label),
    ))
      await ingestPaths(
        store,
        d.files.map((f) => join(op.dir, f)),
        { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
      );
    await importHashList(store, join(op.dir, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
    await matchCase(store, caseDir, {});
    await analyzeAndSave(store, {});
    for (let i = 0; i < 10; i++) await addUser(store, `analyst-${i}`, 'analyst', PASSWORD);
    app = await buildServer({ caseDir, caseStore: store });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it(
    `mixes views, reveals, reviews and merges for ${SECONDS} s without deadlock or lost audit entries`,
    async () => {
      const sessions: { cookie: string; csrf: string }[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await fetch(`${base}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `analyst-${i}`, password: PASSWORD }),
        });
        expect(r.status).toBe(200);
        const cookie = String(r.headers.get('set-cookie')).split(';')[0]!;
        sessions.push({ cookie, csrf: ((await r.json()) as { csrfToken: string }).csrfToken });
      }
      const get = async (s: (typeof sessions)[number], url: string) => {
        const r = await fetch(`${base}${inCase(store.caseId, url)}`, {
          headers: { cookie: s.cookie },
          signal: AbortSignal.timeout(15_000),
        });
        return { status: r.status, body: await r.json().catch(() => null) };
      };
      const send = async (s: (typeof sessions)[number], method: string, url: string, body?: unknown) => {
        const r = await fetch(`${base}${inCase(store.caseId, url)}`, {
          method,
          headers: {
            cookie: s.cookie,
            'x-csrf-token': s.csrf,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(15_000),
        });
        await r.arrayBuffer();
        return r.status;
      };
      const admin = sessions[0]!;
      const accounts = ((await get(admin, '/accounts?limit=500')).body as { items: { id: number }[] }).items;
      const groups = ((await get(admin, '/groups?limit=500')).body as { items: { id: number }[] }).items;
      const media = (
        (await get(admin, '/media?limit=500')).body as {
          items: { id: number; status: string; present: boolean; mime: string | null }[];
        }
      ).items;
      const novel = media.filter((m) => m.status === 'novel' && m.present && m.mime?.startsWith('image/'));
      expect(accounts.length).toBeGreaterThan(2 * CLIENTS);
      expect(novel.length).toBeGreaterThan(0);

      const auditBefore = await store.readAudit();
      const counted: Record<string, number> = {};
      const count = (action: string) => (counted[action] = (counted[action] ?? 0) + 1);
      const latencies: number[] = [];
      const statuses: Record<string, number> = {};
      const deadline = Date.now() + SECONDS * 1000;
      const client = async (c: number) => {
        const s = sessions[c % sessions.length]!;
        // Each client merges its own pair of accounts, so merges do not conflict by design.
        const from = accounts[2 * c]!.id;
        const into = accounts[2 * c + 1]!.id;
        let merge: number | null = null;
        let n = 0;
        while (Date.now() < deadline) {
          const t0 = performance.now();
          const kind = n++ % 6;
          let status = 0;
          if (kind === 0) {
            status = (await get(s, `/accounts/${accounts[(c + n) % accounts.length]!.id}`)).status;
            if (status === 200) count('view.account');
          } else if (kind === 1) {
            status = (await get(s, `/groups/${groups[(c + n) % groups.length]!.id}`)).status;
            if (status === 200) count('view.group');
          } else if (kind === 2) {
            status = await send(s, 'POST', `/media/${novel[(c + n) % novel.length]!.id}/reveal`, {
              reason: 'load test',
            });
            count('media.reveal'); // refusals are audited too
          } else if (kind === 3) {
            status = await send(s, 'POST', `/media/${novel[(c + n) % novel.length]!.id}/review`, {
              status: n % 2 ? 'confirmed' : 'none',
            });
            if (status === 200) count('media.review');
          } else if (kind === 4 && merge === null) {
            const r = await fetch(`${base}${inCase(store.caseId, '/merges')}`, {
              method: 'POST',
              headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
              body: JSON.stringify({ from, into, reason: 'load test merge' }),
              signal: AbortSignal.timeout(15_000),
            });
            status = r.status;
            const b = (await r.json()) as { id?: number };
            if (status === 201) {
              count('identity.merge');
              merge = b.id!;
            }
          } else if (kind === 4 || kind === 5) {
            if (merge !== null) {
              status = await send(s, 'DELETE', `/merges/${merge}`);
              if (status === 200) {
                count('identity.unmerge');
                merge = null;
              }
            } else status = (await get(s, '/overview')).status;
          }
          latencies.push(performance.now() - t0);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      const elapsed = (performance.now() - started) / 1000;

      const after = (await store.readAudit()).slice(auditBefore.length);
      const byAction: Record<string, number> = {};
      for (const e of after) byAction[e.action] = (byAction[e.action] ?? 0) + 1;
      for (const [action, n] of Object.entries(counted)) expect(byAction[action] ?? 0, action).toBe(n);
      expect((await store.verifyAudit()).ok).toBe(true);
      expect(statuses['500'] ?? 0).toBe(0);

      latencies.sort((a, b) => a - b);
      const q = (p: number) =>
        Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
      const result = {
        engine: 'postgres',
        clients: CLIENTS,
        seconds: Math.round(elapsed * 10) / 10,
        requests: latencies.length,
        requestsPerSecond: Math.round(latencies.length / elapsed),
        latencyMs: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: q(1) },
        statuses,
        auditedRequests: counted,
        auditEntries: after.length,
      };
      mkdirSync(join(REPO, 'test-results'), { recursive: true });
      writeFileSync(join(REPO, 'test-results', 'load-pg.json'), JSON.stringify(result, null, 2) + '\n');
      console.log(`[load] ${JSON.stringify(result)}`);
    },
    (SECONDS + 120) * 1000,
  );
});
