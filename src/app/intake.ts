/**
 * Evidence intake: the application service behind `filet ingest` and the web app's intake. It classifies
 * what was given (evidence files read as they are; folders and containers searched for WhatsApp
 * artifacts), previews what discovery finds without writing anything, and ingests through the audited
 * case actions (each item and its audit entry in one transaction).
 *
 * Secrets (a crypt15 64-digit key, an iTunes / Finder backup password) are passed in memory only: they
 * reach the readers and nothing else. The audit entry says that a secret was given and where from, never
 * its value; a key file is recorded by its path (the file is evidence the lab holds).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm, rmdir, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { readBackupLayout } from '../evidence/android-crypt/format.js';
import { PASSWORD_BACKUP_EXPLANATION } from '../evidence/android-crypt/keys.js';
import type { DiscoveredOutcome } from '../evidence/discovery/ingest.js';
import {
  closeDiscovery,
  discover,
  type DiscoveredArtifact,
  type DiscoveredDevice,
  type Discovery,
} from '../evidence/discovery/index.js';
import type { IngestOutcome } from '../evidence/ingest.js';
import { looksLikeBackupFolder } from '../evidence/ios-backup/ingest.js';
import { isDict, parsePlist } from '../evidence/plist.js';
import { detectReader } from '../evidence/registry.js';
import type { EvidenceShare } from '../evidence/share.js';
import { claimedByOpener, containerKind, openEvidenceFs } from '../evidence/vfs/index.js';
import { parseSqliteBudget } from '../evidence/wa-db/budget.js';
import type { MatchSummary } from '../matching/match.js';
import type { CaseStore } from '../store/case-store.js';
import { UserError } from '../util/errors.js';
import { auditedSteps, cliPolicy, type AuditPolicy } from './audited.js';
import { ingestAudited, ingestDiscoveredAudited, type FollowUp } from './case-actions.js';
import type { JobQueue, JobSpec } from '../jobs/types.js';

/**
 * An ingest job's parameters: one evidence path and the lead's description. Kept in the case with the job,
 * so never a secret: a key file goes by its path, and a job cannot take a key or a backup password.
 */
export interface IngestJobParams {
  paths: string[];
  device?: string;
  owner?: string;
  ownerName?: string;
  tz?: string;
  locale?: string;
  examiner?: string | null;
  acquiredAt?: number | null;
  keyFile?: string;
}

export function ingestJobParams(path: string, d: EvidenceDescription, keyFile?: string): IngestJobParams {
  return {
    paths: [path],
    device: d.device,
    owner: d.owner,
    ownerName: d.ownerName,
    tz: d.tz,
    locale: d.locale,
    examiner: d.examiner ?? null,
    acquiredAt: d.acquiredAt ?? null,
    ...(keyFile ? { keyFile: resolve(keyFile) } : {}),
  };
}

/** The description and secrets an ingest job's parameters stand for (the inverse of ingestJobParams). */
export function describedByJob(p: IngestJobParams): {
  description: EvidenceDescription;
  secrets: IntakeSecrets;
} {
  return {
    description: {
      device: p.device,
      owner: p.owner,
      ownerName: p.ownerName,
      tz: p.tz,
      locale: p.locale,
      examiner: p.examiner ?? undefined,
      acquiredAt: p.acquiredAt ?? null,
    },
    secrets: p.keyFile ? { keyFile: p.keyFile } : {},
  };
}

/** What the lead says about the evidence (recorded with it). */
export interface EvidenceDescription {
  /** Label of the device; with folders and containers, only when they hold one device. */
  device?: string;
  /** The owner's number (E.164); with folders and containers, only when they hold one WhatsApp instance. */
  owner?: string;
  ownerName?: string;
  examiner?: string;
  /** When it was acquired (ms since the epoch). */
  acquiredAt?: number | null;
  tz?: string;
  locale?: string;
  /** Limits on reading each SQLite database, as `--sqlite-budget` takes them. */
  sqliteBudget?: string;
}

/**
 * Secrets, in memory only. `keyFrom` / `backupPasswordFrom` say where they came from ("command line",
 * "environment variable FILET_BACKUP_KEY", "web form", …): that, and only that, is recorded.
 */
export interface IntakeSecrets {
  /** A crypt15 backup's 64-digit end-to-end key (hex). */
  key?: string;
  keyFrom?: string;
  /** A key file (files/key, files/encrypted_backup.key), recorded by its path. */
  keyFile?: string;
  /** An iTunes / Finder backup's password. */
  backupPassword?: string;
  backupPasswordFrom?: string;
}

