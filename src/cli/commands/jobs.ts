import type { Command } from 'commander';
import { JobStore } from '../../jobs/job-store.js';
import { sleep } from '../../jobs/local-queue.js';
import { formatRate, formatSeconds, jobStatus, summarizeJobs, type JobStatus } from '../../jobs/status.js';
import type { CaseStore } from '../../store/case-store.js';
import { progress } from '../../util/progress.js';
import { printJson, withCase } from '../context.js';

interface JobsCliOptions {
  store?: string;
  json?: boolean;
  all?: boolean;
  watch?: boolean;
  lostAfter: string;
}

/** Finished jobs shown without --all: the last ones (the unfinished are always shown). */
const FINISHED_SHOWN = 20;

async function statuses(store: CaseStore, lostAfterMs: number): Promise<JobStatus[]> {
  const now = Date.now();
  return (await new JobStore(store).list()).map((j) => jobStatus(j, now, lostAfterMs));
}

function stateText(j: JobStatus): string {
  if (j.state === 'running' && j.workerLost) return 'running (worker lost)';
  return j.state;
}

function print(jobs: JobStatus[], all: boolean): void {
  if (!jobs.length) {
    console.log('no jobs in this case');
    return;
  }
  const summary = summarizeJobs(jobs);
  for (const [kind, k] of Object.entries(summary))
    console.log(
      `${kind}: ${k.jobs} job(s): ${k.queued} queued, ${k.running} running, ${k.done} done, ${k.failed} failed; ` +
        `${k.unitsDone}/${k.units} units, ${formatRate(k.rate)}, ETA ${formatSeconds(k.etaSeconds)}`,
    );
  const open = jobs.filter((j) => j.state === 'queued' || j.state === 'running');
  const finished = jobs.filter((j) => j.state === 'done' || j.state === 'failed');
  const shown = all ? jobs : [...finished.slice(-FINISHED_SHOWN), ...open].sort((a, b) => a.id - b.id);
  if (!all && shown.length < jobs.length)
    console.log(`(${jobs.length - shown.length} older finished jobs not shown: --all)`);
  const rows = [
    ['job', 'kind', 'state', 'done/total', 'rate', 'ETA', 'attempts', 'worker', 'error'],
    ...shown.map((j) => [
      String(j.id),
      j.kind,
      stateText(j),
      `${j.done}/${j.total}`,
      formatRate(j.rate),
      j.state === 'running' ? formatSeconds(j.etaSeconds) : '-',
      String(j.attempts),
      j.worker ?? '-',
      j.error ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log('');
  for (const r of rows)
    console.log(r.map((v, c) => (c < r.length - 1 ? v.padEnd(widths[c]!) : v)).join('  '));
}

export function register(program: Command): void {
  program
    .command('jobs')
    .description(
      "a case's jobs: state, units done of total, rate, ETA, worker, and the error of a failed one",
    )
    .argument('<case>', 'the case folder')
    .option('--all', 'every job (default: the unfinished and the last finished)')
    .option('--watch', 'follow the jobs with a progress bar until none is queued or running')
    .option('--lost-after <seconds>', 'a running job whose worker is silent this long shows as lost', '60')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output: every job and the summary per kind')
    .addHelpText('after', '\nExample:\n  filet match ./op-x --jobs && filet jobs ./op-x --watch')
    .action(async (dir: string, o: JobsCliOptions) => {
      const lostAfterMs = Math.max(1, Number(o.lostAfter) || 60) * 1000;
      await withCase(dir, o, async ({ store }) => {
        if (o.watch) {
          let jobs = await statuses(store, lostAfterMs);
          const units = (js: JobStatus[]) => js.reduce((n, j) => n + j.total, 0);
          const doneUnits = (js: JobStatus[]) => js.reduce((n, j) => n + j.done, 0);
          const bar = progress('jobs', units(jobs), { quiet: o.json });
          let shown = doneUnits(jobs);
          bar.tick(shown);
          while (jobs.some((j) => j.state === 'queued' || j.state === 'running')) {
            await sleep(1000);
            jobs = await statuses(store, lostAfterMs);
            bar.setTotal(units(jobs));
            const now = doneUnits(jobs);
            if (now > shown) bar.tick(now - shown);
            shown = now;
          }
          bar.stop();
        }
        const jobs = await statuses(store, lostAfterMs);
        if (o.json) printJson({ jobs, summary: summarizeJobs(jobs) });
        else print(jobs, !!o.all);
      });
    });
}
