import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audited } from '../src/app/audited.js';
import { keywordHits, keywordLists, readKeywordFile, writeKeywordList } from '../src/app/keywords.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import type { EvidenceItem, ParsedRecord } from '../src/model/types.js';
import { analyzeCase } from '../src/network/analyze.js';
import { analyzeAndSave } from '../src/network/service.js';
import { AnalysisStore } from '../src/store/analysis-store.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { KeywordStore } from '../src/store/keyword-store.js';
import { ReviewStore } from '../src/store/review-store.js';
import { UserError } from '../src/util/errors.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir, type StoreTarget } from './helpers/stores.js';
import { DENIED_403, NO_SUCH_CASE, serveTeam, type ServedTeam } from './helpers/team.js';

/**
 * Issue 13 item 2: keyword lists, their hits through the full-text index, and the `keywords` factor of the
 * priority score (docs/keywords.md). Every expected value below is worked out by hand from the hand-written
 * messages of this file.
 */

// ---- the hand-built case ----------------------------------------------------------------------------------

const FLAGGED = 'jid:120363000000000881@g.us';
const BARRIO = 'jid:120363000000000882@g.us';
const P = 'phone:+34600000801'; // producer: posts a novel picture in FLAGGED
const R = 'phone:+34600000802'; // re-posts it (FLAGGED), writes in BARRIO
const K = 'phone:+34600000803'; // posts one known picture in FLAGGED
const X = 'phone:+34600000804'; // writes in FLAGGED and BARRIO
const Y = 'phone:+34600000805'; // writes in FLAGGED
const Y2 = 'phone:+34600000806'; // writes in FLAGGED; the same person as Y (merged in the tests)
const KNOWN = 'ab'.repeat(32);
const NOVEL = 'ee'.repeat(32);
const T0 = Date.UTC(2024, 2, 1, 12);

/** The texts, by name; the sender and chat of each. */
const TEXTS = {
  t1: [X, FLAGGED, 'El niño llegó tarde a la escuela'],
  t2: [Y, FLAGGED, 'NIÑO perdido en la estación'],
  t3: [Y2, FLAGGED, 'papel sin papeles'],
  t4: [R, BARRIO, 'sin tener papeles ni papel'],
  t5: [X, BARRIO, 'papelera nueva'],
  t6: [X, BARRIO, 'el nino juega'],
  t7: [K, FLAGGED, 'hola a todos'],
} as const;
type T = keyof typeof TEXTS;

const loc = { kind: 'row' as const, table: 'synthetic', rowId: 1 };
let seq = 0;
function message(
  sender: string,
  chat: string,
  at: number,
  body: { text?: string; sha?: string },
): ParsedRecord {
  const n = seq++;
  return {
    type: 'message',
    key: `id:${chat}:SYNTHKW${n}`,
    chatKey: chat,
    chatKind: 'group',
    senderKey: sender,
    at,
    tz: 'UTC',
    kind: body.sha ? 'image' : 'text',
    text: body.text ?? null,
    forwarded: false,
    forwardScore: null,
    waKeyId: `SYNTHKW${n}`,
    mediaSha256: body.sha ?? null,
    mediaName: null,
    mediaStatus: body.sha ? 'hash-only' : null,
    loc: { kind: 'row', table: 'message', rowId: n + 1 },
  };
}

