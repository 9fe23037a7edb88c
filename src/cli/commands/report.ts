import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeReport } from '../../report/html-report.js';
import { auditedRead, parsePositiveInt, printJson, withCase } from '../context.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('the case as one self-contained HTML page (no scripts, no external resources, no media)')
    .argument('<case>', 'the case folder')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--suspects <n>', 'how many ranked suspects to list', '300')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable result')
    .addHelpText('after', '\nExample:\n  filet report ./op-x --out op-x-report.html')
    .action(async (dir: string, o: { out: string; suspects: string; store?: string; json?: boolean }) => {
      const out = resolve(o.out);
      const suspects = parsePositiveInt(o.suspects, '--suspects');
      const r = await withCase(dir, o, async ({ store }) =>
        auditedRead(store, 'report', { out, suspects }, () => writeReport(store, out, { suspects })),
      );
      if (o.json) printJson(r);
      else console.log(`wrote ${r.out} (${Math.round(r.bytes / 1024)} KiB)`);
    });
}
