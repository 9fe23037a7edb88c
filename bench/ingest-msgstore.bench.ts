// Android msgstore.db ingest: a synthetic new-schema database of 1,000,000 messages (cached in the OS temp
// folder). Figures: the reader alone (records/s) against a plain SELECT over the message table (baseline,
// same run); ingest into a SQLite case (and PostgreSQL when FILET_TEST_PG_URL is set): messages/s and peak
// RSS; and peak RSS at 250k vs 1M messages, to show memory does not grow with the input. Each measurement
// runs in its own child process so its peak RSS is its own. BENCH_MESSAGES overrides the 1M size.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResult } from './lib.js';

const self = fileURLToPath(import.meta.url);
const BIG = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const SMALL = Math.round(BIG / 4);
const dbPath = (n: number) => join(tmpdir(), `filet-bench-msgstore-${n}-s1`, 'databases', 'msgstore.db');

interface Figures {
  mode: string;
  messages: number;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  messagesPerSecond: number;
  peakRssMiB: number;
}

async function child(mode: string, path: string): Promise<void> {
  const t0 = performance.now();
  let messages = 0;
  let records = 0;
  if (mode === 'select') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path, { readonly: true, fileMustExist: true });
    for (const r of db.prepare('SELECT * FROM message').iterate()) {
      if (r) records++;
    }
    messages = records;
    db.close();
  } else if (mode === 'read') {
    const { androidMsgstoreReader } = await import('../src/evidence/android-msgstore/index.js');
    for await (const r of androidMsgstoreReader.read(path, { deviceLabel: 'BENCH', tz: 'UTC' }, {})) {
      records++;
      if (r.type === 'message') messages++;
    }
  } else {
    const { initCase } = await import('../src/store/case-dir.js');
    const { ingestPaths } = await import('../src/evidence/ingest.js');
    const dir = join(tmpdir(), `filet-bench-msgstore-case-${mode}-${process.pid}`);
    const { store } = await initCase(dir, {
      store: mode === 'sqlite' ? 'sqlite' : process.env.FILET_TEST_PG_URL,
    });
    const [out] = await ingestPaths(store, [path], { device: 'BENCH', tz: 'UTC' });
    if (out.status === 'ingested') {
      messages = out.stats.messages.new + out.stats.messages.duplicate;
      records = out.stats.provenance;
    }
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  const fig: Figures = {
    mode,
    messages,
    records,
    seconds,
    recordsPerSecond: records / seconds,
    messagesPerSecond: messages / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(fig) + '\n');
}

function runChild(mode: string, path: string): Figures {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, mode, path], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
  const fig = JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
  console.log(`${mode} ${path}: ${JSON.stringify(fig)}`);
  return fig;
}

async function main(): Promise<void> {
  const [mode, path] = process.argv.slice(2);
  if (mode) return child(mode, path);
  const { writeLargeMsgstore } = await import('../src/synth/devices/large-msgstore.js');
  for (const n of [SMALL, BIG]) {
    if (existsSync(dbPath(n))) continue;
    console.log(`generating a ${n}-message msgstore.db…`);
    writeLargeMsgstore(dbPath(n), {
      messages: n,
      groups: Math.max(10, Math.round(n / 1000)),
      members: 5000,
      seed: 1,
    });
  }
  const select = runChild('select', dbPath(BIG));
  const read = runChild('read', dbPath(BIG));
  const sqlite = runChild('sqlite', dbPath(BIG));
  const sqliteSmall = runChild('sqlite', dbPath(SMALL));
  const figures: Record<string, Figures> = { read, sqlite, [`sqlite${SMALL}`]: sqliteSmall };
  if (process.env.FILET_TEST_PG_URL) figures.postgres = runChild('postgres', dbPath(BIG));
  else console.warn('FILET_TEST_PG_URL not set: PostgreSQL not measured');
  writeResult({
    name: 'ingest-msgstore',
    inputs: { messages: BIG, smallMessages: SMALL, seed: 1, database: dbPath(BIG) },
    figures: figures as unknown as Record<string, Record<string, unknown>>,
    baseline: { plainSelect: select as unknown as Record<string, unknown> },
    ratios: {
      readRowsPerSecondVsSelect: read.recordsPerSecond / select.recordsPerSecond,
      sqliteMessagesPerSecondVsSelect: sqlite.messagesPerSecond / select.recordsPerSecond,
      sqlitePeakRssBigVsSmall: sqlite.peakRssMiB / sqliteSmall.peakRssMiB,
      ...(figures.postgres
        ? { postgresMessagesPerSecondVsSelect: figures.postgres.messagesPerSecond / select.recordsPerSecond }
        : {}),
    },
    notes:
      'select = plain SELECT * FROM message iterated (no mapping); read = the reader alone (records: accounts, groups, ' +
      'members, media, messages, events); sqlite/postgres = initCase + ingestPaths with provenance. ' +
      `Target on SQLite: >= 100,000 messages/s.`,
  });
}

await main();
