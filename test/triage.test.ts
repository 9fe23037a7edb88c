import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditedChange } from '../src/app/audited.js';
import { reviewSeries, seriesComputations, seriesReviewSummary, triageQueue } from '../src/app/triage.js';
import { pdqFromImage } from '../src/hashing/decode.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import type { EvidenceItem, ParsedRecord } from '../src/model/types.js';
import { analyzeAndSave } from '../src/network/service.js';
import { buildCaseView as buildReportView } from '../src/report/case-view.js';
import { renderHtmlReport } from '../src/report/html-report.js';
import { writeReferrals } from '../src/report/referrals.js';
import { buildCaseView } from '../src/server/services/case-view.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { HashListStore } from '../src/store/hash-list-store.js';
import { ReviewStore } from '../src/store/review-store.js';
import { Workspace } from '../src/store/workspace.js';
import { renderImage, transformImage } from '../src/synth/images.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir, type StoreTarget } from './helpers/stores.js';
import { DENIED_403, NO_SUCH_CASE, serveTeam, type ServedTeam } from './helpers/team.js';

/**
 * Issue 13 item 4: triage of novel media — series by PDQ, urgency with reasons, category reviews of a
 * series as a whole, and their flow into the VICS export, the report, the referral packages. docs/triage.md.
 *
 * The case is built by hand from benign generated pictures (src/synth/images.ts: shapes, re-encoded or
 * mirrored copies), so the expected series are known by construction:
 *   series A: a1, a2 (a1 re-encoded), a3 (a1 mirrored)   series B: b1, b2 (b1 re-encoded)
 *   series C: c alone                                     series E: e, a video (no PDQ): alone
 * plus k, known material (its SHA-256 on the case's list), which is in no series.
 */
const GROUP = 'jid:120363000000000888@g.us';
const P = 'phone:+34600000801'; // Spain: the producer of series A
const R = 'phone:+33612345601'; // France: re-shares A, forwards B
const D = 'phone:+33612345602'; // France: posts the known picture and C
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 1, 12); // the case's latest media post

interface Pic {
  name: string;
  bytes: Buffer;
  sha256: string;
  md5: string;
  sha1: string;
  mime: string;
}

const digest = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');
const pic = (name: string, bytes: Buffer, mime = 'image/jpeg'): Pic => ({
  name,
  bytes,
  sha256: digest('sha256', bytes),
  md5: digest('md5', bytes),
  sha1: digest('sha1', bytes),
  mime,
});

async function pictures(): Promise<Record<string, Pic>> {
  const a1 = await renderImage({ seed: 106, width: 640, height: 480, style: 'shapes' });
  const b1 = await renderImage({ seed: 202, width: 800, height: 600, style: 'stripes' });
  const c = await renderImage({ seed: 303, width: 640, height: 480, style: 'noise' });
  const k = await renderImage({ seed: 404, width: 640, height: 480, style: 'gradient' });
  return {
    a1: pic('a1', a1),
    a2: pic('a2', await transformImage(a1, { kind: 'reencode', seed: 1 })),
    a3: pic('a3', await transformImage(a1, { kind: 'flip', seed: 2 })),
    b1: pic('b1', b1),
    b2: pic('b2', await transformImage(b1, { kind: 'reencode', seed: 3 })),
    c: pic('c', c),
    e: pic('e', Buffer.from('SYNTHETIC placeholder video bytes for filet tests'), 'video/mp4'),
    k: pic('k', k),
  };
}

/** Who posts what, when (none of b2, e: never posted). */
const POSTS: [string, string, number, boolean][] = [
  [D, 'k', T0, false],
  [P, 'a1', T0 - 30 * DAY, false],
  [R, 'a2', T0 - 29 * DAY, false],
  [P, 'a3', T0 - 28 * DAY, false],
  [R, 'b1', T0, true],
  [D, 'c', T0 - 60 * DAY, false],
];