/** What a piece of evidence needs before it can be read. */
export interface SecretNeed {
  path: string;
  device?: string;
  instance?: string;
  secret: 'android-key' | 'backup-password';
  /** crypt12 / crypt14 / crypt15 for Android backups. */
  format?: string;
  /** What opens it (in words, for the lead). */
  accepts: string;
  /** Whether what was given (or found in the device) covers it. */
  satisfied: boolean;
  /** The device's own key file found beside the backup (inner path). */
  keyFoundInDevice?: string;
}

export type DiscoveryView = ReturnType<typeof discoveryView>;

export interface EvidenceFileView {
  path: string;
  /** The reader that would read it (chat-export, android-msgstore, …), or null when none would. */
  kind: string | null;
  problem?: string;
}

/** `previewEvidence`'s result: JSON-able, nothing in it is a secret. */
export interface EvidencePreview extends DiscoveryView {
  /** Evidence files read as they are (chat exports, bare databases, backup folders). */
  files: string[];
  evidenceFiles: EvidenceFileView[];
  /** Folders and containers searched (discovery's devices come from these). */
  trees: string[];
  secretsNeeded: SecretNeed[];
}

export interface IntakeHooks {
  /** Once the plan is known (after discovery, for folders and containers), before anything is written. */
  onStart?: (plan: { files: string[]; trees: string[]; devices: string[] }) => void;
  /** Records read of the item being read. */
  onProgress?: (records: number) => void;
  /** Before each discovered artifact is read. */
  onArtifact?: (device: DiscoveredDevice, artifact: DiscoveredArtifact, index: number, total: number) => void;
  /** Every item's outcome, inside its own transaction when it was ingested (it commits after this). */
  onOutcome?: (outcome: IngestOutcome | DiscoveredOutcome, s: CaseStore) => void | Promise<void>;
  /**
   * Asked when an encrypted iTunes / Finder backup needs a password none was given for (the CLI's hidden
   * prompt); without it, such a backup fails (an evidence file) or is skipped (inside a folder).
   */
  askBackupPassword?: () => Promise<{ password: string; from: string } | undefined>;
}

export interface IngestEvidenceOptions {
  /** Who the audit entries name and how failures are recorded (default: the CLI's). */
  policy?: AuditPolicy;
  /** false: new media stay "unmatched" until `filet match`. */
  match?: boolean;
  /** When given, paths are relative to this share and resolved through it. */
  share?: EvidenceShare;
  hooks?: IntakeHooks;
  /** Runs after the case's changes committed: a workspace's case keeps its cross-case index up. */
  followUp?: FollowUp;
}

export interface IngestEvidenceResult {
  /** `files`: only evidence files were given; `trees`: folders or containers were searched too. */
  mode: 'files' | 'trees';
  /** Labels of the devices discovered in folders and containers. */
  devices: string[];
  /** Evidence files (read as they are). */
  fileOutcomes: IngestOutcome[];
  /** Artifacts discovered in folders and containers. */
  discovered: DiscoveredOutcome[];
  /** Discovered artifacts that could not be opened (see their reason); the rest was ingested. */
  skipped: number;
  match: MatchSummary | null;
}

/**
 * Which paths are evidence files read as they are (a chat export, a bare database) and which are folders or
 * containers to search (a device folder, an operation folder, a .zip/.tar/.tar.gz of a device).
 */
