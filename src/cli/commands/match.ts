import type { Command } from 'commander';
import { UserError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';
import { matchAudited } from '../../app/case-actions.js';
import { withCrossCase } from '../../app/cross-case.js';
import { printJson, withCase } from '../context.js';

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
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet match ./op-x --threshold 31')
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
        },
      ) => {
        const threshold = Number(o.threshold);
        if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
          throw new UserError(`--threshold must be an integer from 0 to 255, got "${o.threshold}"`);
        }
        if (o.mode !== 'exact' && o.mode !== 'fast') throw new UserError(`--mode must be exact or fast`);
        const threads = o.threads ? Number(o.threads) : undefined;
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
