import type { Command } from 'commander';
import { printJson, withCase } from '../context.js';

export function register(program: Command): void {
  const audit = program.command('audit').description("the case's hash-chained audit log");
  audit
    .command('verify')
    .description('check the audit chain: any edited, removed or reordered entry is named')
    .argument('<case>', 'the case folder')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet audit verify ./op-x')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const v = await withCase(dir, o, ({ store }) => store.verifyAudit());
      if (o.json) printJson(v);
      else if (v.ok) console.log(`audit log intact: ${v.entries} entries, head ${v.head}`);
      else {
        console.log(`audit log TAMPERED: ${v.problems.length} problem(s) in ${v.entries} entries`);
        for (const p of v.problems) console.log(`  entry ${p.seq}: ${p.problem} — ${p.detail}`);
      }
      if (!v.ok) process.exitCode = 3;
    });
  audit
    .command('show')
    .description('print the audit log')
    .argument('<case>', 'the case folder')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet audit show ./op-x --json')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const entries = await withCase(dir, o, ({ store }) => store.readAudit());
      if (o.json) printJson(entries);
      else
        for (const e of entries)
          console.log(
            `${e.seq}\t${new Date(e.at).toISOString()}\t${e.actor}\t${e.action}\t${JSON.stringify(e.args)}`,
          );
    });
}
