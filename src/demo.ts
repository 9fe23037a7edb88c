import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { audited, auditedRead } from './app/audited.js';
import {
  importListAudited,
  ingestAudited,
  ingestDiscoveredAudited,
  matchAudited,
} from './app/case-actions.js';
import { closeDiscovery, discover } from './evidence/discovery/index.js';
import type { CaseStore } from './store/case-store.js';
import type { SynthContainer } from './synth/containers.js';
import { analyzeAndSave } from './network/service.js';
import { buildCaseView } from './report/case-view.js';
import { renderHtmlReport } from './report/html-report.js';
import { writeReferrals } from './report/referrals.js';
import { describeStore, initCase } from './store/case-dir.js';
import { synthesize } from './synth/index.js';
import type { DeviceEntry } from './synth/truth.js';
import { progress } from './util/progress.js';

export interface DemoSummary {
  caseDir: string;
  operationDir: string;
  store: string;
  counts: Record<string, number>;
  countries: Record<string, number>;
  rows: [string, string | number][];
  perGroup: string[];
  top: string[];
  /** The HTML report and the referral packages the demo wrote. */
  report: string;
  referrals: string;
  next: string[];
}

/** One synth container as an investigator would give it to `filet ingest` (no --owner when it names one). */
async function ingestContainer(
  store: CaseStore,
  caseDir: string,
  operationDir: string,
  d: DeviceEntry,
  c: SynthContainer,
  common: { tz: string; locale: string; examiner: string },
): Promise<void> {
  const path = join(operationDir, c.path);
  const owner = c.ownerInEvidence ? {} : { owner: d.owner, ownerName: d.ownerName };
  const keyFile = c.keyFile ? { keyFile: join(operationDir, c.keyFile) } : {};
  const args = {
    paths: [path],
    device: d.label,
    ...owner,
    ...keyFile,
    tz: d.tz,
    locale: d.locale,
    examiner: 'demo',
  };
  if (c.kind !== 'ios-backup' && c.kind !== 'android-crypt15') {
    const found = await discover([path], { label: d.label });
    try {
      await ingestDiscoveredAudited(
        store,
        found,
        { ...common, ...owner, workDir: caseDir },
        { ...args, devices: found.devices.map((x) => x.label) },
        { match: false },
      );
    } finally {
      await closeDiscovery(found);
    }
    return;
  }
  await ingestAudited(store, caseDir, [path], { ...common, device: d.label, ...owner, ...keyFile }, args, {
    match: false,
  });
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
    containers: true,
    onProgress: (done, total) => {
      bar.setTotal(total);
      bar.tick(0);
      void done;
    },
  });
  bar.stop();

  const devices = JSON.parse(readFileSync(join(operationDir, 'devices.json'), 'utf8')) as DeviceEntry[];
  const { store, caseFile } = await initCase(caseDir, { name: `demo-${opts.seed}`, store: 'sqlite' });
  try {
    await store.setSynthetic(true);
    const totalFiles = devices.reduce((n, d) => n + d.files.length, 0);
    const ibar = progress('ingest', totalFiles, { quiet: opts.quiet });
    for (const d of devices) {
      // A device synth also wrote as a container is ingested from the container (its database files are
      // then not given again): the owner comes from the device's own files where the container has them.
      const containers = d.containers ?? [];
      const bare = d.files.filter((f) => !(containers.length && f.startsWith('devices/')));
      const paths = bare.map((f) => join(operationDir, f));
      const common = { tz: d.tz, locale: d.locale, examiner: 'demo (synthetic)' };
      const args = { paths, device: d.label, owner: d.owner, tz: d.tz, locale: d.locale, examiner: 'demo' };
      // Matching runs once, after the lists are imported below.
      if (paths.length)
        await ingestAudited(
          store,
          caseDir,
          paths,
          { ...common, device: d.label, owner: d.owner, ownerName: d.ownerName },
          args,
          { match: false },
        );
      for (const c of containers) await ingestContainer(store, caseDir, operationDir, d, c, common);
      ibar.tick(d.files.length);
    }
    ibar.stop();

    // Known-material lists: the synthetic operation's own (hashes of generated images only).
    const listFile = join(operationDir, 'lists', 'known-vics.json');
    const imported = await importListAudited(
      store,
      caseDir,
      listFile,
      { name: 'synthetic-known' },
      { file: listFile, name: 'synthetic-known' },
      { match: false },
    );
    // The CSV carries SHA-256 too: pictures a device database knows by hash only match on it.
    const csvFile = join(operationDir, 'lists', 'known.csv');
    await importListAudited(
      store,
      caseDir,
      csvFile,
      { name: 'synthetic-known-csv' },
      { file: csvFile, name: 'synthetic-known-csv' },
      { match: false },
    );
    const mbar = progress('match', 0, { quiet: opts.quiet });
    const match = await matchAudited(store, caseDir, {
      onProgress: (_p, done, total) => {
        mbar.setTotal(total);
        if (done) mbar.tick();
      },
    });
    mbar.stop();
    const abar = progress('analyze', 7, { quiet: opts.quiet });
    const analysis = await audited(
      store,
      'analyze',
      {},
      async (s) => (await analyzeAndSave(s, { onPhase: () => abar.tick() })).summary,
      (a) => ({ flaggedGroups: a.flaggedGroups, clusters: a.clusters, roles: a.roles }),
    );
    abar.stop();

    // The outputs an investigator hands on: the report and one referral package per country.
    const reportFile = join(caseDir, 'exports', 'report.html');
    const referralsDir = join(caseDir, 'exports', 'referrals');
    const view = await buildCaseView(store);
    await auditedRead(store, 'report', { out: reportFile }, async () => {
      mkdirSync(dirname(reportFile), { recursive: true });
      writeFileSync(reportFile, renderHtmlReport(view));
      return { out: reportFile };
    });
    const referrals = await auditedRead(
      store,
      'referrals',
      { out: referralsDir },
      () => writeReferrals(store, view, referralsDir),
      (x) => ({
        out: x.out,
        packages: x.packages.map((p) => ({ country: p.country, suspects: p.suspects })),
      }),
    );

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
        'known material',
        `${match.known} media on list "${imported.list.name}" (${imported.list.entryCount} entries)`,
      ],
      ['novel media', match.novel],
      [
        'flagged groups',
        `${analysis.flaggedGroups} of ${analysis.groups}, in ${analysis.clusters} cluster(s)`,
      ],
      [
        'roles',
        Object.entries(analysis.roles)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ],
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
      perGroup: await perGroupLines(store),
      top: analysis.top.map(
        (t) =>
          `${t.score.toFixed(1).padStart(6)}  ${t.key.padEnd(22)} ${(t.country ?? 'unresolved').padEnd(10)} ${t.roles.join(', ')}`,
      ),
      report: reportFile,
      referrals: referralsDir,
      next: [
        `\nreport: ${reportFile}`,
        `referrals: ${referralsDir} (${referrals.packages.length} packages; check with: filet referrals verify ${referralsDir})`,
        `\nnext: filet export ${caseDir} --format json --out case.json`,
      ],
    };
  } finally {
    await store.close();
  }
}

/** One line per group with material: messages, known and novel media counts. */
async function perGroupLines(store: import('./store/case-store.js').CaseStore): Promise<string[]> {
  const { buildCaseExport } = await import('./report/export-json.js');
  const doc = await buildCaseExport(store);
  return doc.groups
    .filter((g) => g.knownMaterialCount + g.novelMediaCount > 0)
    .sort((a, b) => b.knownMaterialCount - a.knownMaterialCount || b.novelMediaCount - a.novelMediaCount)
    .map(
      (g) =>
        `${(g.subject ?? g.key).slice(0, 40).padEnd(40)}  ${String(g.messageCount).padStart(5)} messages  ` +
        `${String(g.knownMaterialCount).padStart(3)} known  ${String(g.novelMediaCount).padStart(3)} novel` +
        (g.flagged ? `  FLAGGED (cluster ${g.cluster ?? '-'})` : '  not flagged'),
    );
}
