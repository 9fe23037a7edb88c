import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildCaseView } from '../../report/case-view.js';
import { writeI2Csv } from '../../report/csv-export.js';
import { buildCaseExport } from '../../report/export-json.js';
import { toGexf, toGraphML } from '../../report/graph-export.js';
import { UserError } from '../../util/errors.js';
import { auditedRead, printJson, withCase } from '../context.js';

const FORMATS = ['json', 'graphml', 'gexf', 'csv'];

/** Writes beside the target and renames, so a reader never sees half a file. */
function writeAtomic(out: string, text: string): void {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.part`;
  writeFileSync(tmp, text);
  renameSync(tmp, out);
}

export function register(program: Command): void {
  program
    .command('export')
    .description(
      "export the case: json (docs/schema/case-export.schema.json), graphml or gexf (Gephi), csv (i2 Analyst's Notebook tables, docs/i2-mapping.md; --out is a folder)",
    )
    .argument('<case>', 'the case folder')
    .requiredOption('--out <file>', 'where to write the export (a folder for csv)')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'json')
    .option('--with-messages', 'json: include every message (large)')
    .option('--with-provenance', 'json: include every provenance row (large)')
    .option('--json', 'machine-readable result')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .addHelpText(
      'after',
      '\nExample:\n  filet export ./op-x --format json --out op-x.json --with-provenance\n  filet export ./op-x --format gexf --out op-x.gexf\n  filet export ./op-x --format csv --out ./op-x-i2',
    )
    .action(
      async (
        dir: string,
        o: {
          out: string;
          format: string;
          withMessages?: boolean;
          withProvenance?: boolean;
          json?: boolean;
          store?: string;
        },
      ) => {
        if (!FORMATS.includes(o.format))
          throw new UserError(`unknown export format "${o.format}" (use ${FORMATS.join(', ')})`);
        const out = resolve(o.out);
        const result = await withCase(dir, o, async ({ store }) =>
          auditedRead(
            store,
            'export',
            { format: o.format, out, withMessages: !!o.withMessages },
            async () => {
              if (o.format === 'json') {
                const doc = await buildCaseExport(store, o);
                writeAtomic(out, JSON.stringify(doc, null, 2) + '\n');
                return {
                  out,
                  files: [out],
                  accounts: doc.accounts.length,
                  groups: doc.groups.length,
                  messages: doc.messageCount,
                };
              }
              const view = await buildCaseView(store);
              const counts = {
                accounts: view.doc.accounts.length,
                groups: view.doc.groups.length,
                memberships: view.memberships.length,
                groupLinks: view.groupLinks.length,
              };
              if (o.format === 'csv') return { out, files: writeI2Csv(view, out), ...counts };
              writeAtomic(out, o.format === 'graphml' ? toGraphML(view) : toGexf(view));
              return { out, files: [out], ...counts };
            },
          ),
        );
        if (o.json) printJson(result);
        else
          console.log(
            `wrote ${result.files.length === 1 ? result.files[0] : `${result.files.length} files in ${out}`}`,
          );
      },
    );
}