async function* handBuilt(): AsyncGenerator<ParsedRecord> {
  for (const [key, subject] of [
    [FLAGGED, 'Synthetic keyword group'],
    [BARRIO, 'Synthetic neighbourhood'],
  ] as const)
    yield { type: 'group', key, jid: key.slice(4), subject, createdAt: T0, creatorKey: null, loc };
  for (const key of [P, R, K, X, Y, Y2]) {
    const phone = key.slice('phone:'.length);
    yield {
      type: 'account',
      key,
      phone,
      jids: [`${phone.slice(1)}@s.whatsapp.net`],
      displayNames: [],
      loc,
    };
  }
  for (const key of [P, R, K, X, Y, Y2])
    yield { type: 'member', groupKey: FLAGGED, accountKey: key, rank: 0, active: true, loc };
  for (const key of [R, X])
    yield { type: 'member', groupKey: BARRIO, accountKey: key, rank: 0, active: true, loc };
  for (const sha256 of [KNOWN, NOVEL])
    yield {
      type: 'media',
      sha256,
      md5: null,
      sha1: null,
      mime: 'image/jpeg',
      size: 100,
      present: false,
      fileRef: null,
      loc,
    };
  yield message(K, FLAGGED, T0, { sha: KNOWN });
  yield message(P, FLAGGED, T0 + 60_000, { sha: NOVEL });
  yield message(R, FLAGGED, T0 + 120_000, { sha: NOVEL });
  let i = 0;
  for (const [sender, chat, text] of Object.values(TEXTS))
    yield message(sender, chat, T0 + 600_000 + i++ * 60_000, { text });
}

const item = (sha: string, path: string): Omit<EvidenceItem, 'id'> => ({
  path,
  sha256: sha,
  size: 1,
  kind: 'android-msgstore',
  deviceLabel: 'dev-kw',
  examiner: 'tester',
  acquiredAt: null,
  ingestedAt: Date.now(),
  toolVersion: 'test',
  notes: {},
});

async function buildCase(store: CaseStore, dir: string): Promise<void> {
  await store.ingestEvidence(item('c1'.repeat(32), '/evidence/synthetic-keywords.db'), handBuilt());
  const list = join(tempDir('filet-kw-list-'), 'known.csv');
  writeFileSync(list, `sha256\n${KNOWN}\n`);
  await importHashList(store, list, { name: 'synthetic-known' });
  await matchCase(store, dir, {});
}

/** Message id of each text, read from the store by its text (not through the index). */
async function textIds(store: CaseStore): Promise<Record<T, number>> {
  const rows = await store.db.all<{ id: number; text: string | null }>(
    'SELECT id, text FROM messages WHERE case_id = ?',
    [store.caseId],
  );
  return Object.fromEntries(
    Object.entries(TEXTS).map(([k, [, , text]]) => [k, Number(rows.find((r) => r.text === text)!.id)]),
  ) as Record<T, number>;
}

// ---- the lists ----------------------------------------------------------------------------------------

const SLANG = [
  '# SYNTHETIC keyword list written for the tests',
  'niño',
  '"sin papeles"',
  '',
  'papel*',
  'NINO',
];
const WORDS_CSV = ['term,category,language', 'sin papeles,phrase-test,es', '"""sin papeles""",,'];