async function* records(pics: Record<string, Pic>): AsyncGenerator<ParsedRecord> {
  const loc = { kind: 'row' as const, table: 'synthetic', rowId: 1 };
  yield {
    type: 'group',
    key: GROUP,
    jid: '120363000000000888@g.us',
    subject: 'Synthetic triage group',
    createdAt: T0 - 90 * DAY,
    creatorKey: null,
    loc,
  };
  for (const key of [P, R, D]) {
    const phone = key.slice('phone:'.length);
    yield { type: 'account', key, phone, jids: [`${phone.slice(1)}@s.whatsapp.net`], displayNames: [], loc };
    yield { type: 'member', groupKey: GROUP, accountKey: key, rank: 0, active: true, loc };
  }
  for (const p of Object.values(pics))
    yield {
      type: 'media',
      sha256: p.sha256,
      md5: null,
      sha1: null,
      mime: p.mime,
      size: p.bytes.length,
      present: false,
      fileRef: null,
      loc,
    };
  let n = 0;
  for (const [sender, name, at, forwarded] of POSTS) {
    n++;
    yield {
      type: 'message',
      key: `id:${GROUP}:SYNTHTRIAGE${n}`,
      chatKey: GROUP,
      chatKind: 'group',
      senderKey: sender,
      at,
      tz: 'UTC',
      kind: 'image',
      text: null,
      forwarded,
      forwardScore: forwarded ? 1 : null,
      waKeyId: `SYNTHTRIAGE${n}`,
      mediaSha256: pics[name]!.sha256,
      mediaName: null,
      mediaStatus: 'hash-only',
      loc: { kind: 'row', table: 'message', rowId: n },
    };
  }
}

const item = (): Omit<EvidenceItem, 'id'> => ({
  path: '/evidence/synthetic-triage.db',
  sha256: 'b8'.repeat(32),
  size: 1,
  kind: 'android-msgstore',
  deviceLabel: 'dev-triage',
  examiner: 'tester',
  acquiredAt: null,
  ingestedAt: Date.now(),
  toolVersion: 'test',
  notes: {},
});

/** The case: ingest, the hashes as `filet hash` writes them, the known list, match, analyze. */
async function triageCase(target: StoreTarget, made?: { store: CaseStore; dir: string }) {
  const pics = await pictures();
  const c = made ?? (await initCase(join(tempDir('filet-triage-'), 'case'), { store: target.store }));
  await c.store.ingestEvidence(item(), records(pics));
  const bySha = new Map((await c.store.media()).map((m) => [m.sha256, m.id]));
  const rows = [];
  for (const p of Object.values(pics)) {
    const image = p.mime.startsWith('image/') ? await pdqFromImage(p.bytes, { dihedral: true }) : null;
    rows.push({
      id: bySha.get(p.sha256)!,
      md5: p.md5,
      sha1: p.sha1,
      pdq: image?.hash ?? null,
      quality: image?.quality ?? null,
      dihedral: image?.dihedral ?? null,
    });
  }
  await new HashListStore(c.store).setMediaHashes(rows);
  const list = join(tempDir('filet-triage-list-'), 'known.csv');
  writeFileSync(list, `sha256\n${pics.k!.sha256}\n`);
  await importHashList(c.store, list, { name: 'synthetic-known' });
  await matchCase(c.store, c.dir, { hash: false });
  await analyzeAndSave(c.store, {});
  const id = (name: string) => bySha.get(pics[name]!.sha256)!;
  return { ...c, pics, id };
}

