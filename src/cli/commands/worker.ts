import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { BossQueue } from '../../jobs/boss-queue.js';
import { HANDLERS, handlersFor } from '../../jobs/handlers.js';
import type { JobHandlers } from '../../jobs/types.js';
import { crossCaseFollowUp } from '../../app/cross-case.js';
import { openJobs } from '../../jobs/job-store.js';
import { LocalQueue, sleep } from '../../jobs/local-queue.js';
import { caseResolver } from '../../jobs/open.js';
import type { JobTarget } from '../../jobs/runner.js';
import type { JobQueue, WorkOptions } from '../../jobs/types.js';
import { caseStoreUrl, isPostgresUrl, openCase } from '../../store/case-dir.js';
import { CaseStore } from '../../store/case-store.js';
import type { SqlDriver } from '../../store/driver.js';
import { PostgresDriver, redactUrl } from '../../store/postgres-driver.js';
import { Workspace } from '../../store/workspace.js';
import { UserError } from '../../util/errors.js';
import { parsePositiveInt } from '../context.js';

interface WorkerCliOptions {
  store?: string;
  workspace?: string;
  concurrency: string;
  threads?: string;
  lostAfter: string;
  untilIdle?: boolean;
  json?: boolean;
}

/** What a worker serves: its queue, how to tell it is idle, and what to close at the end. */
interface Served {
  queue: JobQueue;
  describe: string;
  open: () => Promise<number>;
  close: () => Promise<void>;
  /** A workspace's worker keeps its cross-case index up; otherwise the plain handlers. */
  handlers?: JobHandlers;
}

