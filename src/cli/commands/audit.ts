import type { Command } from 'commander';
import { parseHead } from '../../store/audit-chain.js';
import { UserError } from '../../util/errors.js';
import { printJson, withCase } from '../context.js';

export function register(program: Command): void {
  const audit = program.command('audit').description("the case's keyed, hash-chained audit log");
  audit
    .command('verify')
    .description(
      'check the keyed audit chain: any edited, removed or reordered entry, a truncated tail, a missing genesis entry, a log from another case or a different key is named',
    )
    .argument('<case>', 'the case folder')
    .option(
      '--expect-head <head>',
      'a head kept outside the case (seq:hash or the hash, as printed by this command, a report, an export or a referral package): the chain must hold it',
    )
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      "\nExamples:\n  filet audit verify ./op-x\n  filet audit verify ./op-x --expect-head 42:3f5a…  (the head a report printed)\n\nThe chain is keyed with this installation's audit key (docs/audit.md). Exit code 3 when a problem is found.",
    )
    .action(async (dir: string, o: { store?: string; json?: boolean; expectHead?: string }) => {
      const expectHead = o.expectHead === undefined ? null : parseHead(o.expectHead);
      if (o.expectHead !== undefined && !expectHead)
        throw new UserError(
          `--expect-head must be seq:hash or a 64-digit hex hash (as a report or an export printed it), got "${o.expectHead}"`,
        );
      const v = await withCase(dir, o, ({ store }) => store.verifyAudit({ expectHead }));
      if (o.json) printJson(v);
      else if (v.ok)
        console.log(
          `audit log intact: ${v.entries} entries, head ${v.head}, key ${v.keyId}` +
            (expectHead ? ` (holds the expected head)` : ''),
        );
      else {
        console.log(`audit log TAMPERED: ${v.problems.length} problem(s) in ${v.entries} entries`);
        for (const p of v.problems)
          console.log(`  ${p.seq ? `entry ${p.seq}` : 'log'}: ${p.problem} — ${p.detail}`);
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
