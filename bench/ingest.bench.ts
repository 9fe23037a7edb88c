// Ingest throughput (messages/s) and peak RSS of a synthetic operation, on SQLite and on PostgreSQL.
// Each store runs in its own child process so its peak RSS is its own. Baseline: reading (parsing) the
// same evidence without a store, measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResult } from './lib.js';

const scale = (process.env.BENCH_SCALE ?? 'medium') as 'small' | 'medium' | 'large';
const opDir = join(tmpdir(), `filet-bench-op-${scale}-1`);
const self = fileURLToPath(import.meta.url);

interface Figures {
  store: string;
  messages: number;
  records: number;
  seconds: number;
  messagesPerSecond: number;
  peakRssMiB: number;
}

async function child(mode: string): Promise<void> {
  const { detectReader } = await import('../src/evidence/registry.js');
  const devices = JSON.parse(readFileSync(join(opDir, 'devices.json'), 'utf8')) as {
    label: string;
    owner: string;
    ownerName: string;
    tz: string;
    locale: string;
    files: string[];
  }[];
  const t0 = performance.now();
  let messages = 0;
  let records = 0;
  if (mode === 'read') {
    for (const d of devices)
      for (const f of d.files) {
        const path = join(opDir, f);
        const { reader } = await detectReader(path);
        for await (const r of reader.read(
          path,
          { deviceLabel: d.label, tz: d.tz, owner: d.owner, ownerName: d.ownerName, locale: d.locale },
          {},
        )) {
          records++;
          if (r.type === 'message') messages++;
        }
      }
  } else {
    const { initCase } = await import('../src/store/case-dir.js');
    const { ingestPaths } = await import('../src/evidence/ingest.js');
    const dir = join(tmpdir(), `filet-bench-case-${mode}-${process.pid}`);
    const { store } = await initCase(dir, {
      store: mode === 'sqlite' ? 'sqlite' : process.env.FILET_TEST_PG_URL,
    });
    for (const d of devices) {
      const out = await ingestPaths(
        store,
        d.files.map((f) => join(opDir, f)),
        { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
      );
      for (const o of out)
        if (o.status === 'ingested') {
          messages += o.stats.messages.new + o.stats.messages.duplicate;
          records += o.stats.provenance;
        }
    }
    await store.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const fig: Figures = {
    store: mode,
    messages,
    records,
    seconds,
    messagesPerSecond: messages / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(fig) + '\n');
}

function runChild(mode: string): Figures {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, mode], {
    encoding: 'utf8',
    env: process.env,
  });
  if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode) return child(mode);
  if (!existsSync(join(opDir, 'devices.json'))) {
    const { synthesize } = await import('../src/synth/index.js');
    console.log(`generating synth ${scale} in ${opDir}…`);
    await synthesize({ out: opDir, seed: 1, scale });
  }
  const baseline = runChild('read');
  const sqlite = runChild('sqlite');
  const figures: Record<string, Figures> = { sqlite };
  if (process.env.FILET_TEST_PG_URL) figures.postgres = runChild('postgres');
  else console.warn('FILET_TEST_PG_URL not set: PostgreSQL not measured');
  writeResult({
    name: `ingest-exports-${scale}`,
    inputs: { scale, seed: 1, operation: opDir, messagesRead: baseline.messages },
    figures: figures as unknown as Record<string, Record<string, unknown>>,
    baseline: { read: baseline as unknown as Record<string, unknown> },
    ratios: Object.fromEntries(
      Object.entries(figures).map(([k, f]) => [
        `${k}MessagesPerSecondVsRead`,
        f.messagesPerSecond / baseline.messagesPerSecond,
      ]),
    ),
    notes:
      'messages counts every message record ingested (new + duplicates across devices); read = parsing only',
  });
}

await main();
