import type { Command } from 'commander';
import { describeStore, initCase } from '../../store/case-dir.js';
import { audited, printJson } from '../context.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create a new case (embedded SQLite by default, or a PostgreSQL store)')
    .argument('<case>', 'folder for the case (new or empty)')
    .option('--store <url>', 'postgres://user@host/db to keep the case in PostgreSQL (or FILET_DATABASE_URL)')
    .option('--name <name>', 'case name (default: the folder name)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  filet init ./op-tantalio\n  filet init ./op-x --store postgres://filet@db.lab/filet',
    )
    .action(async (dir: string, o: { store?: string; name?: string; json?: boolean }) => {
      const { dir: d, store, caseFile } = await initCase(dir, o);
      try {
        await audited(
          store,
          'init',
          { case: d, name: caseFile.name, store: caseFile.store.kind },
          async () => ({
            caseId: caseFile.caseId,
          }),
        );
      } finally {
        await store.close();
      }
      const out = { case: d, caseId: caseFile.caseId, store: describeStore(caseFile, d) };
      if (o.json) printJson(out);
      else console.log(`created case ${caseFile.caseId} in ${d} (store: ${out.store})`);
    });
}
