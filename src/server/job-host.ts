import { availableParallelism } from 'node:os';
import { handlersFor, type FollowUpFor } from '../jobs/handlers.js';
import { BossQueue } from '../jobs/boss-queue.js';
import { LocalQueue } from '../jobs/local-queue.js';
import { caseResolver } from '../jobs/open.js';
import type { JobTarget } from '../jobs/runner.js';
import type { JobQueue } from '../jobs/types.js';
import type { Workspace } from '../store/workspace.js';
import { crossCaseFollowUp } from '../app/cross-case.js';
import type { CaseDirectory } from './directory.js';

/**
 * The server's side of the job queue (docs/jobs.md): where a lead's ingest from the web app is queued, and,
 * when asked, a worker in the server's own process. Embedded (SQLite) the queue is each case's own table and
 * the server is its worker (nothing else runs one); on PostgreSQL the jobs go to pg-boss for `filet worker`
 * processes on any machine, and the server works too only with `--worker`.
 */
export interface JobHost {
  queue: JobQueue;
  close(): Promise<void>;
}

/** How long a running job's worker may stay silent before another hands it back (as `filet worker`). */
const LOST_AFTER_MS = 60_000;

export async function startJobHost(
  directory: CaseDirectory,
  opts: {
    /** The PostgreSQL URL of the cases' database; null when embedded. */
    pgUrl: string | null;
    /** Also run the jobs here (always when embedded). */
    worker: boolean;
    workspace?: Workspace;
    followUp: FollowUpFor;
  },
): Promise<JobHost> {
  if (!opts.pgUrl) return embeddedHost(directory, opts.workspace);
  const queue = await BossQueue.open({
    url: opts.pgUrl,
    db: directory.accounts.db,
    resolve: caseResolver(directory.accounts.db, {
      workspace: opts.workspace,
      known: await directory.targets(),
    }),
  });
  const stop = opts.worker ? await queue.work(handlersFor(opts.followUp), WORK) : null;
  return {
    queue,
    close: async () => {
      await stop?.();
      await queue.close();
    },
  };
}

const WORK = {
  concurrency: 1,
  threads: Math.max(1, availableParallelism()),
  lostAfterMs: LOST_AFTER_MS,
};

/**
 * Embedded, the worker uses the server's own connections to the case files. Its own connections would let
 * pages read while a job writes, but the SQLite driver takes the write lock synchronously (busy_timeout):
 * a request asking for the lock while the worker, in the same process, holds it on another connection
 * would block the event loop, and with it the worker's COMMIT, for the whole timeout. On one connection
 * the driver queues the two instead; a page then waits at most for the job's current transaction.
 */
async function embeddedHost(directory: CaseDirectory, workspace: Workspace | undefined): Promise<JobHost> {
  const followUp: FollowUpFor = workspace
    ? (s) => crossCaseFollowUp(workspace.installation, s)
    : () => undefined;
  const queue = new LocalQueue(() => directory.targets());
  const stop = await queue.work(handlersFor(followUp), WORK);
  return {
    queue,
    close: async () => {
      await stop();
      await queue.close();
    },
  };
}

export type { JobTarget };
