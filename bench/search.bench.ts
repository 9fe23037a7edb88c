/**
 * Full-text search (docs/search.md) against a `LIKE '%…%'` scan of the same messages, in the same run, per
 * engine. Messages are generated straight into a case store (not through synth images): a synthetic
 * vocabulary in five languages (accented letters included), word frequencies Zipf-distributed, 3–20 words
 * a message. They are inserted as ingest inserts them (store.db.insertMany into `messages`, in one
 * transaction per batch), so the index triggers run as in an ingest; that time is reported. Then 20 typical
 * queries (words of several frequencies, two-word ANDs, phrases, prefixes, with a group or period filter)
 * each run REPEAT times through SearchStore (a page of 50 and the total), and the same questions as LIKE
 * scans (count and page), for p50/p95 latency and the ratio.
 *
 * FILET_BENCH_SEARCH_MESSAGES (default 1,000,000); FILET_BENCH_SEARCH_PG_MESSAGES (default: the same) for
 * PostgreSQL, which runs when FILET_BENCH_PG_URL (or FILET_TEST_PG_URL) is set.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery } from '../src/search/query.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import type { Param } from '../src/store/driver.js';
import { MESSAGE_COLS } from '../src/store/ingest-writer.js';
import { SearchStore, type SearchFilters } from '../src/store/search-store.js';
import { tempDir } from '../test/helpers/stores.js';
import { writeResult } from './lib.js';

const SIZE = Number(process.env.FILET_BENCH_SEARCH_MESSAGES ?? 1_000_000);
const PG_SIZE = Number(process.env.FILET_BENCH_SEARCH_PG_MESSAGES ?? SIZE);
const PG_URL = process.env.FILET_BENCH_PG_URL ?? process.env.FILET_TEST_PG_URL;
const REPEAT = Number(process.env.FILET_BENCH_SEARCH_REPEAT ?? 5);
const VOCABULARY = 20_000;
const GROUPS = 200;
const ACCOUNTS = 2_000;
const BATCH = 5_000;
const T0 = Date.UTC(2023, 0, 1);
const SPAN = 365 * 86_400_000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Syllables per language; accented ones where the language has them. */
const SYLLABLES: Record<string, string[]> = {
  es: [
    'ca',
    'sa',
    'ni',
    'ño',
    'pa',
    'pel',
    'es',
    'ta',
    'ción',
    'mi',
    'go',
    'lle',
    'gó',
    'rá',
    'do',
    'ma',
    'ña',
    'na',
  ],
  pt: ['ão', 'ção', 'ma', 'nh', 'lh', 'ei', 'ro', 'cê', 'vo', 'pa', 'lá', 'gua', 'ti', 'ço', 'be', 'sa'],
  en: ['the', 'ing', 'er', 'st', 'ou', 'ght', 'wa', 'ter', 'bo', 'ok', 'pl', 'ay', 'sh', 'ow', 'kn', 'it'],
  it: ['zi', 'one', 'gli', 'chi', 'ra', 'za', 'tto', 'bel', 'la', 'mo', 'per', 'ché', 'cit', 'tà', 'vo'],
  de: ['sch', 'ei', 'ü', 'ber', 'ge', 'ung', 'ä', 'ch', 'str', 'aße', 'ö', 'ken', 'wa', 'ld', 'ner'],
};

