import type { Command } from 'commander';
import { checkEvidence, type EvidenceCheck } from '../../evidence/custody.js';
import { progress } from '../../util/progress.js';
import { auditedRead, printJson, withCase } from '../context.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description(
      're-hash every evidence file (container as received) and every inner artifact read with it, against the SHA-256 recorded at ingest',
    )
    .argument('<case>', 'the case folder')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet verify ./op-x')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const checks = await withCase(dir, o, async ({ store }) => {
        const items = await store.listEvidence();
        const bar = progress('verify', items.length, { quiet: o.json });
        const run = async () => {
          const out: EvidenceCheck[] = [];
          for (const e of items) {
            out.push(await checkEvidence(e));
            bar.tick();
          }
          bar.stop();
          return out;
        };
        return auditedRead(store, 'verify', {}, run, (r) => ({
          matched: r.filter((c) => c.status === 'ok').length,
          failed: r.filter((c) => c.status !== 'ok').map((c) => ({ id: c.id, status: c.status })),
        }));
      });
      if (o.json) printJson(checks);
      else
        for (const c of checks) {
          const inner = c.inner.checked ? ` (+${c.inner.checked} inner artifact(s) re-hashed)` : '';
          console.log(`${c.status.toUpperCase().padEnd(8)} #${c.id} ${c.path}${inner}`);
          if (c.error) console.log(`         ${c.error}`);
        }
      const bad = checks.filter((c) => c.status !== 'ok').length;
      if (!o.json)
        console.log(
          bad
            ? `${bad} of ${checks.length} evidence files FAILED`
            : `all ${checks.length} evidence files match`,
        );
      if (bad) process.exitCode = 3;
    });
}
