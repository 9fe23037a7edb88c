import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeReport } from '../../report/html-report.js';
import { auditedRead, enqueueOne, parsePositiveInt, printJson, withCase } from '../context.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('the case as one self-contained HTML page (no scripts, no external resources, no media)')
    .argument('<case>', 'the case folder')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--suspects <n>', 'how many ranked suspects to list', '300')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--jobs', 'queue a report job for `filet worker` to run instead (it writes --out where it runs)')
    .option('--json', 'machine-readable result')
    .addHelpText('after', '\nExample:\n  filet report ./op-x --out op-x-report.html')
    .action(
      async (
        dir: string,
        o: { out: string; suspects: string; store?: string; json?: boolean; jobs?: boolean },
      ) => {
        const out = resolve(o.out);
        const suspects = parsePositiveInt(o.suspects, '--suspects');
        if (o.jobs) {
          await enqueueOne(dir, o, { kind: 'report', params: { out, suspects } });
          return;
        }
        const r = await withCase(dir, o, async ({ store }) =>
          auditedRead(store, 'report', { out, suspects }, () => writeReport(store, out, { suspects })),
        );
        if (o.json) printJson(r);
        else console.log(`wrote ${r.out} (${Math.round(r.bytes / 1024)} KiB)`);
      },
    );
}