describe.each(STORE_TARGETS)('triage on $name', (target) => {
  let store: CaseStore;
  let dir = '';
  let id: (name: string) => number;
  let pics: Record<string, Pic>;
  beforeAll(async () => {
    ({ store, dir, id, pics } = await triageCase(target));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('groups novel media into the series of their construction, ordered by the stated urgency rule', async () => {
    const q = await triageQueue(store, await buildCaseView(store), { limit: 50 });
    expect(q.novel).toBe(7);
    expect(q.threshold).toBe(31);
    expect(q.scheme).toBe('vics');
    // By hand from docs/triage.md (recency 40·½^(age/30 d), original 25, producer 20 / distributor 10,
    // size 15·(1 − 1/n)):
    //   A: first post a1 by P 30 days before the latest post, not forwarded, P a producer, 3 items
    //      = 20 + 25 + 20 + 10 = 75
    //   B: first post b1 by R at the latest post, forwarded, R a distributor, 2 items = 40 + 0 + 10 + 7.5 = 57.5
    //   C: c by D 60 days before, not forwarded, D a distributor, alone = 10 + 25 + 10 + 0 = 45
    //   E: the video, never posted, alone = 0
    expect(q.items.map((s) => [s.itemIds, s.urgency])).toEqual([
      [[id('a1'), id('a2'), id('a3')].sort((x, y) => x - y), 75],
      [[id('b1'), id('b2')].sort((x, y) => x - y), 57.5],
      [[id('c')], 45],
      [[id('e')], 0],
    ]);
    const a = q.items[0]!;
    expect(a.id).toBe(Math.min(id('a1'), id('a2'), id('a3')));
    expect(a.reasons.map((r) => [r.factor, r.points])).toEqual([
      ['recency', 20],
      ['original', 25],
      ['role', 20],
      ['size', 10],
    ]);
    expect(a.reasons[2]!.text).toContain('producer');
    expect(a.reasons[0]!.messageIds).toHaveLength(1);
    expect(q.items[1]!.reasons[1]!.text).toContain('forwarded');
    expect(a.reviewed).toBe('none');
  });

  it('reviews a series as a whole: every item categorised, one audit entry, in one transaction', async () => {
    const v = await buildCaseView(store);
    const seriesId = Math.min(id('a1'), id('a2'), id('a3'));
    const before = (await store.readAudit()).length;
    const r = await auditedChange(
      store,
      { actor: 'omar', failure: (err) => ({ ok: false, error: (err as Error).message }) },
      'triage.series.review',
      { series: seriesId, category: '1' },
      (s) => reviewSeries(s, v, seriesId, { category: '1', note: 'one production' }, { by: 'omar', at: T0 }),
      seriesReviewSummary,
    );
    expect(r).toMatchObject({
      series: seriesId,
      category: 'cam',
      code: 1,
      scheme: 'vics',
      status: 'confirmed',
    });
    const reviews = await new ReviewStore(store).reviews();
    for (const name of ['a1', 'a2', 'a3'])
      expect(reviews.get(id(name))).toMatchObject({
        status: 'confirmed',
        category: 'cam',
        scheme: 'vics',
        seriesId,
        by: 'omar',
        note: 'one production',
      });
    expect(reviews.has(id('b1'))).toBe(false);
    const added = (await store.readAudit()).slice(before);
    expect(added.map((e) => [e.action, e.actor])).toEqual([['triage.series.review', 'omar']]);
    // The review moved the case generation but changed no hash and no match: the next queue (a new view)
    // takes the series computed before instead of querying the PDQ index again.
    const computed = seriesComputations.count;
    const after = await buildCaseView(store);
    expect(after.generation).not.toBe(v.generation);
    expect((await triageQueue(store, after, {})).items.find((x) => x.id === seriesId)?.reviewed).toBe('all');
    expect(seriesComputations.count).toBe(computed);
    // A changed hash is a new computation: without its PDQ, a3 leaves the series (and comes back).
    const a3 = id('a3');
    const pdq = (await store.db.get<{ pdq: string }>('SELECT pdq FROM media WHERE case_id = ? AND id = ?', [
      store.caseId,
      a3,
    ]))!.pdq;
    await store.db.run('UPDATE media SET pdq = NULL WHERE case_id = ? AND id = ?', [store.caseId, a3]);
    try {
      const without = await triageQueue(store, await buildCaseView(store), { limit: 500 });
      expect(seriesComputations.count).toBe(computed + 1);
      expect(without.items.find((x) => x.id === seriesId)?.itemIds).not.toContain(a3);
    } finally {
      await store.db.run('UPDATE media SET pdq = ? WHERE case_id = ? AND id = ?', [pdq, store.caseId, a3]);
    }
    const back = await triageQueue(store, await buildCaseView(store), { limit: 500 });
    expect(seriesComputations.count).toBe(computed + 2);
    expect(back.items.find((x) => x.id === seriesId)?.itemIds).toContain(a3);
    expect(added[0]!.result).toMatchObject({ ok: true, category: 'cam', items: r.items });

    // A refused review (unknown category) changes nothing and is recorded on its own.
    await expect(
      auditedChange(
        store,
        { actor: 'omar', failure: (err) => ({ ok: false, error: (err as Error).message }) },
        'triage.series.review',
        { series: id('c'), category: '9' },
        (s) => reviewSeries(s, v, id('c'), { category: '9' }, { by: 'omar', at: T0 }),
      ),
    ).rejects.toThrow('unknown category "9" in the vics scheme');
    expect((await new ReviewStore(store).reviews()).has(id('c'))).toBe(false);
    expect((await store.readAudit()).at(-1)!.result).toMatchObject({ ok: false });

    const q = await triageQueue(store, await buildCaseView(store), { pending: true });
    expect(q.items.map((s) => s.id)).not.toContain(seriesId);
    expect(q.reviewed).toBe(3);
  });

  it('filet hashes export writes the reviewed category in the VICS Category field', () => {
    const pg = target.name === 'postgres' ? ['--store', target.store] : [];
    const out = join(tempDir('filet-triage-export-'), 'novel.vics.json');
    const r = filet(['hashes', 'export', dir, '--out', out, ...pg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 with a reviewed category');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as {
      value: { MD5: string; Category: number | null }[];
    };
    const category = new Map(doc.value.map((m) => [m.MD5, m.Category]));
    for (const name of ['a1', 'a2', 'a3']) expect(category.get(pics[name]!.md5)).toBe(1);
    for (const name of ['b1', 'b2', 'c', 'e']) expect(category.get(pics[name]!.md5)).toBeNull();
    expect(category.has(pics.k!.md5)).toBe(false); // known material is never in a novel-media export
  });

  it('the CLI lists the queue with reasons and reviews a series; categories shows and sets the scheme', () => {
    const pg = target.name === 'postgres' ? ['--store', target.store] : [];
    let r = filet(['triage', dir, '--json', '--limit', '2', ...pg]);
    expect(r.code, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout) as { total: number; items: { id: number; urgency: number }[] };
    expect(q.total).toBe(4);
    expect(q.items.map((s) => s.urgency)).toEqual([75, 57.5]);
    r = filet([
      'triage',
      dir,
      '--series',
      String(id('c')),
      '--category',
      'comparison',
      '--actor',
      'lena',
      ...pg,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 item(s) reviewed as comparison (code 4 in the vics scheme)');
    r = filet(['triage', dir, '--series', String(id('c')), '--category', 'x', ...pg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown category "x" in the vics scheme');
    r = filet(['categories', dir, '--scheme', 'legacy', '--actor', 'lena', ...pg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('category scheme: legacy, set by lena');
    expect(r.stdout).toMatch(/5 {2}non-pertinent/);
    r = filet(['categories', dir, '--scheme', 'uk', ...pg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown category scheme "uk"');
    r = filet(['categories', dir, '--scheme', 'vics', ...pg]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the report counts reviewed categories and series; a referral package holds only its country’s media', async () => {
    const view = await buildReportView(store);
    const html = renderHtmlReport(view);
    const section = html.slice(html.indexOf('<section id="triage">'));
    expect(section).toContain('<b>7</b><span>novel media</span>');
    expect(section).toContain('<b>4</b><span>novel media with a reviewed category</span>');
    expect(section).toContain('<b>2</b><span>series reviewed as a whole</span>');
    expect(section).toMatch(/<td>1<\/td><td>cam<\/td><td>[^<]+<\/td><td class="num">3<\/td>/);
    expect(section).toMatch(/<td>4<\/td><td>comparison<\/td><td>[^<]+<\/td><td class="num">1<\/td>/);

    const out = tempDir('filet-triage-referrals-');
    await writeReferrals(store, view, out);
    type Pkg = { media: { sha256: string; category: { category: string; code: number } | null }[] };
    const pkg = (country: string) =>
      JSON.parse(readFileSync(join(out, country, 'evidence.json'), 'utf8')) as Pkg;
    // Spain: P posted a1 and a3. France: R and D posted a2, b1, k, c.
    const es = pkg('ES');
    expect(es.media.map((m) => m.sha256).sort()).toEqual([pics.a1!.sha256, pics.a3!.sha256].sort());
    for (const m of es.media) expect(m.category).toMatchObject({ category: 'cam', code: 1 });
    const fr = pkg('FR');
    expect(fr.media.map((m) => m.sha256).sort()).toEqual(
      ['a2', 'b1', 'k', 'c'].map((n) => pics[n]!.sha256).sort(),
    );
    const frCat = new Map(fr.media.map((m) => [m.sha256, m.category?.category ?? null]));
    expect([frCat.get(pics.a2!.sha256), frCat.get(pics.c!.sha256), frCat.get(pics.b1!.sha256)]).toEqual([
      'cam',
      'comparison',
      null,
    ]);
    const esVics = JSON.parse(readFileSync(join(out, 'ES', 'hashes.vics.json'), 'utf8')) as {
      value: { Category: number | null }[];
    };
    expect(esVics.value.map((v) => v.Category)).toEqual([1, 1]);
  });
});

// ---- HTTP -------------------------------------------------------------------------------------------------

describe.each(STORE_TARGETS)('triage over HTTP on $name', (target) => {
  let team: ServedTeam;
  let ws: Workspace;
  let alder: { id: string };
  let id: (name: string) => number;
  const call = (who: string, method: string, url: string, body?: unknown) =>
    team.call(who, method, url, body);

  beforeAll(async () => {
    team = await serveTeam(target, 'triage-ws-', async (a) => {
      ({ id } = await triageCase(target, a));
    });
    ({ ws, alder } = team);
  }, 300_000);
  afterAll(async () => team?.close());

  it('answers the queue to readers (ids and facts, no bytes); another case’s user gets 404', async () => {
    for (const who of ['lena', 'omar', 'vera']) {
      const r = await call(who, 'GET', '/triage?limit=10');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toContain('application/json');
      const q = r.json<{ total: number; items: { urgency: number; itemIds: number[] }[] }>();
      expect(q.total).toBe(4);
      expect(q.items.map((s) => s.urgency)).toEqual([75, 57.5, 45, 0]);
    }
    const s = await call('vera', 'GET', `/triage/series/${id('b1') < id('b2') ? id('b1') : id('b2')}`);
    expect(s.statusCode, s.body).toBe(200);
    expect(
      s
        .json<{ items: { id: number }[] }>()
        .items.map((i) => i.id)
        .sort(),
    ).toEqual([id('b1'), id('b2')].sort((x, y) => x - y));
    expect(s.body).not.toMatch(/base64|"bytes"/);
    expect((await call('vera', 'GET', '/triage/series/999999')).statusCode).toBe(404);
    expect((await call('vera', 'GET', '/triage?limit=1000')).statusCode).toBe(400);
    expect((await call('bea', 'GET', '/triage')).json()).toEqual(NO_SUCH_CASE);
  });

  it('lets an analyst review a series (viewer 403, other case 404, stale membership 409)', async () => {
    const b = Math.min(id('b1'), id('b2'));
    expect((await call('vera', 'POST', `/triage/series/${b}/review`, { category: '1' })).json()).toEqual(
      DENIED_403,
    );
    expect((await call('bea', 'POST', `/triage/series/${b}/review`, { category: '1' })).json()).toEqual(
      NO_SUCH_CASE,
    );
    const stale = await call('omar', 'POST', `/triage/series/${b}/review`, { category: '1', items: [b] });
    expect(stale.statusCode, stale.body).toBe(409);
    expect(
      (await call('omar', 'POST', `/triage/series/${b}/review`, { category: 'cam', extra: 1 })).statusCode,
    ).toBe(400);
    const r = await call('omar', 'POST', `/triage/series/${b}/review`, {
      category: 'exploitive',
      items: [id('b1'), id('b2')],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ series: b, category: 'exploitive', code: 2, status: 'confirmed' });
    const q = (await call('vera', 'GET', '/triage')).json<{
      items: { id: number; reviewed: string; categories: object }[];
    }>();
    expect(q.items.find((s) => s.id === b)).toMatchObject({ reviewed: 'all', categories: { exploitive: 2 } });
    // One item alone through the media review route, with a category.
    const one = await call('omar', 'POST', `/media/${id('c')}/review`, {
      status: 'not-relevant',
      category: '0',
    });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({
      review: { category: 'non-pertinent', code: 0, scheme: 'vics', series: null },
    });
    const wrong = await call('omar', 'POST', `/media/${id('c')}/review`, {
      status: 'confirmed',
      category: '0',
    });
    expect(wrong.statusCode).toBe(400);
    const known = await call('omar', 'POST', `/media/${id('k')}/review`, {
      status: 'confirmed',
      category: '1',
    });
    expect(known.statusCode).toBe(400);
  });

  it('shows the scheme to readers; only the lead sets it, audited', async () => {
    expect((await call('vera', 'GET', '/categories/scheme')).json()).toMatchObject({
      scheme: 'vics',
      source: 'default',
    });
    expect((await call('omar', 'PUT', '/categories/scheme', { scheme: 'legacy' })).json()).toEqual(
      DENIED_403,
    );
    expect((await call('bea', 'PUT', '/categories/scheme', { scheme: 'legacy' })).json()).toEqual(
      NO_SUCH_CASE,
    );
    expect((await call('lena', 'PUT', '/categories/scheme', { scheme: 'uk' })).statusCode).toBe(400);
    const r = await call('lena', 'PUT', '/categories/scheme', { scheme: 'legacy' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ scheme: 'legacy', source: 'case', by: 'lena' });
    expect((await call('vera', 'GET', '/triage')).json()).toMatchObject({ scheme: 'legacy' });
    const a = (await ws.openCase(alder.id))!;
    const last = (await a.store.readAudit()).filter((e) => e.action === 'categories.scheme.set').at(-1)!;
    expect([last.action, last.actor, last.args]).toEqual([
      'categories.scheme.set',
      'lena',
      { scheme: 'legacy' },
    ]);
    expect(last.result).toMatchObject({ ok: true, before: { scheme: 'vics' }, after: { scheme: 'legacy' } });
  });
});
