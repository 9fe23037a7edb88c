/**
 * An analyst's decisions on identity suggestions, on every store: reject (the pair is gone from the
 * suggestions and resolve never merges it, even at support 1), accept (a merge by the analyst carrying the
 * suggestion's reasons, audited, undone by split), contradictions refused; through the CLI and through the
 * HTTP routes, which share the application-service functions of src/app/identity-suggestions.ts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/cli/commands/user.js';
import { buildServer } from '../src/server/app.js';
import { openCase } from '../src/store/case-dir.js';
import { ReviewStore } from '../src/store/review-store.js';
import { filet } from './helpers/cli.js';
import { makeIdentityCase } from './helpers/identity-case.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { inCase } from './helpers/case-url.js';

const root = tempDir('filet-iddec-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface View {
  unambiguous: { from: { id: number; key: string }; into: { id: number; key: string }; support: number }[];
  suggestions: { from: { id: number; key: string }; into: { id: number; key: string }; support: number }[];
  contradictions: { identity: string }[];
}
const pairs = (xs: View['suggestions']) => xs.map((c) => `${c.from.key} → ${c.into.key}`);

describe.each(STORE_TARGETS)('accept and reject identity suggestions on $name', ({ name, store }) => {
  it('CLI: a rejected pair is not suggested nor resolved; an accepted one is merged, audited, and split restores it', async () => {
    const kase = join(root, `cli-${name}`);
    makeIdentityCase(root, kase, store);
    const view = () => JSON.parse(filet(['identity', 'suggestions', kase, '--json']).stdout) as View;
    const before = view();
    // Camila's four units merged her at ingest (filet's automatic resolution); the rest are left.
    expect(pairs(before.unambiguous)).toEqual([]);
    expect(
      (JSON.parse(filet(['identity', 'list', kase, '--json']).stdout) as { by: string }[]).map((m) => m.by),
    ).toEqual(['filet (automatic identity resolution)']);
    expect(pairs(before.suggestions)).toEqual([
      'name:A:Boris → phone:+491512222222',
      'name:A:Dora → phone:+447700900123',
      'name:A:Eva → phone:+33611111111',
      'name:A:Eva → phone:+33622222222',
    ]);
    expect(before.contradictions.map((c) => c.identity)).toEqual(['name:A:Eva']);

    // Reject, naming the pair the other way round: it still holds.
    const rej = filet([
      'identity',
      'reject',
      kase,
      '+491512222222',
      'name:A:Boris',
      '--reason',
      'different voice',
      '--json',
    ]);
    expect(rej.stderr).toBe('');
    expect(JSON.parse(rej.stdout)).toMatchObject({
      id: 1,
      from: 'phone:+491512222222',
      into: 'name:A:Boris',
      by: 'test-runner',
      reason: 'different voice',
      undoneAt: null,
    });
    expect(pairs(view().suggestions)).not.toContain('name:A:Boris → phone:+491512222222');
    const again = filet(['identity', 'reject', kase, 'name:A:Boris', '+491512222222']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already kept apart');
    // Resolve at support 1 would merge Boris and Dora; Boris is rejected, Eva contradicted.
    const res = JSON.parse(filet(['identity', 'resolve', kase, '--min-support', '1', '--json']).stdout) as {
      merged: { id: number; from: string }[];
    };
    expect(res.merged.map((m) => m.from).sort()).toEqual(['name:A:Dora']);
    // A rejected pair cannot be accepted either.
    const acceptRejected = filet(['identity', 'accept', kase, 'name:A:Boris', '+491512222222']);
    expect(acceptRejected.code).not.toBe(0);
    expect(acceptRejected.stderr).toContain('no suggestion pairs');
    // Eva is part of a contradiction: never resolved by one accept.
    const eva = filet(['identity', 'accept', kase, 'name:A:Eva', '+33611111111']);
    expect(eva.code).not.toBe(0);
    expect(eva.stderr).toContain('contradiction');

    // Accept on a fresh case: the merge is the analyst's, with the suggestion's reasons and own words.
    const k2 = join(root, `cli2-${name}`);
    makeIdentityCase(root, k2, store);
    const acc = filet([
      'identity',
      'accept',
      k2,
      '+447700900123',
      'name:A:Dora',
      '--reason',
      'same gloves',
      '--json',
    ]);
    expect(acc.stderr).toBe('');
    const merge = JSON.parse(acc.stdout) as { id: number; by: string; reason: string; support: number };
    expect(merge).toMatchObject({ by: 'test-runner', support: 1 });
    expect(merge.reason).toMatch(
      /^accepted suggestion: 1 fact\(s\) seen from two devices pair name:A:Dora with phone:\+447700900123 \(message \d+\/\d+ in chat \d+ at 2026-03-12T10:06Z\); same gloves$/,
    );
    const list = JSON.parse(filet(['identity', 'list', k2, '--json']).stdout) as { id: number; by: string }[];
    // Camila's merge at ingest, then the analyst's.
    expect(list.map((m) => [m.id, m.by])).toEqual([
      [1, 'filet (automatic identity resolution)'],
      [merge.id, 'test-runner'],
    ]);
    expect(
      pairs(JSON.parse(filet(['identity', 'suggestions', k2, '--json']).stdout).suggestions),
    ).not.toContain('name:A:Dora → phone:+447700900123');
    const audit = JSON.parse(filet(['audit', 'show', k2, '--json']).stdout) as {
      action: string;
      actor: string;
      result: { ok: boolean; merge?: number };
    }[];
    expect(audit.find((e) => e.action === 'identity.accept')).toMatchObject({
      actor: 'test-runner',
      result: { ok: true, merge: merge.id },
    });
    expect(filet(['identity', 'split', k2, String(merge.id)]).code).toBe(0);
    const { store: s } = await openCase(k2, { store: name === 'postgres' ? store : undefined });
    try {
      const dora = (await s.accounts()).find((a) => a.key === 'name:A:Dora')!;
      expect(dora.mergedInto).toBeNull();
    } finally {
      await s.close();
    }
    // Split, like any undone merge, keeps the pair apart: neither suggested nor merged by resolve again.
    const after = JSON.parse(filet(['identity', 'suggestions', k2, '--json']).stdout) as View;
    expect(pairs(after.suggestions)).not.toContain('name:A:Dora → phone:+447700900123');
    expect(pairs(after.unambiguous)).toEqual([]);
  });

  it('HTTP: analyst accepts and rejects; viewer and auditor get 403; bad bodies 400; refusals audited', async () => {
    const kase = join(root, `http-${name}`);
    makeIdentityCase(root, kase, store);
    const { store: s } = await openCase(kase, { store: name === 'postgres' ? store : undefined });
    let app: FastifyInstance | null = null;
    try {
      for (const r of ['lead', 'analyst', 'viewer', 'auditor'] as const)
        await addUser(s, `${r}-u`, r, 'identity-password-long');
      app = await buildServer({ caseDir: kase, caseStore: s, allowedHosts: ['localhost:80'] });
      const sessions: Record<string, { cookie: string; csrf: string }> = {};
      for (const r of ['lead', 'analyst', 'viewer', 'auditor']) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/session',
          payload: { username: `${r}-u`, password: 'identity-password-long' },
        });
        expect(res.statusCode, res.body).toBe(200);
        sessions[r] = {
          cookie: String(res.headers['set-cookie']).split(';')[0]!,
          csrf: res.json<{ csrfToken: string }>().csrfToken,
        };
      }
      const call = (
        role: string,
        method: 'GET' | 'POST' | 'DELETE',
        url: string,
        body?: object,
        csrf = true,
      ) =>
        app!.inject({
          method,
          url: inCase(s.caseId, url),
          headers: {
            cookie: sessions[role]!.cookie,
            ...(csrf ? { 'x-csrf-token': sessions[role]!.csrf } : {}),
          },
          ...(body ? { payload: body } : {}),
        });
      const view = async (role = 'analyst') =>
        (await call(role, 'GET', '/identity/suggestions')).json<View>();
      const v = await view();
      const boris = v.suggestions.find((c) => c.from.key === 'name:A:Boris')!;
      const dora = v.suggestions.find((c) => c.from.key === 'name:A:Dora')!;
      const eva = v.suggestions.find((c) => c.from.key === 'name:A:Eva')!;
      const body = (c: typeof boris, reason?: string) => ({
        from: c.from.id,
        into: c.into.id,
        ...(reason ? { reason } : {}),
      });
      for (const role of ['viewer', 'auditor'])
        for (const path of ['accept', 'reject']) {
          const r = await call(role, 'POST', `/identity/suggestions/${path}`, body(boris));
          expect(r.statusCode, `${role} ${path}`).toBe(403);
        }
      // CSRF as on every state-changing route.
      expect(
        (await call('analyst', 'POST', '/identity/suggestions/reject', body(boris), false)).statusCode,
      ).toBe(403);
      for (const bad of [{ from: boris.from.id }, { ...body(boris), extra: 1 }, { from: 'x', into: 2 }]) {
        const r = await call('analyst', 'POST', '/identity/suggestions/accept', bad);
        expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      }
      const rej = await call('analyst', 'POST', '/identity/suggestions/reject', body(boris, 'not him'));
      expect(rej.statusCode, rej.body).toBe(201);
      expect(rej.json()).toMatchObject({ by: 'analyst-u', reason: 'not him', from: 'name:A:Boris' });
      expect((await view('viewer')).suggestions.map((c) => c.from.key)).not.toContain('name:A:Boris');
      expect((await call('lead', 'POST', '/identity/suggestions/reject', body(boris))).statusCode).toBe(409);
      const evaAccept = await call('analyst', 'POST', '/identity/suggestions/accept', body(eva));
      expect(evaAccept.statusCode).toBe(409);
      expect(evaAccept.json().message).toContain('contradiction');
      expect(
        (await call('analyst', 'POST', '/identity/suggestions/accept', { from: 999, into: 1 })).statusCode,
      ).toBe(404);
      const acc = await call('lead', 'POST', '/identity/suggestions/accept', body(dora));
      expect(acc.statusCode, acc.body).toBe(201);
      const m = acc.json<{ id: number; from: number; into: number; by: string; reason: string }>();
      expect(m).toMatchObject({ from: dora.from.id, into: dora.into.id, by: 'lead-u' });
      expect(m.reason).toContain('accepted suggestion: 1 fact(s)');
      expect((await s.accounts()).find((a) => a.id === dora.from.id)!.mergedInto).toBe(dora.into.id);
      const audit = await s.readAudit();
      const entries = (action: string) => audit.filter((e) => e.action === action);
      expect(entries('identity.reject').map((e) => [e.actor, (e.result as { ok: boolean }).ok])).toEqual([
        ['analyst-u', true],
        ['lead-u', false],
      ]);
      expect(
        entries('identity.accept').map((e) => (e.result as { ok: boolean; status?: number }).status ?? 'ok'),
      ).toEqual([409, 404, 'ok']);
      // Split restores the accounts; the rejections are unchanged (an undone merge is kept apart on its own).
      expect((await call('lead', 'DELETE', `/merges/${m.id}`)).statusCode).toBe(200);
      expect((await s.accounts()).find((a) => a.id === dora.from.id)!.mergedInto).toBeNull();
      expect((await new ReviewStore(s).rejections()).map((r) => r.from)).toEqual(['name:A:Boris']);
    } finally {
      await app?.close();
      await s.close();
    }
  });
});
