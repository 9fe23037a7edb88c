import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildCaseView } from '../../report/case-view.js';
import { verifyManifests } from '../../report/manifest.js';
import { writeReferrals } from '../../report/referrals.js';
import { UserError } from '../../util/errors.js';
import { auditedRead, printJson, withCase } from '../context.js';

export function register(program: Command): void {
  const referrals = program
    .command('referrals')
    .description(
      'referral packages, one folder per country (ISO code) and one "unresolved": summary.html, suspects.csv, evidence.json, hashes.vics.json, MANIFEST.sha256',
    )
    .argument('<case>', 'the case folder')
    .option('--out <dir>', 'where the country folders go (required)')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable result')
    .addHelpText(
      'after',
      '\nExample:\n  filet referrals ./op-x --out ./op-x-referrals\n  filet referrals verify ./op-x-referrals',
    )
    .action(async (dir: string, o: { out?: string; store?: string; json?: boolean }) => {
      if (!o.out) throw new UserError('referrals: --out <dir> is required (where the country folders go)');
      const out = resolve(o.out);
      const r = await withCase(dir, o, async ({ store }) =>
        auditedRead(
          store,
          'referrals',
          { out },
          async () => writeReferrals(store, await buildCaseView(store), out),
          (x) => ({
            out: x.out,
            packages: x.packages.map((p) => ({ country: p.country, suspects: p.suspects })),
          }),
        ),
      );
      if (o.json) return printJson(r);
      for (const p of r.packages)
        console.log(
          `  ${p.country.padEnd(10)} ${String(p.suspects).padStart(4)} suspects  ${String(p.groups).padStart(3)} groups  ${String(p.messages).padStart(5)} messages  ${String(p.media).padStart(4)} media hashes`,
        );
      console.log(`wrote ${r.packages.length} referral package(s) in ${out}`);
    });

  referrals
    .command('verify')
    .description(
      'check every MANIFEST.sha256 of a referrals folder (or of one package): missing, extra or changed files; exit 3 on failure',
    )
    .argument('<dir>', 'the referrals folder, or one country folder')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet referrals verify ./op-x-referrals')
    .action(async (dir: string, _o: { json?: boolean }, cmd: Command) => {
      // `--json` after `verify DIR` is parsed by the parent command, which has the same option.
      const json = !!cmd.optsWithGlobals<{ json?: boolean }>().json;
      const v = await verifyManifests(resolve(dir));
      if (json) printJson(v);
      else {
        for (const c of v.checks) {
          console.log(`${c.ok ? 'OK      ' : 'FAILED  '}${c.dir} (${c.files} files)`);
          for (const f of c.missing) console.log(`  missing  ${f}`);
          for (const f of c.changed) console.log(`  changed  ${f}`);
          for (const f of c.extra) console.log(`  extra    ${f}`);
          for (const e of c.errors) console.log(`  error    ${e}`);
        }
        for (const f of v.extra) console.log(`  extra    ${f} (not covered by any manifest)`);
        console.log(v.ok ? 'all manifests match' : 'referral packages FAILED verification');
      }
      if (!v.ok) process.exitCode = 3;
    });
}
