import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { writeVendorContainers } from '../../synth/devices/cellebrite-writer.js';
import { synthesize } from '../../synth/index.js';
import { UserError } from '../../util/errors.js';
import { progress, type Progress } from '../../util/progress.js';
import { printJson, table } from '../context.js';

export function register(program: Command): void {
  program
    .command('synth')
    .description(
      'generate a SYNTHETIC operation: per-device WhatsApp chat exports, a known-material list and the truth file',
    )
    .requiredOption('--out <dir>', 'output folder (empty, or a previous synth output, which is replaced)')
    .option('--seed <n>', 'seed: the same seed gives byte-identical files', '1')
    .option('--scale <scale>', 'small | medium | large', 'small')
    .option(
      '--containers',
      'also write some devices as labs deliver them (iTunes backup, full-file-system zip, crypt15 + key) under containers/',
    )
    .option(
      '--vendor-containers <dir>',
      'also write SYNTHETIC Cellebrite UFDR / full file system and GrayKey extractions of the devices there (outside --out)',
    )
    .option(
      '--saved-contacts <mode>',
      'isolated (default) | realistic: export-only phones also saved most people they share a group with',
      'isolated',
    )
    .option('--json', 'machine-readable summary')
    .addHelpText('after', '\nExample:\n  filet synth --out ./op --seed 7 --scale small')
    .action(
      async (o: {
        out: string;
        seed: string;
        scale: string;
        json?: boolean;
        containers?: boolean;
        vendorContainers?: string;
        savedContacts: string;
      }) => {
        if (!['isolated', 'realistic'].includes(o.savedContacts))
          throw new UserError(`--saved-contacts must be isolated or realistic, got "${o.savedContacts}"`);
        if (!/^-?\d+$/.test(o.seed)) throw new UserError(`--seed must be an integer, got "${o.seed}"`);
        // Inside the operation folder the extractions would make every device appear twice when it is searched.
        const vc = o.vendorContainers && resolve(o.vendorContainers);
        if (vc && (vc === resolve(o.out) || vc.startsWith(resolve(o.out) + sep)))
          throw new UserError(
            '--vendor-containers must be outside --out (a searched operation would hold each device twice)',
          );
        if (!['small', 'medium', 'large'].includes(o.scale)) {
          throw new UserError(`--scale must be small, medium or large, got "${o.scale}"`);
        }
        let bar: Progress | null = null;
        let phase = '';
        const s = await synthesize({
          out: o.out,
          seed: Number(o.seed),
          scale: o.scale as 'small',
          containers: o.containers === true,
          savedContacts: o.savedContacts as 'isolated',
          onProgress: (done, total, p) => {
            if (p !== phase) {
              bar?.stop();
              phase = p;
              bar = progress(`synth ${p}`, total, { quiet: !!o.json });
            }
            bar!.setTotal(total);
            if (done > 0) bar!.tick();
          },
        });
        (bar as Progress | null)?.stop();
        const containers = vc
          ? writeVendorContainers(s.out, JSON.parse(readFileSync(resolve(s.out, 'devices.json'), 'utf8')), vc)
          : [];
        if (o.json) {
          printJson({ ...s, files: s.files.length, ...(vc ? { vendorContainers: containers } : {}) });
          return;
        }
        console.log(`\nfilet synth — SYNTHETIC operation (generated data, no real people or material)\n`);
        console.log(
          table([
            ['output', s.out],
            ['seed / scale', `${s.seed} / ${s.scale}`],
            ['groups', `${s.groups} (${s.flaggedGroups} flagged, ${s.harmlessGroups} harmless)`],
            ['accounts', s.accounts],
            ['countries', `${s.countries.length} (${s.countries.join(', ')})`],
            ['devices', `${s.devices} (${s.exports} chat exports)`],
            ['messages', s.messages],
            ['membership events', s.events],
            ['media', s.media],
            ['known (on list)', s.known],
          ]),
        );
        console.log(
          `\ningest each device as described in ${s.out}/devices.json; the answer key is truth.json`,
        );
        for (const c of containers) console.log(`SYNTHETIC ${c.kind} of ${c.device}: ${c.path}`);
      },
    );
}
