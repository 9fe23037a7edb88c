import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildCaseExport } from '../../report/export-json.js';
import { UserError } from '../../util/errors.js';
import { audited, withCase } from '../context.js';

const FORMATS = ['json'];

export function register(program: Command): void {
  program
    .command('export')
    .description('export the case (JSON: docs/schema/case-export.schema.json)')
    .argument('<case>', 'the case folder')
    .requiredOption('--out <file>', 'where to write the export')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'json')
    .option('--with-messages', 'include every message (large)')
    .option('--with-provenance', 'include every provenance row (large)')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .addHelpText('after', '\nExample:\n  filet export ./op-x --format json --out op-x.json --with-provenance')
    .action(
      async (
        dir: string,
        o: { out: string; format: string; withMessages?: boolean; withProvenance?: boolean; store?: string },
      ) => {
        if (!FORMATS.includes(o.format))
          throw new UserError(`unknown export format "${o.format}" (use ${FORMATS.join(', ')})`);
        const out = resolve(o.out);
        await withCase(dir, o, async ({ store }) =>
          audited(store, 'export', { format: o.format, out, withMessages: !!o.withMessages }, async () => {
            const doc = await buildCaseExport(store, o);
            mkdirSync(dirname(out), { recursive: true });
            const tmp = `${out}.part`;
            writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
            renameSync(tmp, out);
            return {
              out,
              accounts: doc.accounts.length,
              groups: doc.groups.length,
              messages: doc.messageCount,
            };
          }),
        );
        console.log(`wrote ${out}`);
      },
    );
}
