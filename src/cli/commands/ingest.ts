import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  ingestEvidence,
  previewEvidence,
  queueIngest,
  type DiscoveryView,
  type EvidenceDescription,
  type IntakeHooks,
  type IntakeSecrets,
} from '../../app/intake.js';
import type { DiscoveredOutcome } from '../../evidence/discovery/ingest.js';
import type { IngestOutcome } from '../../evidence/ingest.js';
import { EvidenceShare } from '../../evidence/share.js';
import { withCrossCase } from '../../app/cross-case.js';
import { actor } from '../../app/audited.js';
import { queueForCase } from '../../jobs/open.js';
import { caseStoreUrl } from '../../store/case-dir.js';
import { UserError } from '../../util/errors.js';
import { progress, progressBoard, type Progress, type ProgressBoard } from '../../util/progress.js';
import { printJson, withCase } from '../context.js';
import { canPrompt, promptHidden, resolveSecrets, type Secrets } from '../secrets.js';

interface IngestCliOptions {
  owner?: string;
  ownerName?: string;
  device?: string;
  examiner?: string;
  acquired?: string;
  tz?: string;
  locale?: string;
  store?: string;
  json?: boolean;
  match?: boolean;
  keyFile?: string;
  key?: string;
  backupPassword?: string;
  backupPasswordFile?: string;
  dryRun?: boolean;
  evidenceRoot?: string;
  sqliteBudget?: string;
  jobs?: boolean;
}

/** An iTunes / Finder backup holding a second WhatsApp instance says so (read as its own item). */
function backupRemark(notes: Record<string, unknown>): string {
  const others = (notes.backup as { otherWhatsAppInstances?: string[] } | undefined)?.otherWhatsAppInstances;
  return others?.length ? `; also in the backup: ${others.join(', ')}` : '';
}

function printDiscovery(v: DiscoveryView): void {
  for (const dev of v.devices) {
    console.log(`device ${dev.label}  (${dev.container} ${dev.source})`);
    for (const i of dev.instances) {
      const owner = i.owner
        ? `owner ${i.owner.number} (${'file' in i.owner && i.owner.file ? `${i.owner.file}, key ${i.owner.key}` : i.owner.source})`
        : i.platform === 'export'
          ? 'owner: from --owner/--owner-name'
          : 'owner unknown (give --owner)';
      console.log(`  instance ${i.id}: ${owner}`);
      for (const c of i.ownerConflicts)
        console.log(`    owner conflict: ${c.number} in ${c.file} (${c.key})`);
      for (const n of i.notes) console.log(`    note: ${n}`);
      for (const a of i.artifacts) {
        console.log(`    ${a.kind}  ${a.path}  (${a.size} bytes; ${a.matchedBy})`);
        for (const c of a.companions) console.log(`      with ${c.role} ${c.path}`);
        if (a.mediaBases.length) console.log(`      media under ${a.mediaBases[0] || '.'}/Media`);
        for (const x of a.duplicateViews) console.log(`      same bytes as ${x} (counted once)`);
        if ('keyFoundInDevice' in a) console.log(`      key found in the device: ${a.keyFoundInDevice}`);
      }
      for (const x of i.alsoFound) console.log(`    also found ${x.path} (${x.what}): ${x.action}`);
    }
  }
  const n = v.ignored.length + v.ignoredNotListed;
  console.log(`ignored ${n} entries`);
  for (const i of v.ignored.slice(0, 50)) console.log(`  ${i.path}: ${i.reason}`);
  if (n > 50) console.log(`  … (${n - 50} more; --json lists up to ${v.ignored.length})`);
}

function describeDiscovered(o: DiscoveredOutcome): string {
  const where = `${o.device} ${o.inner ?? o.path}`;
  if (o.status === 'skipped') return `${where}: NOT READ — ${o.reason}`;
  return describe({ ...o, path: where } as IngestOutcome);
}

function describe(o: IngestOutcome): string {
  switch (o.status) {
    case 'ingested': {
      const s = o.stats;
      return (
        `${o.path}: evidence #${o.evidence.id} (${o.evidence.kind}, sha256 ${o.evidence.sha256.slice(0, 16)}…): ` +
        `${s.messages.new} messages new, ${s.messages.duplicate} already known; ${s.events.new} events; ` +
        `${s.accounts.new} identities new; ${s.media.new} media new (${s.media.present} files hashed)` +
        (s.unclassified ? `; ${s.unclassified} lines not classified (kept, see the evidence notes)` : '') +
        backupRemark(o.evidence.notes)
      );
    }
    case 'already-ingested':
      return `${o.path}: already in the case as evidence #${o.evidence.id} (same SHA-256); nothing changed`;
    case 'duplicate-argument':
      return `${o.path}: same file as ${o.sameAs} given earlier in this command; skipped`;
  }
}

