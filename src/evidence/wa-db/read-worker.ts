/**
 * Worker side of budget.ts: runs one reader over one database and posts its records in batches — when a
 * batch is full or a fifth of a second old, so a slow but steady reader is never taken for a stalled
 * one. At most two batches are in flight: the ingest writes while the worker reads the next, and a slow
 * store holds the reader back instead of letting records pile up in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EvidenceReader, ParsedRecord, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { UserError } from '../../util/errors.js';
import type { SqliteBudget, WorkerMessage } from './budget.js';
import { setSqliteBudget } from './sqlite.js';

interface Job {
  module: string;
  exportName: string;
  path: string;
  options: ReaderOptions;
  notes: ReaderNotes;
  budget: SqliteBudget;
}

const BATCH = 1000;
const BATCH_MS = 200;
const IN_FLIGHT = 2;

const port = parentPort!;
const job = workerData as Job;
let credit = IN_FLIGHT;
let wake: (() => void) | null = null;
port.on('message', () => {
  credit++;
  wake?.();
});

async function send(records: ParsedRecord[]): Promise<void> {
  while (credit <= 0) await new Promise<void>((r) => (wake = r));
  wake = null;
  credit--;
  port.postMessage({ type: 'records', records } satisfies WorkerMessage);
}

async function run(): Promise<void> {
  setSqliteBudget(job.budget);
  const reader = ((await import(job.module)) as Record<string, EvidenceReader>)[job.exportName];
  if (!reader) throw new Error(`${job.module} exports no reader ${job.exportName}`);
  let batch: ParsedRecord[] = [];
  let since = Date.now();
  for await (const rec of reader.read(job.path, job.options, job.notes)) {
    batch.push(rec);
    if (batch.length >= BATCH || Date.now() - since >= BATCH_MS) {
      await send(batch);
      batch = [];
      since = Date.now();
    }
  }
  if (batch.length) await send(batch);
  port.postMessage({ type: 'done', notes: job.notes } satisfies WorkerMessage);
}

run().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  port.postMessage({
    type: 'error',
    className: e instanceof UserError ? e.constructor.name : 'Error',
    message: e.message,
    ...(e instanceof UserError && e.where ? { where: e.where } : {}),
    ...(e.stack ? { stack: e.stack } : {}),
  } satisfies WorkerMessage);
});
