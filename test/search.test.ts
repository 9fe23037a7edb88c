import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/app/users.js';
import { searchCase, type SearchRequest } from '../src/app/search.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { parseQuery, toFts5, toTsquery } from '../src/search/query.js';
import { buildServer } from '../src/server/app.js';
import type { CaseStore } from '../src/store/case-store.js';
import type { InstalledCase } from '../src/store/installation-store.js';
import { SearchStore } from '../src/store/search-store.js';
import { INSTALLATION_ROLES } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { UserError } from '../src/util/errors.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation } from './helpers/synth-cache.js';

/**
 * Issue 13 item 1: full-text search over a case, on every store. Hand-written chat exports with known words
 * (every expected hit below is written out by hand, as the line of the export it comes from), plus a
 * synthetic device whose texts are searched for words counted here independently of the index.
 */
const PASSWORD = 'correct horse battery staple 7';

// The first export: one group, six messages. The keys of EXPECTED are the lines' numbers.
const FAMILIA = [
  '14/03/2023, 21:00 - Ana Example: El niño llegó tarde a la escuela',
  '14/03/2023, 21:01 - +34 600 00 00 02: NIÑO perdido en la estación',
  '14/03/2023, 21:02 - Boris Example: papel sin papeles',
  '14/03/2023, 21:03 - Boris Example: sin tener papeles ni papel',
  '15/03/2023, 09:00 - Ana Example: IMG-20230315-WA0002.jpg (file attached)',
  'foto del parque',
  '16/03/2023, 10:00 - +39 312 345 6789: papelera nueva, o/c el archivo IMG-20230315-WA0001.jpg',
];
// The second export, ingested later: another group.
const BARRIO = [
  '20/03/2023, 12:00 - Carla Example: el niño juega al fútbol',
  '20/03/2023, 12:01 - Ana Example: papel higiénico',
];

function writeExport(dir: string, subject: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, `WhatsApp Chat with ${subject}.txt`);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

describe('search query syntax', () => {
  it('translates words, phrases, prefixes, exclusions and OR for both engines', () => {
    const q = parseQuery('Niño "sin  Papeles" pap* -foto a OR b');
    expect(toFts5(q)).toBe('("nino" AND "sin papeles" AND "pap"* AND ("a" OR "b")) NOT "foto"');
    expect(toTsquery(q)).toBe('nino & (sin <-> papeles) & pap:* & !foto & (a | b)');
    // A bare word with punctuation is the phrase of its words; "or" in lower case is a word.
    expect(toTsquery(parseQuery('IMG-2023.jpg or'))).toBe('(img <-> 2023 <-> jpg) & or');
  });

  it.each([
    ['"sin papeles', /quote is not closed/],
    ['-foto', /only exclusions/],
    ['OR papel', /OR must stand between two terms/],
    ['papel OR', /OR must stand between two terms/],
    ['papel OR -foto', /excluded term/],
    ['(papel)', /parentheses/],
    ['p*', /at least 2 letters/],
    ['"a b"*', /prefix/],
    ['pa*pel', /may only end a word/],
    ['- papel', /must be followed/],
    ['…', /no words/],
    ['x'.repeat(501), /longer than 500/],
  ])('refuses %j with a clear UserError', (text, message) => {
    expect(() => parseQuery(text)).toThrow(UserError);
    expect(() => parseQuery(text)).toThrow(message);
  });
});