export async function classifyEvidence(paths: string[]): Promise<{ files: string[]; trees: string[] }> {
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

/** Whether a path is an iTunes / Finder backup folder whose Manifest.plist says it is encrypted. */
export function isEncryptedBackupFolder(p: string): boolean {
  if (!looksLikeBackupFolder(p)) return false;
  try {
    const m = parsePlist(readFileSync(join(p, 'Manifest.plist')));
    return isDict(m) && m.IsEncrypted === true;
  } catch {
    return false; // the backup reader reports a damaged Manifest.plist
  }
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

/** What discovery found, JSON-able (the CLI's --dry-run, the web app's preview). */
export function discoveryView(d: Discovery, givenOwner?: string, device?: string) {
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
          givenOwner && i.platform !== 'export'
            ? { number: givenOwner, source: 'command line (--owner)', foundInDevice: i.owner }
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

const E164 = /^\+[1-9]\d{6,14}$/;

function checkDescription(d: EvidenceDescription): void {
  if (d.owner !== undefined && !E164.test(d.owner))
    throw new UserError(`the owner must be an E.164 number like +34600000123, got "${d.owner}"`);
  if (d.acquiredAt !== undefined && d.acquiredAt !== null && !Number.isFinite(d.acquiredAt))
    throw new UserError('the acquisition time is not a date');
}

/** The reader options every ingest path passes (evidence files and discovered artifacts). */
function readerOptions(d: EvidenceDescription, s: IntakeSecrets) {
  return {
    device: d.device,
    owner: d.owner,
    ownerName: d.ownerName,
    examiner: d.examiner,
    acquiredAt: d.acquiredAt ?? null,
    tz: d.tz,
    locale: d.locale,
    keyFile: s.keyFile,
    key: s.key,
    backupPassword: s.backupPassword,
    // The notes say where the key came from; the reader's own wording is the command line's.
    ...(s.key && s.keyFrom !== 'command line'
      ? { keySource: s.keyFrom ? `64-digit key given in the ${s.keyFrom}` : '64-digit key given' }
      : {}),
    ...(d.sqliteBudget ? { sqliteBudget: parseSqliteBudget(d.sqliteBudget) } : {}),
  };
}

/**
 * The audit entry's arguments. Secrets never go into the audit log: the key and the backup password are
 * recorded only as having been given (and where from); the key file by its path.
 */
export function intakeAuditArgs(
  d: EvidenceDescription,
  s: IntakeSecrets,
  paths: string[],
  share?: EvidenceShare,
): Record<string, unknown> {
  return {
    ...(share ? { evidenceRoot: share.root } : {}),
    paths,
    device: d.device,
    owner: d.owner,
    tz: d.tz ?? 'UTC',
    locale: d.locale,
    examiner: d.examiner,
    ...(s.keyFile ? { keyFile: resolve(s.keyFile) } : {}),
    ...(s.key
      ? {
          key:
            s.keyFrom === 'command line'
              ? 'given on the command line (not recorded)'
              : s.keyFrom
                ? `given in the ${s.keyFrom} (not recorded)`
                : 'given (not recorded)',
        }
      : {}),
    ...(s.backupPassword !== undefined ? { backupPassword: 'given (not recorded)' } : {}),
    ...(s.backupPassword !== undefined && s.backupPasswordFrom
      ? { backupPasswordFrom: s.backupPasswordFrom }
      : {}),
    ...(d.sqliteBudget ? { sqliteBudget: d.sqliteBudget } : {}),
  };
}

async function resolveAll(paths: string[], share: EvidenceShare | undefined): Promise<string[]> {
  if (!share) return paths;
  const out: string[] = [];
  for (const p of paths) out.push(await share.resolve(p));
  return out;
}

/** The checks on discovery that need the lead's decision (they name the option the CLI takes). */
function checkDiscovery(d: Discovery, desc: EvidenceDescription): void {
  if (desc.device && d.devices.length > 1)
    throw new UserError(
      `--device names one device, but ${d.devices.length} were found (${d.devices.map((x) => x.label).join(', ')}): ingest them without --device (each keeps its folder or container name) or one at a time`,
    );
  const dbInstances = d.devices.flatMap((x) => x.instances).filter((i) => i.platform !== 'export');
  if (desc.owner && dbInstances.length > 1)
    throw new UserError(
      `--owner names one account, but ${dbInstances.length} WhatsApp instances were found: ingest them one at a time (their owners are read from each device's own files)`,
    );
}

const androidKeyGiven = (s: IntakeSecrets) => !!(s.keyFile || s.key);

function androidKeyAccepts(format: string): string {
  return format === 'crypt15'
    ? "the device's files/encrypted_backup.key or the 64-digit end-to-end key"
    : "the device's files/key";
}

async function fileNeeds(path: string, kind: string | null, s: IntakeSecrets): Promise<SecretNeed[]> {
  if (isEncryptedBackupFolder(path))
    return [
      {
        path,
        secret: 'backup-password',
        accepts: 'the password of the iTunes / Finder backup',
        satisfied: s.backupPassword !== undefined,
      },
    ];
  if (kind !== 'android-msgstore-crypt') return [];
  const layout = await readBackupLayout(path);
  const passwordLike = layout.keyType === 2 || layout.keyType === 4;
  return [
    {
      path,
      secret: 'android-key',
      format: layout.format,
      accepts: passwordLike ? PASSWORD_BACKUP_EXPLANATION : androidKeyAccepts(layout.format),
      satisfied: androidKeyGiven(s),
    },
  ];
}

function discoveredNeeds(d: Discovery, s: IntakeSecrets, device?: string): SecretNeed[] {
  const out: SecretNeed[] = [];
  for (const dev of d.devices)
    for (const i of dev.instances)
      for (const a of i.artifacts) {
        const where = { path: a.path, device: device ?? dev.label, instance: i.id };
        if (a.kind === 'ios-backup' && a.encrypted)
          out.push({
            ...where,
            secret: 'backup-password',
            accepts: 'the password of the iTunes / Finder backup',
            satisfied: s.backupPassword !== undefined,
          });
        if (a.kind === 'android-msgstore-crypt') {
          const format = /\.(crypt1[245])$/.exec(a.path)?.[1] ?? 'crypt';
          out.push({
            ...where,
            secret: 'android-key',
            format,
            accepts: androidKeyAccepts(format),
            satisfied: androidKeyGiven(s) || !!a.key,
            ...(a.key ? { keyFoundInDevice: a.key.path } : {}),
          });
        }
      }
  return out;
}

/**
 * What the evidence holds, for the lead to confirm before ingesting: devices, WhatsApp instances, owners and
 * artifacts found in folders and containers, the reader of each evidence file, and which secrets are
 * needed. Writes nothing to any case (private copies of nested zips go to the system's temporary folder
 * and are removed before this returns).
 */
export async function previewEvidence(
  paths: string[],
  description: EvidenceDescription,
  secrets: IntakeSecrets,
  opts: { share?: EvidenceShare } = {},
): Promise<EvidencePreview> {
  checkDescription(description);
  const abs = await resolveAll(paths, opts.share);
  const { files, trees } = await classifyEvidence(abs);
  const evidenceFiles: EvidenceFileView[] = [];
  const secretsNeeded: SecretNeed[] = [];
  for (const f of files) {
    let kind: string | null = null;
    try {
      if (!looksLikeBackupFolder(f)) kind = (await detectReader(f)).reader.kind;
      else kind = 'ios-backup';
      secretsNeeded.push(...(await fileNeeds(f, kind, secrets)));
      evidenceFiles.push({ path: f, kind });
    } catch (err) {
      evidenceFiles.push({ path: f, kind, problem: err instanceof Error ? err.message : String(err) });
    }
  }
  let view: DiscoveryView = { devices: [], ignored: [], ignoredNotListed: 0, searched: [] };
  if (trees.length) {
    const d = await discover(
      trees.map((t) => resolve(t)),
      {
        label: description.device,
        backupPassword: secrets.backupPassword !== undefined,
        androidKey: androidKeyGiven(secrets),
        hashContainers: false,
      },
    );
    try {
      if (!d.devices.length) throw nothingFound(d);
      checkDiscovery(d, description);
      view = discoveryView(d, description.owner, description.device);
      secretsNeeded.push(...discoveredNeeds(d, secrets, description.device));
    } finally {
      await closeDiscovery(d);
    }
  }
  return { files, evidenceFiles, trees, ...view, secretsNeeded };
}

/**
 * Ingests evidence into a case, as `filet ingest` does: evidence files each in their own transaction;
 * folders and containers searched, each artifact found in its own transaction; each with its audit entry;
 * then the new media compared with the case's lists (unless `match: false`). A failure is recorded in the
 * audit log once what failed rolled back, as the policy says.
 */
export async function ingestEvidence(
  store: CaseStore,
  caseDir: string,
  paths: string[],
  description: EvidenceDescription,
  secretsGiven: IntakeSecrets,
  opts: IngestEvidenceOptions = {},
): Promise<IngestEvidenceResult> {
  const policy = opts.policy ?? cliPolicy();
  const hooks = opts.hooks ?? {};
  let secrets = { ...secretsGiven };
  const recordFailure = (p: string[], err: unknown) =>
    auditedSteps(
      store,
      'ingest',
      intakeAuditArgs(description, secrets, p, opts.share),
      () => Promise.reject(err),
      policy,
    ).catch(() => {});
  let abs: string[];
  try {
    checkDescription(description);
    abs = await resolveAll(paths, opts.share);
  } catch (err) {
    // A refused path is an attempt on the case too: recorded as given.
    await recordFailure(paths, err);
    throw err;
  }
  const askPassword = async () => {
    const got = await hooks.askBackupPassword?.();
    if (got) secrets = { ...secrets, backupPassword: got.password, backupPasswordFrom: got.from };
  };
  const { files, trees } = await classifyEvidence(abs);
  if (secrets.backupPassword === undefined && files.some(isEncryptedBackupFolder)) await askPassword();
  const onOutcome = hooks.onOutcome
    ? async (s: CaseStore, o: IngestOutcome | DiscoveredOutcome) => {
        await hooks.onOutcome!(o, s);
      }
    : undefined;

  if (!trees.length) {
    hooks.onStart?.({ files, trees, devices: [] });
    const { outcomes, match } = await ingestAudited(
      store,
      caseDir,
      abs,
      { ...readerOptions(description, secrets), onProgress: hooks.onProgress, onOutcome },
      intakeAuditArgs(description, secrets, abs, opts.share),
      { match: opts.match !== false, followUp: opts.followUp },
      policy,
    );
    return { mode: 'files', devices: [], fileOutcomes: outcomes, discovered: [], skipped: 0, match };
  }

  const d = await discover(
    trees.map((t) => resolve(t)),
    {
      label: description.device,
      // Private copies of nested zips go to the case's working area.
      workDir: join(resolve(caseDir), 'working'),
      backupPassword: secrets.backupPassword !== undefined || !!hooks.askBackupPassword,
      androidKey: androidKeyGiven(secrets),
      hashContainers: true,
    },
  ).catch(async (err: unknown) => {
    await recordFailure([...files, ...trees], err);
    throw err;
  });
  try {
    if (!d.devices.length) {
      const err = nothingFound(d);
      await recordFailure([...files, ...trees], err);
      throw err;
    }
    checkDiscovery(d, description);
    const encrypted = d.devices.some((x) =>
      x.instances.some((i) => i.artifacts.some((a) => a.kind === 'ios-backup' && a.encrypted)),
    );
    if (encrypted && secrets.backupPassword === undefined) await askPassword();
    const devices = d.devices.map((x) => description.device ?? x.label);
    hooks.onStart?.({ files, trees, devices });
    const common = readerOptions(description, secrets);
    // Evidence files given beside the trees (an encrypted backup with its key, a backup folder).
    const plain = files.length
      ? await ingestAudited(
          store,
          caseDir,
          files,
          { ...common, onProgress: hooks.onProgress, onOutcome },
          intakeAuditArgs(description, secrets, files, opts.share),
          { match: false, followUp: opts.followUp && { ingested: opts.followUp.ingested } },
          policy,
        )
      : null;
    const found = await ingestDiscoveredAudited(
      store,
      d,
      {
        ...common,
        workDir: caseDir,
        onArtifact: hooks.onArtifact,
        onProgress: hooks.onProgress,
        onOutcome,
      },
      {
        ...intakeAuditArgs(description, secrets, trees, opts.share),
        devices: d.devices.map((x) => x.label),
      },
      {
        match: opts.match !== false,
        changedBefore: plain?.outcomes.some((x) => x.status === 'ingested') ?? false,
        followUp: opts.followUp,
      },
      policy,
    );
    return {
      mode: 'trees',
      devices,
      fileOutcomes: plain?.outcomes ?? [],
      discovered: found.outcomes,
      skipped: found.outcomes.filter((x) => x.status === 'skipped').length,
      match: found.match,
    };
  } finally {
    await closeDiscovery(d);
  }
}

/** Uploads the web app accepts (a chat export is small; extractions come through the evidence share). */
export const uploadLimits = {
  /** A chat export (.zip with its media, or .txt). */
  chatExportBytes: 64 * 1024 * 1024,
} as const;

export const UPLOADS_DIR = 'evidence-uploads';

export interface StoredUpload {
  /** Where it is: `<case>/evidence-uploads/<sha256>/<name>`, to ingest like any evidence file. */
  path: string;
  sha256: string;
  size: number;
  /** The same bytes were uploaded before: that file is the one returned, nothing new was written. */
  existed: boolean;
}

/** An upload's file name, kept because a chat export's name carries its chat's title. */
function uploadName(name: string): string {
  const bad = (why: string) => new UserError(`upload "${name.replace(/\0/g, '\\0')}": ${why}`);
  if (!name || name !== basename(name) || /[/\\]/.test(name)) throw bad('give a file name, not a path');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw bad('the name holds control characters');
  if (name.startsWith('.')) throw bad('the name starts with a dot');
  if (Buffer.byteLength(name) > 200) throw bad('the name is longer than 200 bytes');
  if (!/\.(zip|txt)$/i.test(name)) throw bad('only a chat export (.zip or .txt) can be uploaded');
  return name;
}

/**
 * Stores an uploaded chat export in the case folder, content-addressed by SHA-256, so it can then be
 * ingested like any evidence file. The bytes are written to a private folder under `evidence-uploads/` and
 * hashed while they arrive; more than `limit` bytes stops the upload, removes what was written and fails
 * (nothing is left behind). Complete, the folder is renamed to the SHA-256 in one step: the same bytes
 * uploaded twice (even at once) give one file.
 */
export async function storeUpload(
  caseDir: string,
  name: string,
  body: Readable | AsyncIterable<Uint8Array>,
  opts: { limit?: number; declaredSize?: number } = {},
): Promise<StoredUpload> {
  const limit = opts.limit ?? uploadLimits.chatExportBytes;
  const safeName = uploadName(name);
  const tooLarge = () =>
    new UserError(
      `upload "${safeName}" is larger than the limit of ${limit} bytes (${Math.round(limit / 1048576)} MiB): ` +
        'place larger evidence on the evidence share',
    );
  const destroy = () => (body as Readable).destroy?.();
  if (opts.declaredSize !== undefined && opts.declaredSize > limit) {
    destroy();
    throw tooLarge();
  }
  const uploads = join(resolve(caseDir), UPLOADS_DIR);
  const createdUploads = await mkdir(uploads, { recursive: true });
  const incoming = join(uploads, `.incoming-${randomBytes(8).toString('hex')}`);
  await mkdir(incoming);
  const cleanUp = async () => {
    await rm(incoming, { recursive: true, force: true });
    // The uploads folder made for this upload goes too when nothing else is in it.
    if (createdUploads) await rmdir(uploads).catch(() => {});
  };
  const hash = createHash('sha256');
  let size = 0;
  try {
    const fh = await open(join(incoming, safeName), 'wx', 0o600);
    try {
      let head: Buffer | null = Buffer.alloc(0);
      for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
        size += buf.length;
        if (size > limit) {
          destroy();
          throw tooLarge();
        }
        if (head) {
          head = Buffer.concat([head, buf]);
          if (head.length >= 4) {
            checkMagic(safeName, head);
            head = null;
          }
        }
        hash.update(buf);
        await fh.write(buf);
      }
      if (head) checkMagic(safeName, head);
      await fh.sync();
    } finally {
      await fh.close();
    }
    const sha256 = hash.digest('hex');
    const dest = join(uploads, sha256);
    try {
      await rename(incoming, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // The same bytes are already there (under the name they came with first).
      await rm(incoming, { recursive: true, force: true });
      const [existing] = (await readdir(dest)).filter((n) => !n.startsWith('.'));
      if (!existing) throw new Error(`${dest} holds no upload`, { cause: err });
      return { path: join(dest, existing), sha256, size, existed: true };
    }
    return { path: join(dest, safeName), sha256, size, existed: false };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** A .zip upload must be a zip (its local file header); a .txt can hold any text. */
function checkMagic(name: string, head: Buffer): void {
  if (/\.zip$/i.test(name) && !head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')))
    throw new UserError(`upload "${name}" is named .zip but is not a zip file`);
}

/**
 * Ingest as jobs (docs/jobs.md): one ingest job per evidence file, folder or container, then, once they have
 * all run, hashing and matching jobs. A job's parameters are kept in the case, so a key or a backup password
 * cannot go into one (a key file on the share can: it is named by its path).
 */
export async function queueIngest(
  store: CaseStore,
  queue: JobQueue,
  paths: string[],
  description: EvidenceDescription,
  secrets: IntakeSecrets,
  opts: { share?: EvidenceShare; actor?: string; match?: boolean } = {},
): Promise<number[]> {
  if (secrets.key || secrets.backupPassword !== undefined)
    throw new UserError(
      "a key or a backup password cannot go into a job (a job's parameters are kept in the case): give a key file, or ingest without jobs",
    );
  checkDescription(description);
  const abs = await resolveAll(paths, opts.share);
  const specs: JobSpec[] = abs.map((p) => ({
    kind: 'ingest',
    params: { ...ingestJobParams(resolve(p), description, secrets.keyFile) },
    total: 1,
  }));
  const then =
    opts.match === false ? undefined : { kind: 'hash' as const, params: { plan: { matchIfLists: {} } } };
  return queue.enqueue(store, specs, { then, actor: opts.actor });
}