export function register(program: Command): void {
  program
    .command('ingest')
    .description('read evidence files into a case, each in one transaction, with provenance')
    .argument('<case>', 'the case folder')
    .argument(
      '<paths...>',
      'evidence files (chat export .txt/.zip, msgstore.db(.crypt1X), ChatStorage.sqlite, iTunes / Finder backup folders), or folders and .zip/.tar/.tar.gz containers to search',
    )
    .option('--device <label>', 'label of the device the evidence comes from')
    .option('--owner <e164>', "the device owner's number, e.g. +34600000123")
    .option('--owner-name <name>', "how the owner's own messages are named in an export")
    .option('--examiner <name>', 'who acquired the evidence')
    .option('--acquired <iso-date>', 'when it was acquired (ISO 8601)')
    .option('--tz <zone>', 'IANA time zone assumed for exports (default UTC, recorded)')
    .option('--locale <locale>', 'locale hint for ambiguous date orders (en-US, es, de, …)')
    .option(
      '--key-file <path>',
      'key of an encrypted Android backup: files/key (crypt12/14), files/encrypted_backup.key (crypt15)',
    )
    .option(
      '--key <hex>',
      "a crypt15 backup's 64-digit end-to-end key (never recorded; visible in the process list while " +
        'filet runs: prefer FILET_BACKUP_KEY or --key-file)',
    )
    .option(
      '--backup-password <password>',
      'password of an encrypted iTunes / Finder backup (never stored or audited; visible in the process ' +
        'list while filet runs: prefer --backup-password-file, FILET_BACKUP_PASSWORD or the prompt)',
    )
    .option(
      '--backup-password-file <path>',
      "a file whose first line is the iTunes / Finder backup's password",
    )
    .option(
      '--sqlite-budget <limits>',
      'limits on reading each SQLite database, e.g. stall=120s,total=6h,heap=2GB,cell=64MB (the defaults; docs/evidence.md)',
    )
    .option(
      '--evidence-root <dir>',
      'the evidence share: <paths> are relative to it, and absolute paths, "..", symbolic links and ' +
        'anything leading outside it are refused (docs/intake.md)',
    )
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--no-match', 'do not compare the new media with the case\'s lists now (they stay "unmatched")')
    .option(
      '--jobs',
      'queue one ingest job per evidence file, folder or container (then hashing and matching jobs) for `filet worker`',
    )
    .option(
      '--dry-run',
      'list the devices, instances, artifacts and owners found in folders/containers; write nothing',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  filet ingest ./op-x "WhatsApp Chat with Group.zip" --device phone-A --owner +34600000123 --tz Europe/Madrid' +
        '\n  filet ingest ./op-x ./extractions/phone-B.zip --dry-run\n  filet ingest ./op-x ./seized-devices/' +
        '\n  filet ingest ./op-x Databases/msgstore.db.crypt15 --key-file files/encrypted_backup.key --device phone-B' +
        '\n  filet ingest ./op-x --evidence-root /mnt/evidence lab-42/phone-C.zip',
    )
    .action(async (dir: string, paths: string[], o: IngestCliOptions) => {
      let acquiredAt: number | null = null;
      if (o.acquired) {
        acquiredAt = Date.parse(o.acquired);
        if (Number.isNaN(acquiredAt))
          throw new UserError(`--acquired: not an ISO 8601 date: "${o.acquired}"`);
      }
      if (o.owner && !/^\+[1-9]\d{6,14}$/.test(o.owner)) {
        throw new UserError(`--owner must be an E.164 number like +34600000123, got "${o.owner}"`);
      }
      const secrets = secretsOf(o, resolveSecrets(o));
      const description: EvidenceDescription = {
        device: o.device,
        owner: o.owner,
        ownerName: o.ownerName,
        examiner: o.examiner,
        acquiredAt,
        tz: o.tz,
        locale: o.locale,
        sqliteBudget: o.sqliteBudget,
      };
      const share = o.evidenceRoot ? await EvidenceShare.open(o.evidenceRoot) : undefined;
      if (o.dryRun) await dryRun(paths, description, secrets, share, o);
      else if (o.jobs) await enqueue(dir, paths, description, secrets, share, o);
      else await ingest(dir, paths, description, secrets, share, o);
    });
}

function secretsOf(o: IngestCliOptions, s: Secrets): IntakeSecrets {
  return {
    key: s.key,
    keyFrom: s.keyFrom,
    keyFile: o.keyFile,
    backupPassword: s.backupPassword,
    backupPasswordFrom: s.backupPasswordFrom,
  };
}

async function dryRun(
  paths: string[],
  description: EvidenceDescription,
  secrets: IntakeSecrets,
  share: EvidenceShare | undefined,
  o: IngestCliOptions,
): Promise<void> {
  const p = await previewEvidence(paths, description, secrets, { share });
  if (!p.trees.length)
    throw new UserError('--dry-run applies to folders and containers (.zip/.tar/.tar.gz of a device)');
  const view: DiscoveryView = {
    devices: p.devices,
    ignored: p.ignored,
    ignoredNotListed: p.ignoredNotListed,
    searched: p.searched,
  };
  if (o.json) printJson({ dryRun: true, files: p.files, ...view });
  else {
    printDiscovery(view);
    if (p.files.length) console.log(`also as evidence files: ${p.files.join(', ')}`);
    console.log('dry run: nothing was written');
  }
}

