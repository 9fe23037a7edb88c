// Hash + match of generated images as jobs (docs/jobs.md): 1 worker process vs 2 worker processes on one
// PostgreSQL database (pg-boss), and the same on one SQLite case file (the case's own queue). Images/s of
// the hash phase and of the whole run, the scaling ratio 2 vs 1, and, as the baseline, the same hashing
// inline (`filet match`, one thread) in this process. FILET_BENCH_WORKERS_IMAGES (default 20000) sets the
// image count, FILET_BENCH_WORKERS_SIZE (default 320x240) their size; PostgreSQL from FILET_TEST_PG_URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestPaths } from '../src/evidence/ingest.js';
import { matchCase } from '../src/matching/match.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import { renderImage, type ImageStyle } from '../src/synth/images.js';
import { writeResult } from './lib.js';

const COUNT = Number(process.env.FILET_BENCH_WORKERS_IMAGES ?? 20_000);
const [W, H] = (process.env.FILET_BENCH_WORKERS_SIZE ?? '320x240').split('x').map(Number) as [number, number];
const BATCH = 200;
const PG = process.env.FILET_TEST_PG_URL;
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
// The CLI from its TypeScript source, as the tests run it (a worktree has no build).
const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'test', 'helpers', 'cli-entry.ts')];
const DIR = join(tmpdir(), `filet-bench-workers-v1-${W}x${H}`);
const STYLES: ImageStyle[] = ['shapes', 'stripes', 'gradient', 'noise'];

// The bench's own audit key, never the user's.
if (!process.env.FILET_AUDIT_KEY_FILE) {
  const keyDir = mkdtempSync(join(tmpdir(), 'filet-bench-audit-key-'));
  process.env.FILET_AUDIT_KEY_FILE = join(keyDir, 'audit.key');
}

const name = (i: number) => `${String(i + 1).padStart(8, '0')}-PHOTO-2020-01-01-00-00-00.jpg`;

/** The images (cached between runs) and an iOS-style export .txt beside them that attaches `COUNT` of them. */
async function exportFile(): Promise<string> {
  mkdirSync(DIR, { recursive: true });
  const have = new Set(readdirSync(DIR));
  const missing = Array.from({ length: COUNT }, (_, i) => i).filter((i) => !have.has(name(i)));
  if (missing.length) console.log(`generating ${missing.length} ${W}x${H} images into ${DIR} (cached)…`);
  for (let k = 0; k < missing.length; k += 8)
    await Promise.all(
      missing.slice(k, k + 8).map(async (i) => {
        const bytes = await renderImage({ seed: 1000 + i, width: W, height: H, style: STYLES[i % 4]! });
        writeFileSync(join(DIR, `${name(i)}.part`), bytes);
        renameSync(join(DIR, `${name(i)}.part`), join(DIR, name(i)));
      }),
    );
  const txt = join(DIR, `_chat-${COUNT}.txt`);
  if (!existsSync(txt)) {
    const lines = ['[01/01/2020, 00:00:00] \u200eMessages and calls are end-to-end encrypted.'];
    for (let i = 0; i < COUNT; i++) {
      const s = i % 60;
      const m = Math.floor(i / 60) % 60;
      const h = Math.floor(i / 3600) % 24;
      const p = (n: number) => String(n).padStart(2, '0');
      lines.push(`[01/01/2020, ${p(h)}:${p(m)}:${p(s)}] Bench ${i % 7}: \u200e<attached: ${name(i)}>`);
    }
    writeFileSync(`${txt}.part`, lines.join('\n') + '\n');
    renameSync(`${txt}.part`, txt);
  }
  return txt;
}

