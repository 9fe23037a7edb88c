import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { DiscoveredOutcome } from '../../evidence/discovery/ingest.js';
import { closeDiscovery, discover, type Discovery } from '../../evidence/discovery/index.js';
import type { IngestOutcome } from '../../evidence/ingest.js';
import { looksLikeBackupFolder } from '../../evidence/ios-backup/ingest.js';
import { detectReader } from '../../evidence/registry.js';
import { parseSqliteBudget } from '../../evidence/wa-db/budget.js';
import { claimedByOpener, containerKind, openEvidenceFs } from '../../evidence/vfs/index.js';
import { UserError } from '../../util/errors.js';
import { progress, progressBoard, type Progress } from '../../util/progress.js';
import { ingestAudited, ingestDiscoveredAudited } from '../../app/case-actions.js';
import { withCrossCase } from '../../app/cross-case.js';
import { isDict, parsePlist } from '../../evidence/plist.js';
import { auditedSteps, printJson, withCase } from '../context.js';
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
  /** Where the password and the key came from (set from resolveSecrets; for the audit log). */
  secrets?: Secrets;
  sqliteBudget?: string;
}

/** An iTunes / Finder backup holding a second WhatsApp instance says so (read as its own item). */
function backupRemark(notes: Record<string, unknown>): string {
  const others = (notes.backup as { otherWhatsAppInstances?: string[] } | undefined)?.otherWhatsAppInstances;
  return others?.length ? `; also in the backup: ${others.join(', ')}` : '';
}

/** The reader options every ingest path of this command passes (evidence files and discovered artifacts). */
function readerOptions(o: IngestCliOptions, acquiredAt: number | null) {
  return {
    device: o.device,
    owner: o.owner,
    ownerName: o.ownerName,
    examiner: o.examiner,
    acquiredAt,
    tz: o.tz,
    locale: o.locale,
    keyFile: o.keyFile,
    key: o.key,
    backupPassword: o.backupPassword,
    ...(o.secrets?.keyFrom && o.secrets.keyFrom !== 'command line'
      ? { keySource: `64-digit key given in the ${o.secrets.keyFrom}` }
      : {}),
    ...(o.sqliteBudget ? { sqliteBudget: parseSqliteBudget(o.sqliteBudget) } : {}),
  };
}

/**
 * The audit entry's arguments. Secrets never go into the audit log: the key and the backup password are
 * recorded only as having been given; the key file by its path.
 */
function auditArgs(o: IngestCliOptions, paths: string[]): Record<string, unknown> {
  return {
    paths,
    device: o.device,
    owner: o.owner,
    tz: o.tz ?? 'UTC',
    locale: o.locale,
    examiner: o.examiner,
    ...(o.keyFile ? { keyFile: resolve(o.keyFile) } : {}),
    ...(o.key
      ? {
          key:
            o.secrets?.keyFrom && o.secrets.keyFrom !== 'command line'
              ? `given in the ${o.secrets.keyFrom} (not recorded)`
              : 'given on the command line (not recorded)',
        }
      : {}),
    ...(o.backupPassword !== undefined ? { backupPassword: 'given (not recorded)' } : {}),
    ...(o.backupPassword !== undefined && o.secrets?.backupPasswordFrom
      ? { backupPasswordFrom: o.secrets.backupPasswordFrom }
      : {}),
    ...(o.sqliteBudget ? { sqliteBudget: o.sqliteBudget } : {}),
  };
}

/**
 * Which paths are evidence files read as today (a chat export, a bare database) and which are folders or
 * containers to search (a device folder, an operation folder, a .zip/.tar/.tar.gz of a device).
 */
