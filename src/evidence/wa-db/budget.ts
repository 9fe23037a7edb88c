/**
 * A budget for reading seized SQLite databases. A database can be hostile (crafted by a suspect) or
 * damaged, and better-sqlite3 runs every statement to completion on the calling thread with no way to
 * interrupt it. So each SQLite reader (Android msgstore, its encrypted backups, iOS ChatStorage) runs in a
 * worker thread (read-worker.ts) that the ingest can terminate:
 * - **stall**: the worker must deliver records; when the ingest has waited this long without one (a
 *   statement that never returns a row, a quadratic plan, junk the reader skips row after row), the worker
 *   is terminated;
 * - **total**: the whole read of one database may not take longer than this;
 * - **heap**: the worker's JavaScript heap (V8 old generation) is capped, so a table that would have to
 *   be held whole (10^8 rows of junk in `jid`) ends the worker, not the process;
 * - **cell**: before anything is read, the largest record of every table is measured from the page
 *   headers (SQLite's dbstat, no cell is loaded) and a record larger than this is refused, naming the
 *   table — the native buffer and the JavaScript string of one cell stay bounded.
 * Besides the budget, every private copy is opened with a bounded page cache (64 MB), no memory map,
 * `trusted_schema` off, `cell_size_check` on; only tables are read (views, virtual tables and tables with
 * generated columns never: their content is code that runs on read). Each limit failing ends the read
 * with a UserError naming the file and the limit (and how to raise it); the ingest transaction rolls back,
 * so nothing is written to the case. Overridable for legitimately huge cases with
 * `filet ingest --sqlite-budget stall=10m,total=24h,heap=8GB,cell=512MB` (ReaderOptions.sqliteBudget).
 */