async function newCase(store: string, txt: string): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'filet-bench-workers-')), 'case');
  const made = await initCase(dir, { store });
  try {
    const t0 = performance.now();
    await ingestPaths(made.store, [txt], { device: 'bench', tz: 'UTC', locale: 'en-GB' });
    const media = await made.store.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM media WHERE case_id = ? AND present = 1',
      [made.store.caseId],
    );
    if (Number(media!.n) !== COUNT) throw new Error(`ingest found ${media!.n} media, expected ${COUNT}`);
    console.log(
      `  case ${dir} (${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}): ingested ${COUNT} media in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } finally {
    await made.store.close();
  }
  return dir;
}

function cli(args: string[]) {
  const r = spawnSync(CLI[0]!, [...CLI.slice(1), ...args], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`filet ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Queues the case's hash + match jobs, runs `workers` worker processes until idle, and reads the jobs table. */
async function run(store: string, workers: number, txt: string) {
  const caseDir = await newCase(store, txt);
  cli(['match', caseDir, '--jobs', '--batch', String(BATCH), '--json']);
  const t0 = performance.now();
  const procs = Array.from({ length: workers }, () =>
    spawn(CLI[0]!, [...CLI.slice(1), 'worker', caseDir, '--until-idle', '--threads', '1'], {
      env: process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  const codes = await Promise.all(
    procs.map(
      (p) =>
        new Promise<number>((res) => {
          let err = '';
          p.stderr.on('data', (d: Buffer) => (err += d.toString()));
          p.on('exit', (code) => {
            if (code !== 0) console.error(err);
            res(code ?? -1);
          });
        }),
    ),
  );
  const wallSecs = (performance.now() - t0) / 1000;
  if (codes.some((c) => c !== 0)) throw new Error(`a worker failed: exit codes ${codes.join(', ')}`);
  const { store: s } = await openCase(caseDir);
  try {
    const jobs = await s.db.all<{
      kind: string;
      state: string;
      done: number;
      started_at: number;
      finished_at: number;
    }>('SELECT kind, state, done, started_at, finished_at FROM jobs WHERE case_id = ?', [s.caseId]);
    const hash = jobs.filter((j) => j.kind === 'hash');
    if (jobs.some((j) => j.state !== 'done')) throw new Error('not every job is done');
    const done = hash.reduce((n, j) => n + Number(j.done), 0);
    const hashed = await s.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM media WHERE case_id = ? AND pdq IS NOT NULL',
      [s.caseId],
    );
    if (done !== COUNT || Number(hashed!.n) !== COUNT)
      throw new Error(`hash jobs counted ${done} and hashed ${hashed!.n} of ${COUNT} media`);
    const first = Math.min(...hash.map((j) => Number(j.started_at)));
    const last = Math.max(...hash.map((j) => Number(j.finished_at)));
    const hashSecs = (last - first) / 1000;
    const fig = {
      workers,
      hashJobs: hash.length,
      hashSeconds: +hashSecs.toFixed(1),
      wallSeconds: +wallSecs.toFixed(1),
      hashImagesPerSec: +(COUNT / hashSecs).toFixed(1),
      wallImagesPerSec: +(COUNT / wallSecs).toFixed(1),
    };
    console.log(`  ${workers} worker(s): ${JSON.stringify(fig)}`);
    return fig;
  } finally {
    await s.close();
  }
}

/** The baseline: the same hashing inline (`filet match` in this process, one hashing thread). */
async function inline(txt: string) {
  const caseDir = await newCase('sqlite', txt);
  const { store } = await openCase(caseDir);
  try {
    const t0 = performance.now();
    const summary = await matchCase(store, caseDir, { threads: 1 });
    const secs = (performance.now() - t0) / 1000;
    if (summary.hashedNow !== COUNT) throw new Error(`inline match hashed ${summary.hashedNow} of ${COUNT}`);
    const fig = { seconds: +secs.toFixed(1), imagesPerSec: +(COUNT / secs).toFixed(1) };
    console.log(`  inline, 1 thread: ${JSON.stringify(fig)}`);
    return fig;
  } finally {
    await store.close();
  }
}

const txt = await exportFile();
// The machine's load when the runs began and ended: on a shared machine, other work takes cores from these.
const loadBefore = loadavg()[0]!;
console.log('baseline: inline on SQLite');
const base = await inline(txt);
console.log('SQLite, the case file as the queue');
const sqlite1 = await run('sqlite', 1, txt);
const sqlite2 = await run('sqlite', 2, txt);
let pg1: Awaited<ReturnType<typeof run>> | null = null;
let pg2: Awaited<ReturnType<typeof run>> | null = null;
if (PG) {
  console.log('PostgreSQL, pg-boss');
  pg1 = await run(PG, 1, txt);
  pg2 = await run(PG, 2, txt);
} else console.warn('FILET_TEST_PG_URL not set: PostgreSQL not measured');

const ratio = (a: number, b: number) => +(a / b).toFixed(2);
writeResult({
  name: 'workers',
  inputs: {
    images: COUNT,
    size: `${W}x${H}`,
    batch: BATCH,
    threadsPerWorker: 1,
    cores: availableParallelism(),
    postgres: PG ? 'FILET_TEST_PG_URL' : 'not measured',
    loadAverage1Min: { before: +loadBefore.toFixed(2), after: +loadavg()[0]!.toFixed(2) },
  },
  figures: {
    sqlite1,
    sqlite2,
    ...(pg1 && pg2 ? { postgres1: pg1, postgres2: pg2 } : {}),
  },
  baseline: { inlineSqlite1Thread: base },
  ratios: {
    sqlite2vs1: ratio(sqlite2.hashImagesPerSec, sqlite1.hashImagesPerSec),
    ...(pg1 && pg2
      ? {
          postgres2vs1: ratio(pg2.hashImagesPerSec, pg1.hashImagesPerSec),
          postgres1VsInline: ratio(pg1.hashImagesPerSec, base.imagesPerSec),
        }
      : {}),
    sqlite1VsInline: ratio(sqlite1.hashImagesPerSec, base.imagesPerSec),
  },
  notes:
    'Each worker is its own process with one hashing thread (--threads 1, --concurrency 1), so 2 workers use 2 cores; ' +
    `hash jobs of ${BATCH} media, written 20 at a time with their units and audit entry. hashSeconds: from the first ` +
    'hash job claimed to the last one finished (jobs table); wallSeconds: from starting the workers to the last one ' +
    'exiting (process start, pg-boss start, the match job and the idle check included). Ingest is not timed.',
});