async function partition(paths: string[]): Promise<{ files: string[]; trees: string[] }> {
  const files: string[] = [];
  const trees: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      files.push(p); // ingestPaths reports it
      continue;
    }
    if (st.isDirectory()) {
      // An iTunes / Finder backup folder is one evidence item with a reader of its own.
      if (looksLikeBackupFolder(p)) files.push(p);
      else trees.push(p);
      continue;
    }
    // A vendor extraction (a Cellebrite UFDR, .ufd, .ufdx or full file system zip, a GrayKey zip) is searched
    // through its own view, whose errors (a protected report, a dump hash mismatch) are the user's to see.
    if (st.isFile() && (await claimedByOpener(p))) {
      trees.push(p);
      continue;
    }
    const kind = st.isFile() ? await containerKind(p).catch(() => null) : null;
    if (!kind) {
      files.push(p);
      continue;
    }
    try {
      await detectReader(p);
      files.push(p); // a chat export zip is its own evidence item, as before
      continue;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
    }
    // A container that cannot even be opened (truncated, damaged) fails as an evidence file did before.
    const fs = await openEvidenceFs(p).catch(() => null);
    if (!fs) files.push(p);
    else {
      await fs.close();
      trees.push(p);
    }
  }
  return { files, trees };
}

function nothingFound(d: Discovery): UserError {
  const reasons = new Map<string, number>();
  for (const i of d.ignored) reasons.set(i.reason, (reasons.get(i.reason) ?? 0) + 1);
  const why = [...reasons].map(([r, n]) => `${n} × ${r}`).join('; ');
  return new UserError(
    `no WhatsApp artifact found. Searched: ${d.searched.join(', ')}, for ` +
      `**/com.whatsapp(.w4b)/databases/msgstore.db, **/msgstore.db, **/AppGroup/*/ChatStorage.sqlite, ` +
      `**/ChatStorage.sqlite, chat export .zip/.txt, and SQLite files with a WhatsApp table signature` +
      (why ? `. Ignored: ${why}` : '. The tree holds no files'),
  );
}

/** What discovery found, for --dry-run (text) and --json. */
export function discoveryView(d: Discovery, cliOwner?: string, device?: string) {
  return {
    devices: d.devices.map((dev) => ({
      label: device ?? dev.label,
      source: dev.source,
      container: dev.fs.kind,
      ...(dev.chain.length
        ? {
            nestedIn: dev.chain.map((l) => ({
              in: l.outer,
              path: l.innerPath,
              kind: l.kind,
              sha256: l.sha256,
            })),
          }
        : {}),
      ...(dev.fs.described
        ? { extraction: dev.fs.described.metadata, companions: dev.fs.described.companions }
        : {}),
      instances: dev.instances.map((i) => ({
        id: i.id,
        platform: i.platform,
        app: i.app,
        user: i.user,
        appRoot: i.appRoot,
        owner:
          cliOwner && i.platform !== 'export'
            ? { number: cliOwner, source: 'command line (--owner)', foundInDevice: i.owner }
            : i.owner
              ? { ...i.owner, source: i.owner.from ?? 'device file' }
              : null,
        ownerConflicts: i.ownerConflicts,
        notes: i.notes,
        alsoFound: i.alsoFound,
        artifacts: i.artifacts.map((a) => ({
          kind: a.kind,
          path: a.path,
          size: a.size,
          matchedBy: a.matchedBy,
          companions: a.companions,
          mediaBases: a.mediaBases,
          duplicateViews: a.duplicateViews,
          ...(a.key ? { keyFoundInDevice: a.key.path } : {}),
          ...(a.encrypted !== undefined ? { encrypted: a.encrypted } : {}),
        })),
      })),
    })),
    ignored: d.ignored,
    ignoredNotListed: d.ignoredNotListed,
    searched: d.searched,
  };
}