function writeList(lines: string[], name = 'list.txt'): string {
  const p = join(tempDir('filet-kw-'), name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const importFile = (store: CaseStore, file: string, name: string, category?: string, language?: string) => {
  const parsed = readKeywordFile(file, { name, category, language });
  return audited(store, 'keywords.import', { name }, (s) =>
    writeKeywordList(s, parsed, { by: 'lena', at: Date.now() }),
  );
};

describe('keyword list files', () => {
  it('refuses a bad term naming the file, the line and the problem', () => {
    const file = writeList(['# comment', 'niño', '"sin papeles', 'papel*']);
    expect(() => readKeywordFile(file, { name: 'x' })).toThrow(UserError);
    expect(() => readKeywordFile(file, { name: 'x' })).toThrow(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, line 3: bad term: .*quote is not closed.*nothing imported`,
      ),
    );
    const two = writeList(['pa*pel', 'ok', '(a)']);
    expect(() => readKeywordFile(two, { name: 'x' })).toThrow(
      /2 bad terms — line 1: .*may only end a word.*; line 3: .*parentheses.*nothing imported/,
    );
    expect(() => readKeywordFile(writeList(['niño'], 'l.csv'), { name: 'x', language: 'Spanish!' })).toThrow(
      /language "Spanish!" is not a language code/,
    );
    expect(() => readKeywordFile(writeList(['term,category', 'a,b,c,d']), { name: 'x' })).toThrow(
      /line 2: 4 fields/,
    );
    expect(() => readKeywordFile(writeList(['# only a comment']), { name: 'x' })).toThrow(/no terms/);
  });

  it('reads plain lines (SYNTHETIC comment, duplicates dropped) and CSV with per-term category and language', () => {
    const slang = readKeywordFile(writeList(SLANG), { name: 'slang-es', category: 'slang', language: 'ES' });
    expect(slang).toMatchObject({
      name: 'slang-es',
      category: 'slang',
      language: 'es',
      synthetic: true,
      duplicates: 1,
    });
    expect(slang.terms).toEqual([
      { term: 'niño', category: 'slang', language: 'es', line: 2 },
      { term: '"sin papeles"', category: 'slang', language: 'es', line: 3 },
      { term: 'papel*', category: 'slang', language: 'es', line: 5 },
    ]);
    expect(slang.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    const words = readKeywordFile(writeList(WORDS_CSV), { name: 'words', category: 'words' });
    expect(words.synthetic).toBe(false);
    expect(words.terms).toEqual([
      { term: 'sin papeles', category: 'phrase-test', language: 'es', line: 2 },
      { term: '"sin papeles"', category: 'words', language: null, line: 3 },
    ]);
  });
});

describe.each(STORE_TARGETS)('keyword lists on $name', (target: StoreTarget) => {
  let store: CaseStore;
  let dir = '';
  let id: Record<T, number>;
  const acc: Record<string, number> = {};

  beforeAll(async () => {
    ({ store, dir } = await initCase(join(tempDir('filet-kw-case-'), 'case'), { store: target.store }));
    await buildCase(store, dir);
    id = await textIds(store);
    for (const a of await store.accounts()) acc[a.key] = a.id;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('imports a list (one audit entry), replaces one of the same name, and imports nothing on a bad term', async () => {
    const audit0 = (await store.readAudit()).length;
    const first = await importFile(store, writeList(['foto', 'video']), 'slang-es');
    expect(first.list).toMatchObject({ name: 'slang-es', terms: 2, synthetic: false, importedBy: 'lena' });
    expect(first.replaced).toBeNull();
    const r = await importFile(store, writeList(SLANG), 'slang-es', 'slang', 'es');
    expect(r.replaced).toBe(first.list.id);
    expect(r.list).toMatchObject({
      name: 'slang-es',
      terms: 3,
      synthetic: true,
      category: 'slang',
      language: 'es',
    });
    expect(r.list.id).not.toBe(first.list.id);
    expect(await new KeywordStore(store).terms(first.list.id)).toEqual([]);
    expect((await new KeywordStore(store).terms(r.list.id)).map((t) => t.term)).toEqual([
      'niño',
      '"sin papeles"',
      'papel*',
    ]);
    const entries = (await store.readAudit()).slice(audit0);
    expect(entries.map((e) => [e.action, (e.result as { ok: boolean }).ok])).toEqual([
      ['keywords.import', true],
      ['keywords.import', true],
    ]);
    // A bad term: the file is refused before the store is touched; the list in place stays.
    expect(() => readKeywordFile(writeList(['niño', 'p*']), { name: 'slang-es' })).toThrow(/line 2/);
    expect((await keywordLists(store)).map((l) => [l.name, l.terms])).toEqual([['slang-es', 3]]);
    await importFile(store, writeList(WORDS_CSV), 'words', 'words');
    expect((await keywordLists(store)).map((l) => [l.name, l.terms])).toEqual([
      ['slang-es', 3],
      ['words', 2],
    ]);
  });

  it('finds hits like search: accents and case folded, phrase against words, prefixes', async () => {
    const h = await keywordHits(store);
    const terms = Object.fromEntries(h.terms.map((t) => [`${t.list}: ${t.term}`, t.messages]));
    expect(terms).toEqual({
      'slang-es: niño': 3, // t1 niño, t2 NIÑO, t6 nino
      'slang-es: "sin papeles"': 1, // t3 only: in t4 the words are not next to each other
      'slang-es: papel*': 3, // t3 papel/papeles, t4 papeles, t5 papelera
      'words: sin papeles': 2, // both words anywhere: t3, t4
      'words: "sin papeles"': 1, // t3
    });
    expect(h.messages).toBe(6);
    expect(h.lists.map((l) => [l.name, l.messages])).toEqual([
      ['slang-es', 6],
      ['words', 2],
    ]);
    expect(h.categories).toEqual([
      { category: 'slang', messages: 6 },
      { category: 'phrase-test', messages: 2 },
      { category: 'words', messages: 1 },
    ]);
    // Before any merge Y and Y2 are two senders.
    const by = (k: string) => h.accounts.find((a) => a.id === acc[k]);
    expect(by(X)).toMatchObject({ messages: 3, lists: { 'slang-es': 3 }, messageIds: [id.t1, id.t5, id.t6] });
    expect(by(Y)).toMatchObject({ messages: 1, messageIds: [id.t2] });
    expect(by(Y2)).toMatchObject({ messages: 1, messageIds: [id.t3] });
    expect(by(R)).toMatchObject({ messages: 1, lists: { 'slang-es': 1, words: 1 }, terms: 2 });
    expect(by(K)).toBeUndefined(); // "hola a todos" matches nothing
    const words = await keywordHits(store, 'words');
    expect(words.accounts.map((a) => [a.id, a.messages])).toEqual(
      [
        [acc[Y2], 1],
        [acc[R], 1],
      ].sort((a, b) => a[0]! - b[0]!),
    );
    await expect(keywordHits(store, 'nope')).rejects.toThrow('there is no keyword list "nope"');
  });

  it('counts a merged identity as one person', async () => {
    const g0 = (await keywordHits(store)).groups.find((g) => g.subject === 'Synthetic keyword group')!;
    expect([g0.messages, g0.senders]).toEqual([3, 3]);
    await new ReviewStore(store).merge(acc[Y2]!, acc[Y]!, 'lena', 'same person (test)', Date.now());
    const h = await keywordHits(store);
    const y = h.accounts.find((a) => a.id === acc[Y])!;
    expect(y).toMatchObject({
      messages: 2,
      terms: 5, // niño (t2); t3: slang-es "sin papeles" and papel*, words sin papeles and "sin papeles"
      lists: { 'slang-es': 2, words: 1 },
      messageIds: [id.t2, id.t3],
    });
    expect(h.accounts.some((a) => a.id === acc[Y2])).toBe(false);
    const g = h.groups.find((x) => x.subject === 'Synthetic keyword group')!;
    expect([g.messages, g.senders]).toEqual([3, 2]);
  });

  it('adds a documented keywords factor to the score: Y overtakes X, producers stay first', async () => {
    // Without lists (the same facts): X, Y are consumers with the degree points only, 100·0.045 = 4.5 each.
    const kw = new KeywordStore(store);
    const saved = await kw.lists();
    const none = await store
      .transaction(async (s) => {
        for (const l of saved) await new KeywordStore(s).deleteList(l.id);
        const r = await analyzeCase(s);
        throw Object.assign(new Error('rollback'), { r });
      })
      .catch((e: { r: Awaited<ReturnType<typeof analyzeCase>> }) => e.r);
    const keys = new Map((await store.accounts()).map((a) => [a.id, a.key]));
    expect(none.accounts.filter((a) => a.score > 0).map((a) => [keys.get(a.accountId), a.score])).toEqual([
      [P, 79.25],
      [R, 22.29],
      [K, 17.15],
      [X, 4.5],
      [Y, 4.5],
    ]);
    expect((await kw.lists()).length).toBe(2); // rolled back

    // With the lists: keyword messages in the flagged group — X 1 (t1), Y 2 (t2, and t3 of the merged Y2);
    // t5, t6 (X) are in an unflagged group and do not count. Max log 3: Y 5.00, X 5·log 2/log 3 = 3.15.
    await analyzeAndSave(store, {});
    const ranked = (await new AnalysisStore(store).accounts()).filter((a) => a.score > 0);
    expect(ranked.map((a) => [keys.get(a.accountId), a.score])).toEqual([
      [P, 79.25],
      [R, 22.29],
      [K, 17.15],
      [Y, 9.5],
      [X, 7.65],
    ]);
    const reasonOf = (key: string) =>
      (
        ranked.find((a) => a.accountId === acc[key])!.reasons as {
          kind: string;
          name: string;
          points: number;
          text: string;
          messageIds: number[];
          evidenceIds: number[];
        }[]
      ).find((r) => r.kind === 'score' && r.name === 'keywords');
    expect(reasonOf(Y)).toMatchObject({ points: 5, messageIds: [id.t2, id.t3], evidenceIds: [1] });
    expect(reasonOf(Y)!.text).toContain('2 message(s) in 1 flagged group(s)');
    expect(reasonOf(Y)!.text).toContain('list "slang-es": ');
    expect(reasonOf(Y)!.text).toContain('niño ×1');
    expect(reasonOf(X)).toMatchObject({ points: 3.15, messageIds: [id.t1] });
    expect(reasonOf(P)).toBeUndefined();
    const run = (await new AnalysisStore(store).latestRun())!;
    expect((run.params.keywordLists as { name: string }[]).map((l) => l.name)).toEqual(['slang-es', 'words']);
  }, 120_000);

  it('keeps hits right after a later ingest', async () => {
    await store.ingestEvidence(
      item('c2'.repeat(32), '/evidence/synthetic-keywords-2.db'),
      (async function* (): AsyncGenerator<ParsedRecord> {
        yield {
          type: 'group',
          key: FLAGGED,
          jid: FLAGGED.slice(4),
          subject: 'Synthetic keyword group',
          createdAt: T0,
          creatorKey: null,
          loc,
        };
        const phone = Y.slice('phone:'.length);
        yield {
          type: 'account',
          key: Y,
          phone,
          jids: [`${phone.slice(1)}@s.whatsapp.net`],
          displayNames: [],
          loc,
        };
        yield { type: 'member', groupKey: FLAGGED, accountKey: Y, rank: 0, active: true, loc };
        yield message(Y, FLAGGED, T0 + 3_600_000, { text: 'más papeles' });
      })(),
    );
    const h = await keywordHits(store, 'slang-es');
    expect(h.terms.find((t) => t.term === 'papel*')!.messages).toBe(4);
    expect(h.accounts.find((a) => a.id === acc[Y])!.messages).toBe(3);
  });

  it('filet keywords import / list / hits', () => {
    const pg = target.name === 'postgres' ? ['--store', target.store] : [];
    const bad = writeList(['ok', '"open']);
    let r = filet(['keywords', 'import', dir, bad, '--name', 'cli', ...pg]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}, line 2: bad term: `);
    r = filet(['keywords', 'import', dir, writeList(['juega']), '--name', 'cli', '--language', 'es', ...pg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('imported #');
    r = filet(['keywords', 'list', dir, '--json', ...pg]);
    expect(JSON.parse(r.stdout).lists.map((l: { name: string }) => l.name)).toEqual([
      'cli',
      'slang-es',
      'words',
    ]);
    r = filet(['keywords', 'hits', dir, '--list', 'cli', '--json', ...pg]);
    expect(r.code, r.stderr).toBe(0);
    const hits = JSON.parse(r.stdout);
    expect(hits.messages).toBe(1); // t6 "el nino juega"
    expect(hits.accounts.map((a: { messageIds: number[] }) => a.messageIds)).toEqual([[id.t6]]);
  }, 120_000);
});

// ---- HTTP -------------------------------------------------------------------------------------------------

describe.each(STORE_TARGETS)('/api/cases/:caseId/keywords on $name', (target) => {
  let team: ServedTeam;
  let app: FastifyInstance;
  let alder: { id: string };
  let alderStore: CaseStore;
  const call = (who: string, method: string, url: string, body?: unknown) =>
    team.call(who, method, url, body);

  beforeAll(async () => {
    team = await serveTeam(target, 'keywords-ws-', async (a) => {
      alderStore = a.store;
      await buildCase(a.store, a.dir);
    });
    ({ app, alder } = team);
  }, 300_000);
  afterAll(async () => team?.close());

  it('lets readers see lists and hits, the lead alone upload and delete; another case answers 404', async () => {
    const perms = (
      await app.inject({
        method: 'GET',
        url: '/api/session',
        headers: { cookie: team.sessions.lena!.cookie },
      })
    )
      .json<{ cases: { id: string; permissions: string[] }[] }>()
      .cases.find((c) => c.id === alder.id)!.permissions;
    expect(perms).toContain('keywords.manage');

    const list = { name: 'http-list', category: 'slang', language: 'es', terms: ['niño', 'papel*'] };
    let r = await call('omar', 'POST', '/keywords', list);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual(DENIED_403);
    r = await call('lena', 'POST', '/keywords', { ...list, terms: ['niño', '"sin papeles'] });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(
      /bad term 2 \("\\"sin papeles"\): .*quote is not closed.*nothing imported/,
    );
    r = await call('lena', 'POST', '/keywords', { ...list, extra: 1 });
    expect(r.statusCode).toBe(400);
    r = await call('lena', 'POST', '/keywords', list);
    expect(r.statusCode, r.body).toBe(201);
    const created = r.json<{ list: { id: number; terms: number; source: { path: string } } }>().list;
    expect(created).toMatchObject({ terms: 2, source: { path: '(upload)' } });

    r = await call('omar', 'GET', '/keywords');
    expect(r.statusCode).toBe(200);
    expect(r.json().lists.map((l: { name: string; terms: number }) => [l.name, l.terms])).toEqual([
      ['http-list', 2],
    ]);
    const before = (await alderStore.readAudit()).length;
    r = await call('omar', 'GET', '/keywords/hits?list=http-list');
    expect(r.statusCode, r.body).toBe(200);
    // niño: t1, t2, t6; papel*: t3, t4, t5 — six messages; X wrote t1, t5, t6.
    expect(r.json().messages).toBe(6);
    const x = (await alderStore.accounts()).find((a) => a.key === X)!.id;
    expect(r.json().accounts.find((a: { id: number }) => a.id === x).messages).toBe(3);
    const entry = (await alderStore.readAudit()).slice(before);
    expect(entry.map((e) => [e.actor, e.action, e.args])).toEqual([
      ['omar', 'keywords.hits', { list: 'http-list' }],
    ]);
    expect((await call('omar', 'GET', '/keywords/hits?list=nope')).statusCode).toBe(404);

    for (const [method, url] of [
      ['GET', '/keywords'],
      ['GET', '/keywords/hits'],
      ['POST', '/keywords'],
      ['DELETE', `/keywords/${created.id}`],
    ] as const) {
      r = await call('bea', method, url, method === 'POST' ? list : undefined);
      expect(r.json(), `bea ${method} ${url}`).toEqual(NO_SUCH_CASE);
    }
    expect((await call('omar', 'DELETE', `/keywords/${created.id}`)).statusCode).toBe(403);
    r = await call('lena', 'DELETE', `/keywords/${created.id}`);
    expect(r.statusCode, r.body).toBe(200);
    expect((await call('lena', 'DELETE', `/keywords/${created.id}`)).statusCode).toBe(404);
    expect((await call('lena', 'GET', '/keywords')).json().lists).toEqual([]);
    const actions = (await alderStore.readAudit())
      .filter((e) => e.action.startsWith('keywords.'))
      .map((e) => [e.action, (e.result as { ok: boolean }).ok]);
    expect(actions).toEqual([
      ['keywords.import', true],
      ['keywords.hits', true],
      ['keywords.hits', false],
      ['keywords.delete', true],
      ['keywords.delete', false],
    ]);
  }, 120_000);
});
