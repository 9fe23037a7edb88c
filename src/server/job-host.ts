import { availableParallelism } from 'node:os';
import { handlersFor, type FollowUpFor } from '../jobs/handlers.js';
import { BossQueue } from '../jobs/boss-queue.js';
import { LocalQueue } from '../jobs/local-queue.js';
import { caseResolver } from '../jobs/open.js';
import type { JobTarget } from '../jobs/runner.js';
import type { JobQueue } from '../jobs/types.js';
import { Workspace } from '../store/workspace.js';
import { openCase } from '../store/case-dir.js';
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
 * Embedded, the worker opens the cases on connections of its own: a job's transaction (a hashing chunk, a
 * match) then never makes the pages of that case wait, since SQLite lets readers on other connections
 * read while one writes.
 */
async function embeddedHost(directory: CaseDirectory, workspace: Workspace | undefined): Promise<JobHost> {
  let targets: () => Promise<JobTarget[]>;
  let followUp: FollowUpFor = () => undefined;
  let closeOwn: () => Promise<void>;
  if (workspace) {
    const own = await Workspace.open(workspace.dir);
    targets = async () => {
      const out: JobTarget[] = [];
      for (const c of await own.installation.listCases()) {
        const opened = await own.openCase(c.id);
        if (opened) out.push({ store: opened.store, dir: opened.dir });
      }
      return out;
    };
    followUp = (s) => crossCaseFollowUp(own.installation, s);
    closeOwn = () => own.close();
  } else {
    const [served] = await directory.targets();
    const opened = await openCase(served!.dir);
    targets = async () => [{ store: opened.store, dir: opened.dir }];
    closeOwn = () => opened.store.close();
  }
  const queue = new LocalQueue(targets);
  const stop = await queue.work(handlersFor(followUp), WORK);
  return {
    // Jobs are put in by the server's own connections (the request's transaction); this queue writes
    // nothing of its own there.
    queue,
    close: async () => {
      await stop();
      await queue.close();
      await closeOwn();
    },
  };
}

export type { JobTarget };