function printDiscovery(v: ReturnType<typeof discoveryView>): void {
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
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--no-match', 'do not compare the new media with the case\'s lists now (they stay "unmatched")')
    .option(
      '--dry-run',
      'list the devices, instances, artifacts and owners found in folders/containers; write nothing',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  filet ingest ./op-x "WhatsApp Chat with Group.zip" --device phone-A --owner +34600000123 --tz Europe/Madrid' +
        '\n  filet ingest ./op-x ./extractions/phone-B.zip --dry-run\n  filet ingest ./op-x ./seized-devices/' +
        '\n  filet ingest ./op-x Databases/msgstore.db.crypt15 --key-file files/encrypted_backup.key --device phone-B',
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
      Object.assign(o, resolvedSecrets(o));
      const { files, trees } = await partition(paths);
      if (!o.dryRun && o.backupPassword === undefined && files.some(isEncryptedBackupFolder))
        await askBackupPassword(o);
      if (trees.length) {
        await ingestTrees(dir, files, trees, o, acquiredAt);
        return;
      }
      if (o.dryRun)
        throw new UserError('--dry-run applies to folders and containers (.zip/.tar/.tar.gz of a device)');
      const { outcomes, match } = await withCase(dir, o, async ({ store, dir: caseDir }) => {
        const bar = progress('ingest', 0, { quiet: o.json });
        try {
          return await withCrossCase(caseDir, store, o, (followUp) =>
            ingestAudited(
              store,
              caseDir,
              paths,
              { ...readerOptions(o, acquiredAt), onProgress: (n) => bar.tick(n) },
              auditArgs(o, paths),
              { match: o.match !== false, followUp },
            ),
          );
        } finally {
          bar.stop();
        }
      });
      if (o.json) printJson(outcomes);
      else {
        for (const x of outcomes) console.log(describe(x));
        if (match)
          console.log(
            `matched against the case's lists: ${match.known} known material, ${match.novel} novel, ${match.unmatched} unmatched`,
          );
      }
    });
}

async function ingestTrees(
  dir: string,
  files: string[],
  trees: string[],
  o: IngestCliOptions,
  acquiredAt: number | null,
): Promise<void> {
  const d = await discover(
    trees.map((t) => resolve(t)),
    {
      label: o.device,
      // Private copies of nested zips: the case's working area when ingesting, a temporary folder for a dry run.
      ...(!o.dryRun && existsSync(dir) ? { workDir: join(resolve(dir), 'working') } : {}),
      backupPassword: o.backupPassword !== undefined || (!o.dryRun && canPrompt()),
      androidKey: !!(o.keyFile || o.key),
      hashContainers: !o.dryRun,
    },
  ).catch(async (err: unknown) => {
    // Without --dry-run, a failed ingest leaves its failure in the audit log, as for an evidence file.
    if (!o.dryRun) await recordFailure(dir, o, [...files, ...trees], err);
    throw err;
  });
  try {
    if (!d.devices.length) {
      const err = nothingFound(d);
      if (!o.dryRun) await recordFailure(dir, o, [...files, ...trees], err);
      throw err;
    }
    if (o.device && d.devices.length > 1)
      throw new UserError(
        `--device names one device, but ${d.devices.length} were found (${d.devices.map((x) => x.label).join(', ')}): ingest them without --device (each keeps its folder or container name) or one at a time`,
      );
    const dbInstances = d.devices.flatMap((x) => x.instances).filter((i) => i.platform !== 'export');
    if (o.owner && dbInstances.length > 1)
      throw new UserError(
        `--owner names one account, but ${dbInstances.length} WhatsApp instances were found: ingest them one at a time (their owners are read from each device's own files)`,
      );
    const encrypted = d.devices.some((x) =>
      x.instances.some((i) => i.artifacts.some((a) => a.kind === 'ios-backup' && a.encrypted)),
    );
    if (!o.dryRun && encrypted && o.backupPassword === undefined) await askBackupPassword(o);
    const view = discoveryView(d, o.owner, o.device);
    if (o.dryRun) {
      if (o.json) printJson({ dryRun: true, files, ...view });
      else {
        printDiscovery(view);
        if (files.length) console.log(`also as evidence files: ${files.join(', ')}`);
        console.log('dry run: nothing was written');
      }
      return;
    }
    const result = await withCase(dir, o, ({ store, dir: caseDir }) =>
      withCrossCase(caseDir, store, o, async (followUp) => {
        const common = readerOptions(o, acquiredAt);
        // Evidence files given beside the trees (an encrypted backup with its key, a backup folder).
        const plain = files.length
          ? await ingestAudited(store, caseDir, files, common, auditArgs(o, files), {
              match: false,
              followUp: followUp && { ingested: followUp.ingested },
            })
          : null;
        // One bar per device (its artifacts read / found) and one for the artifact being read (records).
        const board = progressBoard({ quiet: o.json });
        const deviceBars = new Map<string, Progress>();
        const artifactBar = board.counter();
        let lastDevice: Progress | null = null;
        try {
          const found = await ingestDiscoveredAudited(
            store,
            d,
            {
              ...common,
              workDir: caseDir,
              onArtifact: (dev, art) => {
                if (lastDevice) {
                  artifactBar.stop();
                  lastDevice.tick();
                }
                let devBar = deviceBars.get(dev.label);
                if (!devBar) {
                  const n = dev.instances.reduce((k, i) => k + i.artifacts.length, 0);
                  devBar = board.bar(`device ${dev.label}`, n);
                  deviceBars.set(dev.label, devBar);
                }
                lastDevice = devBar;
                artifactBar.restart(`  ${dev.label} ${basename(art.path)} records`);
              },
              onProgress: (n) => artifactBar.tick(n),
            },
            { ...auditArgs(o, trees), devices: d.devices.map((x) => x.label) },
            {
              match: o.match !== false,
              changedBefore: plain?.outcomes.some((x) => x.status === 'ingested') ?? false,
              followUp,
            },
          );
          if (lastDevice) {
            artifactBar.stop();
            (lastDevice as Progress).tick();
          }
          return { plain, found };
        } finally {
          for (const b of deviceBars.values()) b.stop();
          board.stop();
        }
      }),
    );
    const outcomes = [...(result.plain?.outcomes ?? []), ...result.found.outcomes];
    if (o.json) {
      printJson({ devices: view.devices.map((x) => x.label), outcomes });
      if (result.found.outcomes.some((x) => x.status === 'skipped')) process.exitCode = 2;
    } else {
      for (const x of result.plain?.outcomes ?? []) console.log(describe(x));
      for (const x of result.found.outcomes) console.log(describeDiscovered(x));
      const skipped = result.found.outcomes.filter((x) => x.status === 'skipped').length;
      if (skipped) {
        console.error(`${skipped} artifact(s) were not read (see "NOT READ" above); the rest was ingested`);
        process.exitCode = 2;
      }
      const match = result.found.match;
      if (match)
        console.log(
          `matched against the case's lists: ${match.known} known material, ${match.novel} novel, ${match.unmatched} unmatched`,
        );
    }
  } finally {
    await closeDiscovery(d);
  }
}