import { Worker } from 'node:worker_threads';
import type { EvidenceReader, ParsedRecord, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { UserError } from '../../util/errors.js';
import { DamagedBackupError, WrongKeyError } from '../android-crypt/decrypt.js';

export interface SqliteBudget {
  /** Longest wait for the next records from the reader, in seconds. */
  stallSeconds: number;
  /** Longest read of one database, in seconds. */
  totalSeconds: number;
  /** The reader's JavaScript heap, in MB. */
  heapMb: number;
  /** Largest record (row payload) accepted in any table, in bytes. */
  maxCellBytes: number;
}

export const DEFAULT_SQLITE_BUDGET: SqliteBudget = {
  stallSeconds: 120,
  totalSeconds: 6 * 3600,
  heapMb: 2048,
  maxCellBytes: 64 * 1024 * 1024,
};

const UNITS_S: Record<string, number> = { '': 1, s: 1, m: 60, min: 60, h: 3600 };
const UNITS_B: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `stall=120s,total=6h,heap=2GB,cell=64MB` (any subset) → a budget over the defaults. */
export function parseSqliteBudget(spec: string): Partial<SqliteBudget> {
  const out: Partial<SqliteBudget> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(stall|total|heap|cell)=(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(part);
    const unit = m?.[3]?.toLowerCase() ?? '';
    const isTime = m?.[1] === 'stall' || m?.[1] === 'total';
    const factor = m ? (isTime ? UNITS_S[unit] : UNITS_B[unit]) : undefined;
    if (!m || factor === undefined || Number(m[2]) <= 0)
      throw new UserError(
        `--sqlite-budget: cannot read "${part}" (give e.g. stall=120s,total=6h,heap=2GB,cell=64MB)`,
      );
    const v = Number(m[2]) * factor;
    if (m[1] === 'stall') out.stallSeconds = v;
    else if (m[1] === 'total') out.totalSeconds = v;
    else if (m[1] === 'heap') out.heapMb = Math.max(64, Math.round(v / 1024 ** 2));
    else out.maxCellBytes = Math.round(v);
  }
  return out;
}

export function budgetOf(options: Pick<ReaderOptions, 'sqliteBudget'>): SqliteBudget {
  return { ...DEFAULT_SQLITE_BUDGET, ...(options.sqliteBudget ?? {}) };
}

const mb = (n: number) => `${Math.round(n / 1024 ** 2)} MB`;

/** What the worker sends: records, the final notes, or the error that ended the read. */
export type WorkerMessage =
  | { type: 'records'; records: ParsedRecord[] }
  | { type: 'done'; notes: ReaderNotes }
  | { type: 'error'; className: string; message: string; where?: UserError['where']; stack?: string };

const ERROR_CLASSES: Record<string, new (m: string) => UserError> = {
  UserError,
  WrongKeyError,
  DamagedBackupError,
};

function rebuild(msg: Extract<WorkerMessage, { type: 'error' }>): Error {
  const Cls = ERROR_CLASSES[msg.className];
  if (!Cls) {
    const e = new Error(msg.message);
    if (msg.stack) e.stack = msg.stack;
    return e;
  }
  // The message already names the file and place (UserError formats them in): keep it as it is.
  const e = new Cls(msg.message);
  if (msg.where) Object.defineProperty(e, 'where', { value: msg.where });
  return e;
}

function spawn(data: unknown, heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./read-worker.js', import.meta.url), { workerData: data, resourceLimits });
  // From the .ts sources (vitest, tsx): tsx must be installed inside the worker (see hashing/pool.ts).
  const boot = new URL('../../hashing/tsx-worker-boot.mjs', import.meta.url);
  return new Worker(boot, {
    workerData: { ...(data as object), tsEntry: new URL('./read-worker.ts', import.meta.url).href },
    resourceLimits,
  });
}

/**
 * The reader, run in a worker under the budget. `module` is the URL of the module exporting the plain
 * reader as `exportName` (the worker imports it there). Records stream back in batches; the notes the
 * reader filled are copied into `notes` when it finishes.
 */
export function budgetedReader(reader: EvidenceReader, module: URL, exportName: string): EvidenceReader {
  return {
    ...reader,
    read: (path, options, notes) => readInWorker(module, exportName, path, options, notes),
  };
}

async function* readInWorker(
  module: URL,
  exportName: string,
  path: string,
  options: ReaderOptions,
  notes: ReaderNotes,
): AsyncGenerator<ParsedRecord> {
  const budget = budgetOf(options);
  const worker = spawn({ module: module.href, exportName, path, options, notes, budget }, budget.heapMb);
  const inbox: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
    wake?.();
  };
  worker.on('message', (m: WorkerMessage) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (err: Error & { code?: string }) =>
    fail(
      err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new UserError(
            `reading this database needed more memory than its budget (heap ${budget.heapMb} MB): a table too ` +
              'large to hold, or a hostile database; nothing was recorded. Raise it with --sqlite-budget heap=…',
            { file: path },
          )
        : err,
    ),
  );
  worker.on('exit', (code) =>
    fail(
      new UserError(`the reader stopped (exit code ${code}) before finishing; nothing was recorded`, {
        file: path,
      }),
    ),
  );
  const started = Date.now();
  const overTime = (why: string, limit: string) =>
    new UserError(
      `reading this database took longer than its budget (${why}): a hostile, damaged or unusually large ` +
        `database; nothing was recorded. Raise it with --sqlite-budget ${limit}`,
      { file: path },
    );
  try {
    for (;;) {
      if (!inbox.length && !failure) {
        const left = budget.totalSeconds * 1000 - (Date.now() - started);
        const wait = Math.min(budget.stallSeconds * 1000, left);
        const timedOut = await new Promise<boolean>((res) => {
          const t = setTimeout(() => res(true), Math.max(0, wait));
          wake = () => {
            clearTimeout(t);
            res(false);
          };
        });
        wake = null;
        if (timedOut && !inbox.length && !failure) {
          throw left <= budget.stallSeconds * 1000
            ? overTime(`${budget.totalSeconds} s in all`, 'total=…')
            : overTime(`no record for ${budget.stallSeconds} s`, 'stall=…');
        }
      }
      const m = inbox.shift();
      if (!m) throw failure!;
      if (m.type === 'records') {
        worker.postMessage('more');
        yield* m.records;
      } else if (m.type === 'done') {
        for (const k of Object.keys(notes)) delete notes[k];
        Object.assign(notes, m.notes);
        return;
      } else throw rebuild(m);
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}

/** The cell limit's message (sqlite.ts checks it before reading). */
export function cellTooLarge(table: string, bytes: number, limit: number): string {
  return (
    `table ${table} holds a record of ${mb(bytes)}, over the ${mb(limit)} budget for one record: a hostile ` +
    'or damaged database (WhatsApp keeps no such cells); nothing was read. Raise it with --sqlite-budget cell=…'
  );
}