describe.each(STORE_TARGETS)('search on $name', (target) => {
  let ws: Workspace;
  let app: FastifyInstance;
  let alder: InstalledCase;
  let birch: InstalledCase;
  let store: CaseStore;
  let caseDir = '';
  const files = tempDir('filet-search-files-');
  /** Message id of each hand-written line: FAMILIA's 1…6, BARRIO's 7…8. */
  const id: Record<number, number> = {};
  const sessions: Record<string, string> = {};

  const search = (q: string, f: Omit<SearchRequest, 'q'> = {}) => searchCase(store, { q, limit: 500, ...f });
  /** The hand-written lines (by number) a search finds, in the order given. */
  const lines = async (q: string, f: Omit<SearchRequest, 'q'> = {}) => {
    const byId = new Map(Object.entries(id).map(([line, mid]) => [mid, Number(line)]));
    const r = await search(q, f);
    expect(r.total).toBe(r.items.length);
    return r.items.map((h) => byId.get(h.messageId) ?? `message ${h.messageId}`).sort();
  };
  const get = (who: string, url: string): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'GET', url, headers: { cookie: sessions[who]! } });

  async function ingestExport(subject: string, content: string[]): Promise<void> {
    const p = writeExport(join(files, subject), subject, content);
    await ingestPaths(store, [p], { device: 'dev1', tz: 'UTC' });
  }

  /** Finds each hand-written line's message id by its text, read from the store (not through the index). */
  async function learnIds(): Promise<void> {
    const all = [...FAMILIA, ...BARRIO];
    const rows = await store.db.all<{ id: number; text: string | null; kind: string }>(
      'SELECT id, text, kind FROM messages WHERE case_id = ?',
      [store.caseId],
    );
    all
      .filter((line) => /^\d\d\//.test(line))
      .forEach((line, i) => {
        const text = line.slice(line.indexOf(': ', 20) + 2);
        const row = rows.find((r) =>
          text.endsWith('(file attached)') ? r.kind === 'image' : r.text === text,
        );
        if (row) id[i + 1] = Number(row.id);
      });
  }

  beforeAll(async () => {
    ws = await Workspace.init(join(tempDir('filet-search-ws-'), 'ws'), { store: target.store });
    for (const [name, role] of [
      ['ada', 'admin'],
      ['lena', 'member'],
      ['bea', 'member'],
    ] as const)
      await addUser(ws.installation.scope, name, role, PASSWORD, INSTALLATION_ROLES);
    alder = await ws.createCase('Operation Alder', 'lena', 'ada');
    birch = await ws.createCase('Operation Birch', 'bea', 'ada');
    const a = (await ws.openCase(alder.id))!;
    store = a.store;
    caseDir = a.dir;
    await ingestExport('Familia Pérez', FAMILIA);
    await learnIds();
    app = await buildServer({ workspace: ws, allowedHosts: ['localhost:80'], loginPerIpPerMinute: 1000 });
    for (const n of ['lena', 'bea']) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: n, password: PASSWORD },
      });
      expect(r.statusCode, r.body).toBe(200);
      sessions[n] = String(r.headers['set-cookie']).split(';')[0]!;
    }
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await ws?.close();
  });

  it('finds words without regard to accents or case', async () => {
    expect(Object.keys(id).length).toBe(6);
    for (const q of ['nino', 'NIÑO', 'niño', 'Nïño']) expect(await lines(q), q).toEqual([1, 2]);
    expect(await lines('estacion')).toEqual([2]);
    expect(await lines('llego tarde')).toEqual([1]);
  });

  it('tells a phrase from its words, and finds prefixes, exclusions and alternatives', async () => {
    expect(await lines('"sin papeles"')).toEqual([3]);
    expect(await lines('sin papeles')).toEqual([3, 4]);
    expect(await lines('"papeles sin"')).toEqual([]);
    expect(await lines('pap*')).toEqual([3, 4, 6]);
    expect(await lines('pap* -papeles')).toEqual([6]);
    expect(await lines('papel -"sin papeles"')).toEqual([4]);
    expect(await lines('nino OR papelera')).toEqual([1, 2, 6]);
    expect(await lines('nino OR papelera -estacion')).toEqual([1, 6]);
    // A media file name's words, as written in a text or as the bare name.
    expect(await lines('wa0001')).toEqual([6]);
    expect(await lines('IMG-20230315-WA0001.jpg')).toEqual([6]);
    expect(await lines('o/c')).toEqual([6]);
  });

  it('returns each hit with its chat, sender, time, text and a snippet marking the words found', async () => {
    const r = await search('"sin papeles"');
    expect(r.total).toBe(1);
    const h = r.items[0]!;
    expect(h).toMatchObject({
      messageId: id[3],
      chat: { subject: 'Familia Pérez', kind: 'group' },
      sender: { display: 'Boris Example' },
      at: '2023-03-14T21:02:00.000Z',
      text: 'papel sin papeles',
    });
    expect(h.snippet).toEqual({ text: 'papel sin papeles', marks: [[6, 17]] });
    const accents = (await search('NINO')).items.find((x) => x.messageId === id[2])!;
    expect(accents.snippet.text.slice(...accents.snippet.marks[0]!)).toBe('NIÑO');
    expect(accents.sender?.display).toBe('+34600000002');
  });

  it('narrows by group, sender, country, period and media, each to the expected lines', async () => {
    const chat = (await search('papel')).items[0]!.chat.id;
    const boris = (await search('"sin papeles"')).items[0]!.sender!.id;
    expect(await lines('pap* OR nino', { group: chat })).toEqual([1, 2, 3, 4, 6]);
    expect(await lines('pap* OR nino', { group: chat + 1000 })).toEqual([]);
    expect(await lines('pap* OR nino', { sender: boris })).toEqual([3, 4]);
    expect(await lines('pap* OR nino', { country: 'ES' })).toEqual([2]);
    expect(await lines('pap* OR nino', { country: 'IT' })).toEqual([6]);
    // Names seen on one device only carry no country.
    expect(await lines('pap* OR nino', { country: 'unresolved' })).toEqual([1, 3, 4]);
    expect(await lines('pap* OR nino', { from: '2023-03-14T21:01:00Z', to: '2023-03-14T21:03:00Z' })).toEqual(
      [2, 3],
    );
    // A date alone: `to` includes that whole day.
    expect(await lines('pap* OR nino', { to: '2023-03-14' })).toEqual([1, 2, 3, 4]);
    expect(await lines('pap* OR nino', { from: '2023-03-15' })).toEqual([6]);
    await expect(search('nino', { from: 'yesterday' })).rejects.toThrow(/ISO 8601/);
    await expect(search('nino', { sender: 999_999 })).rejects.toThrow(/no account 999999/);
  });

  it('finds media messages by the has-media filter and groups and accounts by name', async () => {
    expect(Object.keys(id)).toContain('5');
    const media = await store.db.all<{ id: number }>(
      "SELECT id FROM messages WHERE case_id = ? AND kind = 'image'",
      [store.caseId],
    );
    expect(media.map((m) => Number(m.id))).toEqual([id[5]]);
    // Its caption and its file's name are indexed; only it has media.
    expect(await lines('foto')).toEqual([5]);
    expect(await lines('wa0002')).toEqual([5]);
    expect(await lines('pap* OR foto', { hasMedia: true })).toEqual([5]);
    expect(await lines('pap* OR foto', { hasMedia: false })).toEqual([3, 4, 6]);
    const hit = (await search('wa0002')).items[0]!;
    expect([hit.mediaName, hit.snippet]).toEqual([
      'IMG-20230315-WA0002.jpg',
      { text: 'IMG-20230315-WA0002.jpg', marks: [[13, 19]] },
    ]);
    const r = await search('perez');
    expect(r.groups.map((g) => g.subject)).toEqual(['Familia Pérez']);
    expect(r.items).toEqual([]);
    const boris = await search('BORIS');
    expect(boris.accounts.map((x) => x.display)).toEqual(['Boris Example']);
  });

  it('indexes a later ingest in its own transaction, once, and follows rows removed and restored', async () => {
    // The same chat exported again with one more line: the six known lines stay one message each.
    await ingestExport('Familia Pérez', [...FAMILIA, '17/03/2023, 08:00 - Ana Example: otro niño']);
    expect((await search('nino')).total).toBe(3);
    await ingestExport('Amigos del barrio', BARRIO);
    await learnIds();
    expect(await lines('nino')).toEqual([1, 2, 7, 'message ' + (await newest('otro niño'))].sort());
    expect(await lines('papel')).toEqual([3, 4, 8]);
    expect((await search('barrio')).groups.map((g) => g.subject)).toEqual(['Amigos del barrio']);
    expect((await search('carla')).accounts.map((a) => a.display)).toEqual(['Carla Example']);
    // An identity merge's join deletes the absorbed row and its undoing inserts it back (fact-joins.ts):
    // the index follows both, in the transaction that does it.
    const row = await store.db.get<Record<string, unknown>>(
      'SELECT * FROM messages WHERE case_id = ? AND id = ?',
      [store.caseId, id[7]!],
    );
    await store.transaction(async (s) => {
      await s.db.run('DELETE FROM messages WHERE case_id = ? AND id = ?', [store.caseId, id[7]!]);
    });
    expect(await lines('futbol')).toEqual([]);
    const cols = Object.keys(row!);
    await store.transaction((s) =>
      s.db.insertMany('messages', cols, [cols.map((c) => row![c] as string | number | null)]),
    );
    expect(await lines('futbol')).toEqual([7]);
    // A rebuild gives the same answers.
    await new SearchStore(store).reindex();
    expect(await lines('nino')).toEqual([1, 2, 7, 'message ' + (await newest('otro niño'))].sort());
    expect((await search('perez')).groups.map((g) => g.subject)).toEqual(['Familia Pérez']);
  });

  async function newest(text: string): Promise<number> {
    const r = await store.db.get<{ id: number }>('SELECT id FROM messages WHERE case_id = ? AND text = ?', [
      store.caseId,
      text,
    ]);
    return Number(r!.id);
  }

  it('pages by relevance then time, with the total', async () => {
    const all = await search('pap* OR nino');
    const first = await searchCase(store, { q: 'pap* OR nino', limit: 2, offset: 0 });
    const second = await searchCase(store, { q: 'pap* OR nino', limit: 2, offset: 2 });
    expect(first.total).toBe(all.total);
    expect([...first.items, ...second.items].map((h) => h.messageId)).toEqual(
      all.items.slice(0, 4).map((h) => h.messageId),
    );
    const scores = all.items.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('answers over HTTP with case.read, audits the search, refuses a bad query with 400', async () => {
    const before = (await store.readAudit()).length;
    const url = `/api/cases/${alder.id}/search?q=${encodeURIComponent('"sin papeles"')}&limit=5`;
    const res = await get('lena', url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((h: { messageId: number }) => h.messageId)).toEqual([id[3]]);
    const entry = (await store.readAudit()).at(-1)!;
    expect([entry.actor, entry.action, entry.args, entry.result]).toEqual([
      'lena',
      'search',
      { q: '"sin papeles"', filters: {}, offset: 0, limit: 5 },
      { ok: true, total: 1, returned: 1 },
    ]);
    const bad = await get('lena', `/api/cases/${alder.id}/search?q=${encodeURIComponent('"open')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/quote is not closed/);
    expect((await get('lena', `/api/cases/${alder.id}/search?q=x&color=red`)).statusCode).toBe(400);
    expect((await get('lena', `/api/cases/${alder.id}/search?q=x&limit=501`)).statusCode).toBe(400);
    // No query: an empty answer, nothing read, nothing logged.
    const empty = await get('lena', `/api/cases/${alder.id}/search`);
    expect(empty.json()).toMatchObject({ total: 0, items: [] });
    // The search, the refused search (and nothing else) are in the log.
    expect((await store.readAudit()).slice(before).map((e) => e.action)).toEqual(['search', 'search']);
    // Bea leads Birch only: Alder does not exist for her.
    const other = await get('bea', url);
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'no such case' });
    expect(other.body).not.toContain('papeles');
  });

  it('searches a synthetic device: a word finds exactly the messages whose text has it', async () => {
    const b = (await ws.openCase(birch.id))!;
    const op = await synthOperation(7, 'small');
    const d = op.devices[0]!;
    await ingestPaths(
      b.store,
      d.files.map((f) => join(op.dir, f)),
      { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
    );
    const texts = await b.store.db.all<{ id: number; text: string }>(
      'SELECT id, text FROM messages WHERE case_id = ? AND text IS NOT NULL',
      [birch.id],
    );
    expect(texts.length).toBeGreaterThan(50);
    // Words of plain ASCII letters counted by a regular expression, independently of the index.
    const count = new Map<string, Set<number>>();
    for (const t of texts)
      for (const w of t.text.toLowerCase().split(/[^\p{L}\p{N}]+/u))
        if (/^[a-z]{4,}$/.test(w)) (count.get(w) ?? count.set(w, new Set()).get(w)!).add(Number(t.id));
    const picked = [...count.entries()].filter(([, s]) => s.size >= 2).slice(0, 5);
    expect(picked.length).toBe(5);
    for (const [word, ids] of picked) {
      const r = await searchCase(b.store, { q: word, limit: 500 });
      expect(
        r.items.map((h) => h.messageId).sort((x, y) => x - y),
        word,
      ).toEqual([...ids].sort((x, y) => x - y));
    }
    // Alder's words are not in Birch.
    expect((await searchCase(b.store, { q: 'papelera' })).total).toBe(0);
  }, 300_000);

  it('prints hits from the CLI, and --json for scripts', async () => {
    const familia = (await search('"sin papeles"')).items[0]!.chat.id;
    const pg = target.name === 'postgres' ? ['--store', target.store] : [];
    const json = filet([
      'search',
      caseDir,
      'papel -"sin papeles"',
      '--group',
      String(familia),
      '--json',
      ...pg,
    ]);
    expect(json.code, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.items.map((h: { text: string }) => h.text)).toEqual(['sin tener papeles ni papel']);
    const logged = (await store.readAudit()).at(-1)!;
    expect([logged.actor, logged.action, logged.args, logged.result]).toEqual([
      'test-runner',
      'search',
      { q: 'papel -"sin papeles"', filters: { group: familia }, offset: 0, limit: 20 },
      { ok: true, total: 1, returned: 1 },
    ]);
    const human = filet(['search', caseDir, 'nino', '--to', '2023-03-14', ...pg]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`message #${id[1]}`);
    expect(human.stdout).toContain('El «niño» llegó tarde a la escuela');
    expect(human.stdout).toContain('chat #');
    expect(human.stdout).toContain('2 message(s) match');
    const bad = filet(['search', caseDir, 'a OR', ...pg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/OR must stand between two terms/);
  });
});