/**
 * The progress shown while ingesting: one bar of records for evidence files; for folders and containers,
 * one bar per device (its artifacts read / found) and one for the artifact being read (records).
 */
class IngestProgress {
  private bar: Progress | null = null;
  private board: ProgressBoard | null = null;
  private artifactBar: (Progress & { restart(label: string): void }) | null = null;
  private readonly deviceBars = new Map<string, Progress>();
  private lastDevice: Progress | null = null;

  constructor(private readonly quiet: boolean) {}

  readonly hooks: IntakeHooks = {
    onStart: ({ trees }) => {
      if (!trees.length) this.bar = progress('ingest', 0, { quiet: this.quiet });
      else {
        this.board = progressBoard({ quiet: this.quiet });
        this.artifactBar = this.board.counter();
      }
    },
    onProgress: (n) => {
      if (this.bar) this.bar.tick(n);
      // Evidence files given beside folders are read before the first artifact, without a bar.
      else if (this.lastDevice) this.artifactBar?.tick(n);
    },
    onArtifact: (dev, art) => {
      if (!this.board || !this.artifactBar) return;
      if (this.lastDevice) {
        this.artifactBar.stop();
        this.lastDevice.tick();
      }
      let devBar = this.deviceBars.get(dev.label);
      if (!devBar) {
        const n = dev.instances.reduce((k, i) => k + i.artifacts.length, 0);
        devBar = this.board.bar(`device ${dev.label}`, n);
        this.deviceBars.set(dev.label, devBar);
      }
      this.lastDevice = devBar;
      this.artifactBar.restart(`  ${dev.label} ${basename(art.path)} records`);
    },
  };

  /** The last artifact was read. */
  finished(): void {
    if (this.lastDevice) {
      this.artifactBar?.stop();
      this.lastDevice.tick();
    }
  }

  stop(): void {
    this.bar?.stop();
    for (const b of this.deviceBars.values()) b.stop();
    this.board?.stop();
  }
}

/** `--jobs`: queued, for `filet worker` (docs/jobs.md). */
async function enqueue(
  dir: string,
  paths: string[],
  description: EvidenceDescription,
  secrets: IntakeSecrets,
  share: EvidenceShare | undefined,
  o: IngestCliOptions,
): Promise<void> {
  const queued = await withCase(dir, o, async ({ store, dir: caseDir }) => {
    const queue = await queueForCase({ store, dir: caseDir }, caseStoreUrl(caseDir, o.store));
    try {
      const jobs = await queueIngest(store, queue, paths, description, secrets, {
        share,
        actor: actor(),
        match: o.match !== false,
      });
      return { engine: queue.engine, jobs };
    } finally {
      await queue.close();
    }
  });
  if (o.json) printJson(queued);
  else
    console.log(
      `queued ${queued.jobs.length} ingest job(s) (jobs ${queued.jobs[0]}-${queued.jobs.at(-1)})` +
        (o.match === false ? '' : ', then hashing and matching') +
        `; run them with: filet worker ${dir}`,
    );
}

async function ingest(
  dir: string,
  paths: string[],
  description: EvidenceDescription,
  secrets: IntakeSecrets,
  share: EvidenceShare | undefined,
  o: IngestCliOptions,
): Promise<void> {
  const result = await withCase(dir, o, ({ store, dir: caseDir }) =>
    // A case of a workspace keeps its cross-case index up (docs/cross-case.md).
    withCrossCase(caseDir, store, o, async (followUp) => {
      const shown = new IngestProgress(o.json === true);
      try {
        const r = await ingestEvidence(store, caseDir, paths, description, secrets, {
          match: o.match !== false,
          share,
          followUp,
          hooks: {
            ...shown.hooks,
            ...(canPrompt() ? { askBackupPassword } : {}),
          },
        });
        shown.finished();
        return r;
      } finally {
        shown.stop();
      }
    }),
  );
  const matchLine = () => {
    const m = result.match;
    if (m)
      console.log(
        `matched against the case's lists: ${m.known} known material, ${m.novel} novel, ${m.unmatched} unmatched`,
      );
  };
  if (result.mode === 'files') {
    if (o.json) printJson(result.fileOutcomes);
    else {
      for (const x of result.fileOutcomes) console.log(describe(x));
      matchLine();
    }
    return;
  }
  const outcomes = [...result.fileOutcomes, ...result.discovered];
  if (o.json) {
    printJson({ devices: result.devices, outcomes });
    if (result.skipped) process.exitCode = 2;
  } else {
    for (const x of result.fileOutcomes) console.log(describe(x));
    for (const x of result.discovered) console.log(describeDiscovered(x));
    if (result.skipped) {
      console.error(
        `${result.skipped} artifact(s) were not read (see "NOT READ" above); the rest was ingested`,
      );
      process.exitCode = 2;
    }
    matchLine();
  }
}

/** The hidden prompt, when a terminal is there to answer it (else the backup reader says what to give). */
async function askBackupPassword(): Promise<{ password: string; from: string }> {
  const password = await promptHidden('password of the encrypted iTunes / Finder backup (not shown): ');
  return { password, from: 'interactive prompt' };
}
