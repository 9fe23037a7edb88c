import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { audited } from './cli/context.js';
import { ingestPaths } from './evidence/ingest.js';
import { describeStore, initCase } from './store/case-dir.js';
import { synthesize } from './synth/index.js';
import { progress } from './util/progress.js';

export interface DemoDevice {
  label: string;
  owner: string;
  ownerName: string;
  locale: string;
  platform: string;
  tz: string;
  files: string[];
}

export interface DemoSummary {
  caseDir: string;
  operationDir: string;
  store: string;
  counts: Record<string, number>;
  countries: Record<string, number>;
  rows: [string, string | number][];
  perGroup: string[];
  next: string[];
}

/**
 * The main job: a synthetic operation generated, a case created on the embedded store, every seized
 * device's evidence ingested with its own owner, zone and locale, and a summary. Later stages (matching,
 * analysis, report, server) join this pipeline as they land.
 */
export async function runDemo(opts: {
  dir: string;
  seed: number;
  scale: 'small' | 'medium' | 'large';
  quiet?: boolean;
}): Promise<DemoSummary> {
  const root = resolve(opts.dir);
  const operationDir = join(root, 'operation');
  const caseDir = join(root, 'case');
  // The demo owns its folder: a previous run's output is replaced, never mixed with the new one.
  for (const d of [operationDir, caseDir]) if (existsSync(d)) rmSync(d, { recursive: true, force: true });

  const bar = progress('synth', 1, { quiet: opts.quiet });
  await synthesize({
    out: operationDir,
    seed: opts.seed,
    scale: opts.scale,
    onProgress: (done, total) => {
      bar.setTotal(total);
      bar.tick(0);
      void done;
    },
  });
  bar.stop();

  const devices = JSON.parse(readFileSync(join(operationDir, 'devices.json'), 'utf8')) as DemoDevice[];
  const { store, caseFile } = await initCase(caseDir, { name: `demo-${opts.seed}`, store: 'sqlite' });
  try {
    await store.setSynthetic(true);
    const totalFiles = devices.reduce((n, d) => n + d.files.length, 0);
    const ibar = progress('ingest', totalFiles, { quiet: opts.quiet });
    for (const d of devices) {
      const paths = d.files.map((f) => join(operationDir, f));
      const args = { paths, device: d.label, owner: d.owner, tz: d.tz, locale: d.locale, examiner: 'demo' };
      await audited(
        store,
        'ingest',
        args,
        () =>
          ingestPaths(store, paths, {
            device: d.label,
            owner: d.owner,
            ownerName: d.ownerName,
            tz: d.tz,
            locale: d.locale,
            examiner: 'demo (synthetic)',
          }),
        (r) => ({ items: r.map((x) => ({ path: x.path, status: x.status })) }),
      );
      ibar.tick(d.files.length);
    }
    ibar.stop();

    const counts = await store.counts();
    const countries: Record<string, number> = {};
    const { phoneFacts } = await import('./jurisdiction/phone.js');
    for (const a of await store.accounts()) {
      const c = a.phone ? (phoneFacts(a.phone).country ?? 'unresolved') : 'unresolved';
      countries[c] = (countries[c] ?? 0) + 1;
    }
    const media = await store.media();
    const rows: [string, string | number][] = [
      ['evidence items', counts.evidence!],
      ['groups', counts.groups!],
      ['accounts', counts.accounts!],
      ['messages', counts.messages!],
      ['events', counts.events!],
      ['media', `${counts.media} (${media.filter((m) => m.present).length} files present)`],
      [
        'countries',
        Object.entries(countries)
          .sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `${c} ${n}`)
          .join(', '),
      ],
    ];
    return {
      caseDir,
      operationDir,
      store: describeStore(caseFile, caseDir),
      counts,
      countries,
      rows,
      perGroup: [],
      next: [`\nnext: filet export ${caseDir} --format json --out case.json`],
    };
  } finally {
    await store.close();
  }
}