function vocabulary(rand: () => number): string[] {
  const langs = Object.keys(SYLLABLES);
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < VOCABULARY) {
    const syl = SYLLABLES[langs[out.length % langs.length]!]!;
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syl[Math.floor(rand() * syl.length)]!;
    if (seen.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
  return out;
}

/** Zipf (s = 1) sampler over ranks 0…n-1 by inverse CDF on a precomputed table. */
function zipf(n: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

interface BenchQuery {
  name: string;
  q: string;
  filters: SearchFilters;
  /** The same question as LIKE patterns (all must match), for the baseline. */
  like: string[];
}

async function generate(
  store: CaseStore,
  size: number,
  words: string[],
): Promise<{ insertMs: number; bigrams: string[] }> {
  const rand = rng(13);
  const pick = zipf(words.length, rand);
  const c = store.caseId;
  await store.transaction(async (s) => {
    await s.db.insertMany(
      'accounts',
      ['case_id', 'id', 'key', 'kind', 'phone'],
      Array.from({ length: ACCOUNTS }, (_, i) => [
        c,
        i + 1,
        `phone:+3460${String(i).padStart(7, '0')}`,
        'phone',
        null,
      ]),
    );
    await s.db.insertMany(
      'chats',
      ['case_id', 'id', 'key', 'kind', 'subject'],
      Array.from({ length: GROUPS }, (_, i) => [
        c,
        i + 1,
        `group:${i + 1}`,
        'group',
        `Grupo ${words[i * 7]}`,
      ]),
    );
  });
  const bigrams: string[] = [];
  const t0 = performance.now();
  for (let start = 0; start < size; start += BATCH) {
    const rows: Param[][] = [];
    for (let i = start; i < Math.min(size, start + BATCH); i++) {
      const n = 3 + Math.floor(rand() * 18);
      const ws: string[] = [];
      for (let k = 0; k < n; k++) ws.push(words[pick()]!);
      // Some capitals and punctuation, as people type.
      if (rand() < 0.3) ws[0] = ws[0]![0]!.toUpperCase() + ws[0]!.slice(1);
      const text = ws.join(' ') + (rand() < 0.5 ? '.' : '');
      if (bigrams.length < 50 && i % 997 === 0) bigrams.push(`${ws[1]} ${ws[2]}`.toLowerCase());
      rows.push([
        c,
        i + 1,
        `id:${i + 1}`,
        1 + Math.floor(rand() * GROUPS),
        1 + Math.floor(rand() * ACCOUNTS),
        T0 + Math.floor((i / size) * SPAN),
        'UTC',
        'text',
        text,
        0,
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
    }
    await store.transaction((s) => s.db.insertMany('messages', MESSAGE_COLS, rows));
  }
  return { insertMs: performance.now() - t0, bigrams };
}

function queries(words: string[], bigrams: string[]): BenchQuery[] {
  const w = (rank: number) => words[rank]!;
  const word = (rank: number, name: string): BenchQuery => ({
    name,
    q: w(rank),
    filters: {},
    like: [w(rank)],
  });
  const and = (a: number, b: number): BenchQuery => ({
    name: `and ${a}+${b}`,
    q: `${w(a)} ${w(b)}`,
    filters: {},
    like: [w(a), w(b)],
  });
  const phrase = (p: string, i: number): BenchQuery => ({
    name: `phrase ${i}`,
    q: `"${p}"`,
    filters: {},
    like: [p],
  });
  const prefix = (rank: number): BenchQuery => {
    const p = w(rank).slice(0, 4);
    return { name: `prefix ${p}`, q: `${p}*`, filters: {}, like: [p] };
  };
  return [
    word(3, 'word rank 3'),
    word(30, 'word rank 30'),
    word(300, 'word rank 300'),
    word(1_000, 'word rank 1000'),
    word(3_000, 'word rank 3000'),
    word(10_000, 'word rank 10000'),
    word(19_000, 'word rank 19000'),
    word(150, 'word rank 150'),
    and(10, 200),
    and(100, 1_000),
    and(500, 5_000),
    and(2, 3),
    phrase(bigrams[0]!, 1),
    phrase(bigrams[1]!, 2),
    phrase(bigrams[2]!, 3),
    prefix(40),
    prefix(400),
    prefix(4_000),
    { ...word(50, 'word rank 50 in group 7'), filters: { chatId: 7 } },
    {
      ...word(200, 'word rank 200 in one month'),
      filters: { from: T0 + 31 * 86_400_000, to: T0 + 59 * 86_400_000 },
    },
  ];
}

/** The baseline: the same question as a LIKE scan (ILIKE on PostgreSQL: case-insensitive like SQLite's LIKE). */
async function likeSearch(store: CaseStore, bq: BenchQuery): Promise<number> {
  const op = store.dialect === 'postgres' ? 'ILIKE' : 'LIKE';
  const params: Param[] = [store.caseId];
  let where = 'm.case_id = ?';
  for (const p of bq.like) {
    where += ` AND m.text ${op} ?`;
    params.push(`%${p}%`);
  }
  if (bq.filters.chatId !== undefined) {
    where += ' AND m.chat_id = ?';
    params.push(bq.filters.chatId);
  }
  if (bq.filters.from !== undefined) {
    where += ' AND m.at >= ? AND m.at < ?';
    params.push(bq.filters.from, bq.filters.to!);
  }
  const n = await store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM messages m WHERE ${where}`, params);
  await store.db.all(
    `SELECT m.id, m.text FROM messages m WHERE ${where} ORDER BY m.at, m.id LIMIT 50`,
    params,
  );
  return Number(n?.n ?? 0);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

async function benchEngine(engine: 'sqlite' | 'postgres', size: number, words: string[]) {
  const root = tempDir('filet-bench-search-');
  const { store } = await initCase(join(root, 'case'), { store: engine === 'sqlite' ? 'sqlite' : PG_URL });
  try {
    const { insertMs, bigrams } = await generate(store, size, words);
    if (engine === 'postgres') await store.db.exec('ANALYZE messages; ANALYZE search_messages');
    const search = new SearchStore(store);
    const fts: number[] = [];
    const like: number[] = [];
    const perQuery: Record<string, unknown> = {};
    for (const bq of queries(words, bigrams)) {
      const q = parseQuery(bq.q);
      const f: number[] = [];
      const l: number[] = [];
      let hits = 0;
      let likeHits = 0;
      for (let r = 0; r < REPEAT; r++) {
        let t = performance.now();
        hits = (await search.messages(q, bq.filters, 0, 50)).total;
        f.push(performance.now() - t);
        t = performance.now();
        likeHits = await likeSearch(store, bq);
        l.push(performance.now() - t);
      }
      fts.push(...f);
      like.push(...l);
      // LIKE '%x%' also matches inside longer words: its count is at least the index's.
      perQuery[bq.name] = {
        q: bq.q,
        hits,
        likeHits,
        ftsP50Ms: round(quantile(f, 0.5)),
        likeP50Ms: round(quantile(l, 0.5)),
      };
    }
    return {
      insertMs: Math.round(insertMs),
      insertPerSecond: Math.round(size / (insertMs / 1000)),
      ftsP50Ms: round(quantile(fts, 0.5)),
      ftsP95Ms: round(quantile(fts, 0.95)),
      likeP50Ms: round(quantile(like, 0.5)),
      likeP95Ms: round(quantile(like, 0.95)),
      perQuery,
    };
  } finally {
    if (engine === 'postgres')
      for (const t of ['search_messages', 'messages', 'chats', 'accounts', 'audit', 'case_meta', 'cases'])
        await store.db.run(`DELETE FROM ${t} WHERE case_id = ?`, [store.caseId]);
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const words = vocabulary(rng(7));
const engines: ['sqlite' | 'postgres', number][] = [['sqlite', SIZE]];
if (PG_URL) engines.push(['postgres', PG_SIZE]);
const figures: Record<string, Record<string, unknown>> = {};
const baseline: Record<string, Record<string, unknown>> = {};
const ratios: Record<string, number> = {};
for (const [engine, size] of engines) {
  console.log(`search bench: ${engine}, ${size} messages…`);
  const r = await benchEngine(engine, size, words);
  figures[engine] = {
    messages: size,
    insertWithIndexMs: r.insertMs,
    insertPerSecond: r.insertPerSecond,
    p50Ms: r.ftsP50Ms,
    p95Ms: r.ftsP95Ms,
    perQuery: r.perQuery,
  };
  baseline[engine] = { likeScanP50Ms: r.likeP50Ms, likeScanP95Ms: r.likeP95Ms };
  ratios[`${engine}P50Speedup`] = round(r.likeP50Ms / r.ftsP50Ms);
  ratios[`${engine}P95Speedup`] = round(r.likeP95Ms / r.ftsP95Ms);
}
writeResult({
  name: 'search',
  inputs: {
    messages: SIZE,
    pgMessages: PG_URL ? PG_SIZE : null,
    vocabulary: VOCABULARY,
    languages: Object.keys(SYLLABLES),
    wordsPerMessage: '3–20, Zipf s=1',
    groups: GROUPS,
    accounts: ACCOUNTS,
    queries: 20,
    repeat: REPEAT,
    page: 50,
  },
  figures,
  baseline,
  ratios,
  notes:
    'Each query: a page of 50 by relevance then time, and the total count (SearchStore.messages). Baseline: ' +
    "the same question as LIKE '%…%' (ILIKE on PostgreSQL) count and page over the same table in the same run. " +
    'Insert time includes the index triggers (the index is kept as an ingest writes).',
});