async function serve(caseDir: string | undefined, o: WorkerCliOptions): Promise<Served> {
  if (o.store && !isPostgresUrl(o.store))
    throw new UserError(`--store takes a PostgreSQL URL (postgres://user@host/db), got "${o.store}"`);
  if (caseDir && o.workspace) throw new UserError('give a case folder or --workspace, not both');
  if (caseDir) {
    const { store, dir } = await openCase(caseDir, { store: o.store });
    const target: JobTarget = { store, dir };
    const url = caseStoreUrl(dir, o.store);
    if (!url)
      return {
        queue: new LocalQueue(async () => [target]),
        describe: `case ${dir} (SQLite: the case's own queue)`,
        open: () => openJobs(store.db, store.caseId),
        close: () => store.close(),
      };
    const queue = await BossQueue.open({
      url,
      db: store.db,
      resolve: caseResolver(store.db, { known: [target] }),
      maintain: true,
    });
    return {
      queue,
      describe: `every case in ${redactUrl(url)} (pg-boss)`,
      // --until-idle: until this case's jobs are done (the worker serves the others meanwhile).
      open: () => openJobs(store.db, store.caseId),
      close: async () => {
        await queue.close();
        await store.close();
      },
    };
  }
  if (o.workspace) {
    const ws = await Workspace.open(o.workspace, { store: o.store });
    const url = ws.storeUrl;
    if (!url) {
      const targets = async () => {
        const out: JobTarget[] = [];
        for (const c of await ws.installation.listCases()) {
          const opened = await ws.openCase(c.id);
          if (opened) out.push({ store: opened.store, dir: opened.dir });
        }
        return out;
      };
      return {
        queue: new LocalQueue(targets),
        describe: `the cases of workspace ${ws.dir} (SQLite: each case's own queue)`,
        handlers: handlersFor((s) => crossCaseFollowUp(ws.installation, s)),
        open: async () => {
          let n = 0;
          for (const t of await targets()) n += await openJobs(t.store.db, t.store.caseId);
          return n;
        },
        close: () => ws.close(),
      };
    }
    const db = ws.installation.scope.db;
    const queue = await BossQueue.open({
      url,
      db,
      resolve: caseResolver(db, { workspace: ws }),
      maintain: true,
    });
    return {
      queue,
      describe: `every case in ${redactUrl(url)} (pg-boss), folders through workspace ${ws.dir}`,
      handlers: handlersFor((s) => crossCaseFollowUp(ws.installation, s)),
      open: () => openJobs(db),
      close: async () => {
        await queue.close();
        await ws.close();
      },
    };
  }
  if (!o.store)
    throw new UserError(
      'give a case folder, --workspace DIR, or --store postgres://… (the database to serve)',
    );
  const db: SqlDriver = new PostgresDriver(o.store);
  try {
    await CaseStore.migrate(db);
  } catch (err) {
    await db.close();
    throw new UserError(`cannot open the database at ${redactUrl(o.store)}: ${(err as Error).message}`);
  }
  const queue = await BossQueue.open({ url: o.store, db, resolve: caseResolver(db), maintain: true });
  return {
    queue,
    describe: `every case in ${redactUrl(o.store)} (pg-boss), folders where their jobs name them`,
    open: () => openJobs(db),
    close: async () => {
      await queue.close();
      await db.close();
    },
  };
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run queued jobs (hash, match, ingest, analyze, report) until stopped (SIGTERM/Ctrl-C)')
    .argument('[case]', 'a case folder (SQLite: its queue; PostgreSQL: every case of its database)')
    .option('--store <url>', 'PostgreSQL: serve every case of this database')
    .option('--workspace <dir>', "serve a workspace's cases (on PostgreSQL: find their folders through it)")
    .option('--concurrency <n>', 'jobs run at once', '1')
    .option('--threads <n>', 'hashing threads per job (default: cores / concurrency)')
    .option(
      '--lost-after <seconds>',
      'a running job whose worker is silent this long is handed to another',
      '60',
    )
    .option('--until-idle', 'exit once no job is queued or running')
    .option('--json', 'one JSON object per line for each job started and ended')
    .addHelpText(
      'after',
      '\nExamples:\n  filet worker --store postgres://filet@db/filet --concurrency 2\n  filet worker ./op-x --until-idle',
    )
    .action(async (caseDir: string | undefined, o: WorkerCliOptions) => {
      const concurrency = parsePositiveInt(o.concurrency, '--concurrency');
      if (concurrency < 1) throw new UserError('--concurrency must be at least 1');
      const threads =
        o.threads === undefined
          ? Math.max(1, Math.floor(availableParallelism() / concurrency))
          : parsePositiveInt(o.threads, '--threads');
      if (threads < 1) throw new UserError('--threads must be at least 1');
      const lostAfter = Number(o.lostAfter);
      if (!Number.isFinite(lostAfter) || lostAfter < 1)
        throw new UserError(`--lost-after must be a number of seconds, at least 1, got "${o.lostAfter}"`);

      const served = await serve(caseDir, o);
      const say = (text: string, json: Record<string, unknown>) => {
        if (o.json) process.stdout.write(JSON.stringify({ at: new Date().toISOString(), ...json }) + '\n');
        else process.stderr.write(`filet worker: ${text}\n`);
      };
      const opts: WorkOptions = {
        concurrency,
        threads,
        lostAfterMs: lostAfter * 1000,
        onEvent: (e) =>
          say(
            `job ${e.job.id} (${e.job.kind}, case ${e.job.caseId}) ${e.type}` +
              (e.type === 'start'
                ? `, attempt ${e.job.attempts}, ${e.job.done}/${e.job.total} done before`
                : '') +
              (e.type === 'done' ? `, ${e.job.done}/${e.job.total}` : '') +
              (e.message ? `: ${e.message}` : ''),
            {
              event: e.type,
              case: e.job.caseId,
              job: e.job.id,
              kind: e.job.kind,
              attempt: e.job.attempts,
              done: e.job.done,
              total: e.job.total,
              ...(e.message ? { message: e.message } : {}),
            },
          ),
      };
      say(`serving ${served.describe}; ${concurrency} at once, ${threads} hashing thread(s) each`, {
        event: 'serving',
        what: served.describe,
        concurrency,
        threads,
        pid: process.pid,
      });
      const stopped = new Promise<string>((res) => {
        const onSignal = (sig: NodeJS.Signals) => {
          // A second signal does not wait for the running jobs' next unit boundary.
          process.once(sig, () => process.exit(130));
          res(sig);
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
      try {
        const stop = await served.queue.work(served.handlers ?? HANDLERS, opts);
        const idle = new AbortController();
        const untilIdle = o.untilIdle
          ? (async () => {
              // Two looks in a row: a follow-up is created in the transaction that ends its run's last job.
              let quiet = 0;
              while (quiet < 2) {
                await sleep(1000, idle.signal);
                if (idle.signal.aborted) return 'stopped';
                quiet = (await served.open()) === 0 ? quiet + 1 : 0;
              }
              return 'idle';
            })()
          : new Promise<string>(() => {});
        const why = await Promise.race([stopped, untilIdle]);
        idle.abort();
        say(
          why === 'idle' ? 'no job left: stopping' : `${why}: handing back running jobs at their next unit`,
          {
            event: 'stopping',
            reason: why,
          },
        );
        await stop();
      } finally {
        await served.close();
      }
    });
}
