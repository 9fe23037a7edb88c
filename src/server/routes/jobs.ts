import type { FastifyInstance } from 'fastify';
import type { JobRow, Jobs } from '../../api/contract.js';
import { JobStore } from '../../jobs/job-store.js';
import { jobStatus, summarizeJobs, type JobStatus } from '../../jobs/status.js';
import type { ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';

/** A running job whose worker has been silent this long shows as lost (the workers' default --lost-after). */
const LOST_AFTER_MS = 60_000;
/** Finished jobs listed besides the unfinished ones: the last ones. */
const FINISHED_SHOWN = 50;

/**
 * What the web app shows of a job: its progress, rate, ETA, worker and error. Not its parameters (a hash
 * batch's media ids, an ingest job's paths): the case's own screens show the case.
 */
function shown(j: JobStatus): JobRow {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: j.id,
    kind: j.kind,
    state: j.state,
    done: j.done,
    total: j.total,
    rate: j.rate,
    etaSeconds: j.etaSeconds,
    attempts: j.attempts,
    worker: j.worker,
    workerLost: j.workerLost,
    error: j.error,
    createdBy: j.createdBy,
    createdAt: new Date(j.createdAt).toISOString(),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
  };
}

export function jobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Polled while jobs run: a status of the work, not a read of case content, so not an audit entry each time.
  app.get(
    CASE_PREFIX + '/jobs',
    {
      config: { permission: 'case.read' },
      schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } },
    },
    async (req): Promise<Jobs> => {
      const now = Date.now();
      const all = (await new JobStore(ctx.store(req)).list()).map((j) => jobStatus(j, now, LOST_AFTER_MS));
      const open = all.filter((j) => j.state === 'queued' || j.state === 'running');
      const finished = all.filter((j) => j.state === 'done' || j.state === 'failed').slice(-FINISHED_SHOWN);
      return {
        total: all.length,
        summary: summarizeJobs(all),
        jobs: [...finished, ...open].sort((a, b) => a.id - b.id).map(shown),
      };
    },
  );
}
