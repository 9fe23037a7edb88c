import type { Command } from 'commander';
import { UserError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';
import { matchAudited } from '../../app/case-actions.js';
import { withCrossCase } from '../../app/cross-case.js';
import { hashJobSpecs, HASH_BATCH, type MatchParams } from '../../jobs/handlers.js';
import { queueForCase } from '../../jobs/open.js';
import { caseStoreUrl } from '../../store/case-dir.js';
import { parsePositiveInt, printJson, withCase } from '../context.js';

export function register(program: Command): void {
  program
    .command('match')
    .description('hash media present in the case, then match all media against every imported list')
    .argument('<case>', 'the case folder')
    .option('--threshold <bits>', 'PDQ match distance (0–255)', '31')
    .option('--include-low-quality', 'also match PDQ hashes of quality < 50 (unreliable)')
    .option('--mode <mode>', 'exact | fast decoding for PDQ', 'exact')
    .option('--threads <n>', 'hashing threads (default: all cores)')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--jobs', 'queue the work instead (hash jobs, then a match job) for `filet worker` to run')
    .option('--batch <n>', 'media per hash job, with --jobs', String(HASH_BATCH))
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  filet match ./op-x --threshold 31\n  filet match ./op-x --jobs && filet worker ./op-x --until-idle',
    )
    .action(
      async (
        dir: string,
        o: {
          threshold: string;
          includeLowQuality?: boolean;
          mode: string;
          threads?: string;
          store?: string;
          json?: boolean;
          jobs?: boolean;
          batch: string;
        },
      ) => {
        const threshold = Number(o.threshold);
        if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
          throw new UserError(`--threshold must be an integer from 0 to 255, got "${o.threshold}"`);
        }
        if (o.mode !== 'exact' && o.mode !== 'fast') throw new UserError(`--mode must be exact or fast`);
        const threads = o.threads ? Number(o.threads) : undefined;
        if (o.jobs) {
          const batch = parsePositiveInt(o.batch, '--batch');
          if (batch < 1) throw new UserError('--batch must be at least 1');
          const queued = await withCase(dir, o, async ({ store, dir: caseDir }) => {
            const queue = await queueForCase({ store, dir: caseDir }, caseStoreUrl(caseDir, o.store));
            try {
              const specs = await hashJobSpecs(store, { batch, mode: o.mode as 'exact' | 'fast' });
              const match: MatchParams = {
                threshold,
                includeLowQuality: !!o.includeLowQuality,
                mode: o.mode as 'exact' | 'fast',
              };
              const ids = await queue.enqueue(store, specs, { then: { kind: 'match', params: match } });
              return {
                engine: queue.engine,
                hashJobs: specs.length,
                media: specs.reduce((n, j) => n + (j.total ?? 0), 0),
                jobs: ids,
                then: specs.length ? 'match' : null,
              };
            } finally {
              await queue.close();
            }
          });
          if (o.json) printJson(queued);
          else
            console.log(
              queued.hashJobs
                ? `queued ${queued.hashJobs} hash job(s) for ${queued.media} media (jobs ${queued.jobs[0]}-${queued.jobs.at(-1)}), ` +
                    `then a match job; run them with: filet worker ${dir}`
                : `no media to hash: queued match job ${queued.jobs[0]}; run it with: filet worker ${dir}`,
            );
          return;
        }
        const summary = await withCase(dir, o, async ({ store, dir: caseDir }) => {
          const bar = progress('hash', 0, { quiet: o.json });
          try {
            return await withCrossCase(caseDir, store, o, (followUp) =>
              matchAudited(
                store,
                caseDir,
                {
                  threshold,
                  includeLowQuality: o.includeLowQuality,
                  mode: o.mode as 'exact' | 'fast',
                  threads,
                  onProgress: (_p, done, total) => {
                    bar.setTotal(total);
                    if (done) bar.tick();
                  },
                },
                { includeLowQuality: !!o.includeLowQuality, mode: o.mode },
                followUp,
              ),
            );
          } finally {
            bar.stop();
          }
        });
        if (o.json) printJson(summary);
        else {
          console.log(
            `media ${summary.media}: ${summary.known} known material, ${summary.novel} novel, ${summary.unmatched} unmatched; ` +
              `hashed now ${summary.hashedNow}; lists ${summary.lists} (${summary.entries} entries); ` +
              `matches ${JSON.stringify(summary.matchesByType)}; low quality ${summary.lowQuality}; ` +
              `without PDQ (hash only) ${summary.withoutPdq}; index cache ${summary.indexCache}`,
          );
          for (const f of summary.hashFailures.slice(0, 10))
            console.error(`  not hashed: ${f.sha256}: ${f.error}`);
        }
      },
    );
}
