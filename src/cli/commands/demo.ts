import type { Command } from 'commander';
import { runDemo } from '../../demo.js';
import { printJson, table } from '../context.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('the demo operation end to end: synth → init → ingest → … → summary (embedded store)')
    .option('--dir <dir>', 'where the demo operation and case go', '.filet-demo')
    .option('--seed <n>', 'seed of the synthetic operation', '7')
    .option('--scale <scale>', 'small | medium | large', 'small')
    .option('--json', 'machine-readable summary')
    .addHelpText('after', '\nExample:\n  filet demo --dir /tmp/demo')
    .action(async (o: { dir: string; seed: string; scale: string; json?: boolean }) => {
      const s = await runDemo({
        dir: o.dir,
        seed: Number(o.seed),
        scale: o.scale as 'small',
        quiet: !!o.json,
      });
      if (o.json) {
        printJson(s);
        return;
      }
      console.log('\nfilet demo — SYNTHETIC operation (generated data, no real people or material)\n');
      console.log(table(s.rows));
      if (s.perGroup.length) {
        console.log('\nper group:');
        for (const g of s.perGroup) console.log(`  ${g}`);
      }
      if (s.top.length) {
        console.log('\ntop suspects (score, identity, country, roles):');
        for (const t of s.top) console.log(`  ${t}`);
      }
      console.log(`\ncase: ${s.caseDir}\nstore: ${s.store}\noperation: ${s.operationDir}`);
      for (const line of s.next) console.log(line);
    });
}