function resolvedSecrets(o: IngestCliOptions): Partial<IngestCliOptions> {
  const secrets = resolveSecrets(o);
  return { backupPassword: secrets.backupPassword, key: secrets.key, secrets };
}

/** Whether a path is an iTunes / Finder backup folder whose Manifest.plist says it is encrypted. */
function isEncryptedBackupFolder(p: string): boolean {
  if (!looksLikeBackupFolder(p)) return false;
  try {
    const m = parsePlist(readFileSync(join(p, 'Manifest.plist')));
    return isDict(m) && m.IsEncrypted === true;
  } catch {
    return false; // the backup reader reports a damaged Manifest.plist
  }
}

/** The hidden prompt, when a terminal is there to answer it (else the backup reader says what to give). */
async function askBackupPassword(o: IngestCliOptions): Promise<void> {
  if (!canPrompt()) return;
  o.backupPassword = await promptHidden('password of the encrypted iTunes / Finder backup (not shown): ');
  o.secrets = { ...o.secrets, backupPassword: o.backupPassword, backupPasswordFrom: 'interactive prompt' };
}

async function recordFailure(dir: string, o: IngestCliOptions, paths: string[], err: unknown): Promise<void> {
  // The original error is what the user sees: a case that cannot be opened only loses the audit entry.
  await withCase(dir, o, ({ store }) =>
    auditedSteps(store, 'ingest', auditArgs(o, paths), () => Promise.reject(err)),
  ).catch(() => {});
}
