/**
 * Artifact discovery, ALEAPP-style: walks an EvidenceFs (a folder, or a container, and containers found
 * in a folder), matches every entry against the readers' prefix-independent patterns (`**` spans
 * folders), claims unnamed SQLite files by their table signature (IPED's), and groups what it finds:
 * - into **devices**: the folder above an artifact's app folder once the platform's own path is removed
 *   (`…/<label>/Dump/data/data/com.whatsapp/databases/msgstore.db` → `<label>`); when nothing is left
 *   above it, the container's (or folder's) own name. Artifacts with the same label are one device.
 * - into **WhatsApp instances** per device: Android consumer (`com.whatsapp`), Business (`com.whatsapp.w4b`),
 *   and each `data/user/<N>` user apart — each its own account with its own owner; iOS app groups;
 *   chat exports. Android's file-based-encryption views of one app folder (`data/data/<pkg>`,
 *   `data/user/0/<pkg>`, `data_mirror/data_ce/<vol>/0/<pkg>`) whose databases are byte-identical are one
 *   source (the others are listed as duplicate views); differing ones are kept apart and reported.
 * - an **owner** per instance from the device's own files (Android shared_prefs in IPED's order, same
 *   flavour first; `files/me`; iOS `group.net.whatsapp.WhatsApp(SMB).shared.plist` `OwnJabberID`), with
 *   the file and key it came from; several different numbers are reported as a conflict.
 * Everything not used is listed in `ignored` with the reason.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { EvidenceKind } from '../../model/types.js';
import { UserError } from '../../util/errors.js';
import { SNIFF_BYTES, chatExportReader, textExportConfidence } from '../chat-export/index.js';
import { READERS, unreadableArtifactHint } from '../registry.js';
import { ownerFromMeFile, ownerFromPrefs } from '../wa-db/owner.js';
import { sqliteSignature } from '../wa-db/sqlite.js';
import {
  containerKind,
  expandEvidencePath,
  openEvidenceFs,
  streamHead,
  type EvidenceFs,
  type VfsEntry,
} from '../vfs/index.js';
import { isDict, parsePlist } from '../plist.js';
// Registers the views of vendor extractions (Cellebrite UFDR / full file system, GrayKey).
import '../cellebrite/index.js';
import {
  NestingContext,
  nestedKind,
  openNested,
  type Level,
  type NestedLink,
  type NestingLimits,
} from './nested.js';
import { stateDateOfName } from '../../model/database-state.js';
import { ContainerHashes } from './custody.js';
import { entrySignature } from './sqlite-bytes.js';

/** A reader's artifact patterns (prefix-independent globs) and optional SQLite table signature. */
export interface ArtifactRule {
  kind: EvidenceKind;
  patterns: string[];
  /** Each inner list: one of these tables must exist; every list must be satisfied. */
  tables?: string[][];
}

/** The rules every reader declares (EvidenceReader.artifacts), in the registry's order. */
export const ARTIFACT_RULES: ArtifactRule[] = READERS.flatMap((r) =>
  r.artifacts
    ? [
        {
          kind: r.kind,
          patterns: r.artifacts.patterns,
          ...(r.artifacts.tables ? { tables: r.artifacts.tables } : {}),
        },
      ]
    : [],
);

/** `**` any number of folders, `*` within one name. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*' && glob[i + 2] === '/') {
      re += '(?:.*/)?';
      i += 2;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const COMPILED = ARTIFACT_RULES.map((r) => ({
  rule: r,
  res: r.patterns.map((p) => ({ p, re: globToRegExp(p) })),
}));

export interface OwnerFinding {
  number: string;
  /** Where it was found: the inner path (in `source`) and the key. */
  file: string;
  key: string;
  name?: string;
  /** What kind of file gave it when not the device's own (e.g. "Cellebrite report"). */
  from?: string;
}

export interface DiscoveredArtifact {
  kind: EvidenceKind;
  /** Inner path in the device's EvidenceFs. */
  path: string;
  size: number;
  matchedBy: string;
  /** `-wal`, wa.db (and its `-wal`) read with it. */
  companions: Array<{ role: string; path: string; size: number }>;
  /** Inner folders holding `Media/` for this artifact (Android: the WhatsApp folder; iOS: `Message`). */
  mediaBases: string[];
  /** Identical copies of the same database seen through other views of the app folder. */
  duplicateViews: string[];
  /** SHA-256 of the database, when discovery had to compare views. */
  sha256?: string;
  /** An encrypted backup's key found in the device's own files (inner path; its bytes are never staged). */
  key?: { path: string; kind: 'key' | 'encrypted_backup.key'; size: number };
  /** iTunes / Finder backups: whether Manifest.plist says it is encrypted. */
  encrypted?: boolean;
}

/** A file discovery found and did not read as an artifact of its own, with what it did with it. */
export interface AlsoFound {
  path: string;
  size: number;
  what: string;
  action: string;
}

export interface DiscoveredInstance {
  id: string;
  platform: 'android' | 'ios' | 'export';
  app: 'consumer' | 'business' | 'exports';
  user: number | null;
  appRoot: string | null;
  owner: OwnerFinding | null;
  ownerConflicts: OwnerFinding[];
  artifacts: DiscoveredArtifact[];
  notes: string[];
  /** Encrypted backups and dated copies of this instance that were not read (see AlsoFound.action). */
  alsoFound: AlsoFound[];
}

export interface DiscoveredDevice {
  label: string;
  /**
   * The folder or container the device's artifacts are in; for a container inside a container, the chain
   * `outer.zip!/inner/phone.zip`.
   */
  source: string;
  /** What was received: the folder, or the container file that holds `source` (itself when not nested). */
  container: string;
  containerKind: string;
  /** The containers inside `container` that lead to `source`, outermost first (empty when not nested). */
  chain: NestedLink[];
  fs: EvidenceFs;
  instances: DiscoveredInstance[];
}

export interface Discovery {
  devices: DiscoveredDevice[];
  ignored: Array<{ source: string; path: string; reason: string }>;
  /** How many ignored entries were not listed (the list is capped). */
  ignoredNotListed: number;
  searched: string[];
  /** Every EvidenceFs opened (close them with closeDiscovery). */
  opened: EvidenceFs[];
  /** Private copies of nested zips (removed by closeDiscovery). */
  nesting?: NestingContext;
  /** Custody digests of the containers opened, started as they were opened (see custody.ts). */
  containerHashes?: ContainerHashes;
}

const MAX_IGNORED_LISTED = 500;
const MEDIA_EXT = /\.(jpe?g|png|gif|webp|heic|mp4|3gp|mov|opus|ogg|m4a|aac|mp3|amr|pdf|vcf|thumb|enc)$/i;

const ANDROID_PKG = /^com\.whatsapp(\.w4b)?$/;
const IOS_GROUPS = /^group\.net\.whatsapp\.WhatsApp(SMB)?\.shared$/;

/** Removes the platform's own folders from the end of an inner folder path. */
function devicePrefix(dir: string): string {
  let p = `/${dir}`;
  const tails = [
    /\/(?:data\/data|data\/user\/\d+|data\/user_de\/\d+|data_mirror\/data_ce\/[^/]+\/\d+|user\/\d+)$/,
    /\/(?:private\/)?var\/mobile\/Containers\/Shared\/AppGroup$/,
    /\/(?:mobile\/)?Containers\/Shared\/AppGroup$/,
    // macOS WhatsApp Desktop: the home folder's group container; the device is the computer, not the user.
    /\/Users\/[^/]+\/Library\/Group Containers$/,
    /\/Library\/Group Containers$/,
    /\/(?:Dump|filesystem\d?|fs|data|private\/var|var|private|mobile|devices|exports)$/i,
  ];
  for (let changed = true; changed && p;) {
    changed = false;
    for (const t of tails) {
      const q = p.replace(t, '');
      if (q !== p) {
        p = q;
        changed = true;
      }
    }
  }
  return p.slice(1);
}

const parent = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

function labelOf(prefix: string, fsLabel: string): string {
  return prefix ? prefix.split('/').pop()! : fsLabel;
}

function androidInstance(dbPath: string): {
  appRoot: string;
  app: 'consumer' | 'business';
  user: number;
  viewRoot: string;
} {
  const dbDir = parent(dbPath);
  const appRoot = basename(dbDir) === 'databases' ? parent(dbDir) : dbDir;
  const pkg = basename(appRoot);
  const app =
    pkg === 'com.whatsapp.w4b' || /(^|\/)com\.whatsapp\.w4b(\/|$)/.test(dbPath) ? 'business' : 'consumer';
  let user = 0;
  const m =
    /(?:^|\/)data\/user(?:_de)?\/(\d+)\/[^/]+$/.exec(appRoot) ??
    /(?:^|\/)data_mirror\/data_ce\/[^/]+\/(\d+)\/[^/]+$/.exec(appRoot);
  if (m) user = Number(m[1]);
  const viewRoot = ANDROID_PKG.test(pkg) ? parent(appRoot) : appRoot;
  return { appRoot, app, user, viewRoot };
}

async function readEntry(fs: EvidenceFs, path: string, max = 4 * 1024 * 1024): Promise<Buffer | null> {
  const st = await fs.stat(path).catch(() => null);
  if (!st || st.size > max) return null;
  const chunks: Buffer[] = [];
  for await (const c of (await fs.open(path)) as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function sha256Entry(fs: EvidenceFs, path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of (await fs.open(path)) as AsyncIterable<Buffer>) h.update(c);
  return h.digest('hex');
}

async function headOf(fs: EvidenceFs, path: string, n: number): Promise<Buffer> {
  return fs.readHead ? fs.readHead(path, n) : streamHead(await fs.open(path), n);
}

/** Android owner from the app folder's shared_prefs (IPED's order, same flavour first) or files/me. */
async function androidOwner(
  fs: EvidenceFs,
  files: Set<string>,
  appRoot: string,
  app: 'consumer' | 'business',
): Promise<OwnerFinding[]> {
  const own = app === 'business' ? 'com.whatsapp.w4b' : 'com.whatsapp';
  const other = app === 'business' ? 'com.whatsapp' : 'com.whatsapp.w4b';
  const order = [
    `${own}_preferences_light.xml`,
    `${own}_preferences.xml`,
    'registration.RegisterPhone.xml',
    'startup_prefs.xml',
    `${other}_preferences_light.xml`,
    `${other}_preferences.xml`,
  ];
  const out: OwnerFinding[] = [];
  const base = appRoot ? `${appRoot}/` : '';
  for (const f of order) {
    const p = `${base}shared_prefs/${f}`;
    if (!files.has(p)) continue;
    const buf = await readEntry(fs, p);
    if (!buf) continue;
    const xml = buf.toString('utf8');
    const number = ownerFromPrefs(xml);
    if (!number) continue;
    const key = /name="registration_jid"/.test(xml)
      ? 'registration_jid'
      : /name="com\.whatsapp\.registration\.RegisterPhone\.phone_number"/.test(xml)
        ? 'com.whatsapp.registration.RegisterPhone.country_code + …phone_number'
        : 'cc + ph';
    const name = /<string name="push_name">([^<]*)<\/string>/.exec(xml)?.[1];
    out.push({ number, file: p, key, ...(name ? { name } : {}) });
  }
  const me = `${base}files/me`;
  if (files.has(me)) {
    const buf = await readEntry(fs, me);
    const number = buf && ownerFromMeFile(buf);
    if (number) out.push({ number, file: me, key: 'files/me (longest digit run)' });
  }
  return out;
}

async function iosOwner(fs: EvidenceFs, files: Set<string>, appRoot: string): Promise<OwnerFinding[]> {
  const out: OwnerFinding[] = [];
  const base = appRoot ? `${appRoot}/` : '';
  for (const name of [
    'group.net.whatsapp.WhatsApp.shared.plist',
    'group.net.whatsapp.WhatsAppSMB.shared.plist',
  ]) {
    const p = `${base}Library/Preferences/${name}`;
    if (!files.has(p)) continue;
    const buf = await readEntry(fs, p);
    if (!buf) continue;
    let dict: Record<string, unknown>;
    try {
      dict = parsePlist(buf) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const key of ['OwnJabberID', 'LastOwnJabberID']) {
      const v = dict[key];
      const digits = typeof v === 'string' ? v.replace(/@.*$/, '') : '';
      if (/^\d{6,15}$/.test(digits)) {
        const fullName = typeof dict.FullUserName === 'string' ? dict.FullUserName : undefined;
        out.push({ number: `+${digits}`, file: p, key, ...(fullName ? { name: fullName } : {}) });
        break;
      }
    }
  }
  return out;
}

/**
 * Accounts an extraction report decoded for this app (a Cellebrite UserAccount model): after the device's
 * own files, so a different number is reported as a conflict rather than replacing them.
 */
function reportOwners(fs: EvidenceFs, app: 'consumer' | 'business'): OwnerFinding[] {
  return (fs.described?.accounts ?? [])
    .filter((a) => a.app === app)
    .map((a) => ({
      number: a.number,
      file: a.file,
      key: a.key,
      from: a.from,
      ...(a.name ? { name: a.name } : {}),
    }));
}

function uniqueOwner(found: OwnerFinding[]): { owner: OwnerFinding | null; conflicts: OwnerFinding[] } {
  if (!found.length) return { owner: null, conflicts: [] };
  const numbers = new Set(found.map((f) => f.number));
  return { owner: found[0]!, conflicts: numbers.size > 1 ? found : [] };
}

interface Candidate {
  kind: EvidenceKind | 'dated-copy';
  path: string;
  size: number;
  matchedBy: string;
}

export interface DiscoverOptions {
  /** Label for the device when the artifacts sit at the root of what was given. */
  label?: string;
  /**
   * Where private copies of nested zips go (a folder of the case's working area when ingesting; the system
   * temporary folder when absent, e.g. for a dry run). They are removed by closeDiscovery.
   */
  workDir?: string;
  nesting?: NestingLimits;
  /** Whether a backup password was given (an encrypted iTunes backup without one is listed as such). */
  backupPassword?: boolean;
  /** Whether an Android backup key was given (--key-file / --key / FILET_BACKUP_KEY). */
  androidKey?: boolean;
  /** Start hashing each container as it is opened, for an ingest that follows (default true). */
  hashContainers?: boolean;
}

/** Discovers devices in each given folder or container. */
export async function discover(paths: string[], opts: DiscoverOptions = {}): Promise<Discovery> {
  const nesting = new NestingContext(opts.workDir, opts.nesting);
  const d: Discovery = { devices: [], ignored: [], ignoredNotListed: 0, searched: [], opened: [], nesting };
  if (opts.hashContainers !== false) d.containerHashes = new ContainerHashes();
  try {
    for (const p of paths)
      for (const q of await expandEvidencePath(p)) {
        const fs = await openEvidenceFs(q);
        const root =
          fs.kind === 'folder'
            ? null
            : { path: fs.origin, size: (await stat(fs.origin)).size, kind: fs.kind };
        await discoverIn(fs, d, opts.label, true, { depth: 0, chain: [], root }, opts);
      }
  } catch (err) {
    await closeDiscovery(d);
    throw err;
  }
  return d;
}

export async function closeDiscovery(d: Discovery): Promise<void> {
  await d.containerHashes?.cancel();
  for (const fs of d.opened) await fs.close().catch(() => {});
  d.opened.length = 0;
  await d.nesting?.close();
}

function ignore(d: Discovery, source: string, path: string, reason: string) {
  if (d.ignored.length < MAX_IGNORED_LISTED) d.ignored.push({ source, path, reason });
  else d.ignoredNotListed++;
}

function fsLabel(fs: EvidenceFs): string {
  if (fs.described?.label) return fs.described.label;
  const b = basename(fs.origin);
  return fs.kind === 'folder' ? b : b.replace(/\.(tar\.gz|tgz|tar|zip)$/i, '') || b;
}

const DATED_COPY = /^msgstore-\d{4}-\d{2}-\d{2}\.\d+\.db(\.crypt1[245])?$/;
const CRYPT_MSGSTORE = /^msgstore\.db\.crypt(12|14|15)$/;

/** Folders of an iTunes / Finder backup (`Manifest.db` + `Manifest.plist`, or an iOS 9 `Manifest.mbdb`). */
function backupRoots(files: Set<string>): { roots: string[]; legacy: string[] } {
  const roots: string[] = [];
  const legacy: string[] = [];
  for (const f of files) {
    const name = basename(f);
    const dir = parent(f);
    const at = (n: string) => (dir ? `${dir}/${n}` : n);
    if (name === 'Manifest.db' && files.has(at('Manifest.plist'))) roots.push(dir);
    else if (name === 'Manifest.mbdb' && !files.has(at('Manifest.db'))) legacy.push(dir);
  }
  return { roots: roots.sort(), legacy: legacy.sort() };
}

const under = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);

async function discoverIn(
  fs: EvidenceFs,
  d: Discovery,
  label: string | undefined,
  top: boolean,
  level: Level,
  opts: DiscoverOptions,
) {
  d.opened.push(fs);
  d.searched.push(`${fs.origin} (${fs.kind})`);
  // The container as received (the outermost file on disk) is hashed once, in the background, for custody.
  if (level.root) d.containerHashes?.start(level.root.path);
  const rootLabel = (top && label) || fsLabel(fs);
  const all: VfsEntry[] = [];
  for await (const e of fs.entries()) all.push(e);
  for (const r of fs.refused) ignore(d, fs.origin, r.name, r.reason);
  const files = new Set(all.map((e) => e.path));
  const candidates: Candidate[] = [];
  const backups = backupRoots(files);
  for (const b of backups.roots)
    candidates.push({
      kind: 'ios-backup',
      path: b,
      size: all.find((e) => e.path === (b ? `${b}/Manifest.db` : 'Manifest.db'))!.size,
      matchedBy: 'iTunes / Finder backup folder (Manifest.db + Manifest.plist)',
    });
  for (const b of backups.legacy)
    ignore(
      d,
      fs.origin,
      b || '.',
      'iTunes backup of iOS 9 or earlier (Manifest.mbdb): older backup formats are out of scope',
    );
  const inBackup = (p: string) => [...backups.roots, ...backups.legacy].some((b) => under(p, b));
  let scratch: string | null = null;
  const scratchDir = async () => (scratch ??= await mkdtemp(join(tmpdir(), 'filet-discover-')));
  const nesting = d.nesting!;
  try {
    for (const e of all) {
      const name = basename(e.path);
      // A backup's own files (named by fileID) are read through its Manifest.db, not one by one.
      if (inBackup(e.path)) continue;
      if (/-(wal|shm|journal)$/.test(name)) continue;
      if (stateDateOfName(name)) {
        // An older state of the msgstore.db beside it: read as a state of the same instance (see group()).
        candidates.push({
          kind: 'android-msgstore',
          path: e.path,
          size: e.size,
          matchedBy: 'dated older copy msgstore-YYYY-MM-DD.N.db (an older state of the database)',
        });
        continue;
      }
      if (DATED_COPY.test(name)) {
        candidates.push({ kind: 'dated-copy', path: e.path, size: e.size, matchedBy: 'dated copy name' });
        continue;
      }
      if (CRYPT_MSGSTORE.test(name)) {
        candidates.push({
          kind: 'android-msgstore-crypt',
          path: e.path,
          size: e.size,
          matchedBy: 'pattern **/msgstore.db.crypt12|14|15',
        });
        continue;
      }
      if (/\.crypt\d+$/.test(name)) {
        // wa.db.crypt15 is read with its msgstore backup; anything else encrypted is not WhatsApp's database.
        if (!/^wa\.db\.crypt1[245]$/.test(name))
          ignore(d, fs.origin, e.path, 'encrypted file that is not a WhatsApp msgstore or wa.db backup');
        continue;
      }
      const byName = COMPILED.find(
        (c) =>
          (c.rule.kind === 'android-msgstore' || c.rule.kind === 'ios-chatstorage') &&
          c.res.some((r) => r.re.test(e.path)),
      );
      if (byName) {
        const pat = byName.res.find((r) => r.re.test(e.path))!.p;
        candidates.push({ kind: byName.rule.kind, path: e.path, size: e.size, matchedBy: `pattern ${pat}` });
        continue;
      }
      const ext = extname(name).toLowerCase();
      const containerExt = ['.zip', '.tar', '.gz', '.tgz', '.ufdr'].includes(ext);
      if (fs.kind !== 'folder' && containerExt) {
        // Inside a container: a tar is streamed through; a zip is copied out (it needs random access).
        const kind = await nestedKind(fs, e);
        if (!kind) {
          ignore(d, fs.origin, e.path, ext === '.zip' ? 'not a zip' : 'not a tar or tar.gz container');
          continue;
        }
        const nested = await openNested(fs, e, kind, level, nesting);
        if (nested.copy && (await chatExportReader.detect(nested.copy).catch(() => 0)) >= 0.5) {
          await nested.fs.close();
          candidates.push({
            kind: 'chat-export-zip',
            path: e.path,
            size: e.size,
            matchedBy: 'pattern **/*.zip + chat export content',
          });
          continue;
        }
        const next = { depth: level.depth + 1, chain: [...level.chain, nested.link], root: level.root };
        await discoverIn(nested.fs, d, label, false, next, opts);
        continue;
      }
      if (containerExt || ext === '.txt') {
        // A real path in a folder. A .txt in a container is recognised from its first SNIFF_BYTES (all
        // detect reads) and not copied out, unless those bytes start a zip, which detect reads as a zip.
        const head = ext === '.txt' && fs.kind !== 'folder' ? await headOf(fs, e.path, SNIFF_BYTES) : null;
        const textOnly = head !== null && !(head.length >= 4 && head.readUInt32LE(0) === 0x04034b50);
        let real = join(fs.origin, e.path);
        if (fs.kind !== 'folder' && !textOnly) {
          real = join(await scratchDir(), `${candidates.length}-${all.indexOf(e)}${ext}`);
          await fs.copyTo(e.path, real);
        }
        const conf = textOnly
          ? textExportConfidence(head)
          : await chatExportReader.detect(real).catch(() => 0);
        if (conf >= 0.5) {
          candidates.push({
            kind: ext === '.zip' ? 'chat-export-zip' : 'chat-export-txt',
            path: e.path,
            size: e.size,
            matchedBy: `pattern **/*${ext} + chat export content`,
          });
          continue;
        }
        if (fs.kind === 'folder' && containerExt && (await containerKind(real).catch(() => null))) {
          // A container file in a folder is a container of its own (what verify re-hashes).
          nesting.checkDepth(level, real);
          const inner = await openEvidenceFs(real);
          const root = { path: inner.origin, size: e.size, kind: inner.kind };
          await discoverIn(inner, d, label, false, { depth: level.depth + 1, chain: [], root }, opts);
          continue;
        }
        ignore(d, fs.origin, e.path, 'not a WhatsApp chat export');
        continue;
      }
      // A SQLite database is a whole number of pages (powers of two from 512 bytes): no other size can be
      // one, so the first bytes of tens of thousands of other entries need not be read.
      if (!MEDIA_EXT.test(name) && e.size >= 512 && e.size % 512 === 0) {
        const head = await headOf(fs, e.path, 16).catch(() => Buffer.alloc(0));
        if (head.toString('latin1') === 'SQLite format 3\0') {
          const sig =
            fs.kind === 'folder'
              ? await sqliteSignature(join(fs.origin, e.path))
              : await entrySignature(fs, e, scratchDir, `sig-${all.indexOf(e)}.db`);
          const rule =
            sig && ARTIFACT_RULES.find((r) => r.tables?.every((any) => any.some((t) => sig.tables.has(t))));
          if (rule) {
            candidates.push({
              kind: rule.kind,
              path: e.path,
              size: e.size,
              matchedBy: `table signature (${rule.tables!.map((x) => x.join('|')).join(' & ')})`,
            });
            continue;
          }
          if (sig?.tables.has('wa_contacts')) continue; // wa.db: read with its msgstore
          ignore(d, fs.origin, e.path, 'SQLite database without a WhatsApp table signature');
          continue;
        }
      }
      if (!isUsedPath(e.path))
        ignore(d, fs.origin, e.path, unreadableArtifactHint(e.path) ?? 'not a WhatsApp artifact');
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  await group(fs, d, candidates, files, all, rootLabel, level, opts);
}

/** Files that are read with an artifact (media, prefs, wa.db, plists) are not reported as ignored. */
function isUsedPath(p: string): boolean {
  return (
    /(^|\/)(Media|Message)\//.test(p) ||
    /(^|\/)shared_prefs\//.test(p) ||
    /(^|\/)files\/me$/.test(p) ||
    /(^|\/)wa\.db$/.test(p) ||
    /(^|\/)files\/(key|encrypted_backup\.key)$/.test(p) ||
    /(^|\/)Library\/Preferences\//.test(p) ||
    /(^|\/)SYNTHETIC$/.test(p) ||
    /\.ufdx?$/i.test(p) // Cellebrite's extraction descriptions: read with the zip they describe
  );
}

async function group(
  fs: EvidenceFs,
  d: Discovery,
  candidates: Candidate[],
  files: Set<string>,
  all: VfsEntry[],
  rootLabel: string,
  level: Level,
  opts: DiscoverOptions,
): Promise<void> {
  const devices = new Map<string, DiscoveredDevice>();
  const deviceLabelled = (label: string) => {
    let dev = devices.get(label);
    if (!dev)
      devices.set(
        label,
        (dev = {
          label,
          source: fs.origin,
          container: level.root?.path ?? fs.origin,
          containerKind: level.root?.kind ?? fs.kind,
          chain: level.chain,
          fs,
          instances: [],
        }),
      );
    return dev;
  };
  const device = (prefix: string) => deviceLabelled(labelOf(prefix, rootLabel));
  const instance = (
    dev: DiscoveredDevice,
    key: Omit<DiscoveredInstance, 'owner' | 'ownerConflicts' | 'artifacts' | 'notes' | 'alsoFound'>,
  ) => {
    let inst = dev.instances.find((i) => i.id === key.id);
    if (!inst)
      dev.instances.push(
        (inst = { ...key, owner: null, ownerConflicts: [], artifacts: [], notes: [], alsoFound: [] }),
      );
    return inst;
  };
  const dirs = new Set<string>();
  for (const e of all) for (let p = parent(e.path); p; p = parent(p)) dirs.add(p);
  const has = (p: string) => files.has(p);
  const sizeOf = (p: string) => all.find((e) => e.path === p)?.size ?? 0;
  const companions = (p: string, withWaDb: boolean) => {
    const out: DiscoveredArtifact['companions'] = [];
    if (has(`${p}-wal`)) out.push({ role: 'write-ahead log', path: `${p}-wal`, size: sizeOf(`${p}-wal`) });
    if (withWaDb) {
      const wa = parent(p) ? `${parent(p)}/wa.db` : 'wa.db';
      if (has(wa)) {
        out.push({ role: 'wa.db', path: wa, size: sizeOf(wa) });
        if (has(`${wa}-wal`))
          out.push({ role: 'wa.db write-ahead log', path: `${wa}-wal`, size: sizeOf(`${wa}-wal`) });
      }
    }
    return out;
  };

  // Android views of one app folder, grouped by device + flavour + user.
  const androidViews = new Map<string, Array<Candidate & ReturnType<typeof androidInstance>>>();
  for (const c of candidates) {
    if (c.kind === 'android-msgstore') {
      const a = androidInstance(c.path);
      const key = `${labelOf(devicePrefix(a.viewRoot), rootLabel)}|${a.app}|${a.user}`;
      (androidViews.get(key) ?? androidViews.set(key, []).get(key)!).push({ ...c, ...a });
    }
  }
  for (const all of androidViews.values()) {
    // Dated older states are not views of the app folder: each is read as a state of this instance.
    const states = all.filter((v) => stateDateOfName(v.path));
    const views =
      all.length > states.length ? all.filter((v) => !stateDateOfName(v.path)) : [states.shift()!];
    const first = views[0]!;
    const dev = device(devicePrefix(first.viewRoot));
    const id = `android-${first.app}${first.user ? `-user${first.user}` : ''}`;
    const inst = instance(dev, {
      id,
      platform: 'android',
      app: first.app,
      user: first.user,
      appRoot: first.appRoot,
    });
    // Identical bytes → one source.
    const bySha = new Map<string, typeof views>();
    for (const v of views) {
      const sha = views.length > 1 ? await sha256Entry(fs, v.path) : '';
      (bySha.get(sha) ?? bySha.set(sha, []).get(sha)!).push(v);
    }
    if (bySha.size > 1)
      inst.notes.push(
        `${views.length} views of the app folder hold different databases (${views.map((v) => v.path).join(', ')}): each is read as its own source`,
      );
    for (const [sha, same] of bySha) {
      const v = same[0]!;
      const mediaBases = androidMediaBases(v.appRoot, v.viewRoot, v.app, v.user, dirs, has);
      inst.artifacts.push({
        kind: 'android-msgstore',
        path: v.path,
        size: v.size,
        matchedBy: v.matchedBy,
        companions: companions(v.path, true),
        mediaBases,
        duplicateViews: same.slice(1).map((x) => x.path),
        ...(sha ? { sha256: sha } : {}),
      });
      const found = await androidOwner(fs, files, v.appRoot, v.app);
      for (const x of same.slice(1)) found.push(...(await androidOwner(fs, files, x.appRoot, x.app)));
      if (v.user === 0) found.push(...reportOwners(fs, v.app));
      const { owner, conflicts } = uniqueOwner(found);
      if (!inst.owner) inst.owner = owner;
      if (conflicts.length) inst.ownerConflicts.push(...conflicts);
    }
    for (const v of states)
      inst.artifacts.push({
        kind: 'android-msgstore',
        path: v.path,
        size: v.size,
        matchedBy: v.matchedBy,
        companions: companions(v.path, true),
        mediaBases: androidMediaBases(v.appRoot, v.viewRoot, v.app, v.user, dirs, has),
        duplicateViews: [],
      });
  }
  for (const c of candidates) {
    if (c.kind === 'ios-chatstorage') {
      const appRoot = parent(c.path);
      const isGroup = IOS_GROUPS.test(basename(appRoot)) || /\/AppGroup\/[^/]+$/.test(`/${appRoot}`);
      const prefix = devicePrefix(isGroup ? parent(appRoot) : appRoot);
      const dev = device(prefix);
      const business =
        /WhatsAppSMB/.test(appRoot) ||
        has(`${appRoot}/Library/Preferences/group.net.whatsapp.WhatsAppSMB.shared.plist`);
      const id = `ios-${business ? 'business' : 'consumer'}${dev.instances.some((i) => i.id.startsWith(`ios-${business ? 'business' : 'consumer'}`)) ? `-${dev.instances.length + 1}` : ''}`;
      const inst = instance(dev, {
        id,
        platform: 'ios',
        app: business ? 'business' : 'consumer',
        user: null,
        appRoot,
      });
      const msg = appRoot ? `${appRoot}/Message` : 'Message';
      inst.artifacts.push({
        kind: c.kind,
        path: c.path,
        size: c.size,
        matchedBy: c.matchedBy,
        companions: companions(c.path, false),
        mediaBases: dirs.has(`${msg}/Media`) ? [msg] : [],
        duplicateViews: [],
      });
      const { owner, conflicts } = uniqueOwner([
        ...(await iosOwner(fs, files, appRoot)),
        ...reportOwners(fs, business ? 'business' : 'consumer'),
      ]);
      inst.owner = owner;
      inst.ownerConflicts = conflicts;
    }
  }
  for (const c of candidates) {
    if (c.kind === 'chat-export-zip' || c.kind === 'chat-export-txt') {
      const dev = device(devicePrefix(parent(c.path)));
      const inst = instance(dev, {
        id: 'exports',
        platform: 'export',
        app: 'exports',
        user: null,
        appRoot: null,
      });
      inst.artifacts.push({
        kind: c.kind,
        path: c.path,
        size: c.size,
        matchedBy: c.matchedBy,
        companions: [],
        mediaBases: [],
        duplicateViews: [],
      });
    }
  }
  await groupEncrypted(
    fs,
    d,
    candidates,
    files,
    all,
    dirs,
    rootLabel,
    device,
    instance,
    opts.androidKey === true,
  );
  for (const c of candidates) {
    if (c.kind !== 'ios-backup') continue;
    const info = await backupInfo(fs, c.path);
    const dev = deviceLabelled(basename(c.path) || info.udid || rootLabel);
    const inst = instance(dev, {
      id: `ios-backup${dev.instances.some((i) => i.id.startsWith('ios-backup')) ? `-${dev.instances.length + 1}` : ''}`,
      platform: 'ios',
      app: 'consumer',
      user: null,
      appRoot: c.path,
    });
    if (info.deviceName) inst.notes.push(`iTunes / Finder backup of "${info.deviceName}"`);
    inst.notes.push("owner: read from WhatsApp's preferences plist inside the backup when it is ingested");
    if (info.encrypted && !opts.backupPassword)
      inst.notes.push('encrypted: give --backup-password (this backup is skipped, the rest is ingested)');
    inst.artifacts.push({
      kind: 'ios-backup',
      path: c.path,
      size: c.size,
      matchedBy: c.matchedBy,
      companions: [],
      mediaBases: [],
      duplicateViews: [],
      encrypted: info.encrypted,
    });
  }
  for (const dev of [...devices.values()].sort((a, b) => a.label.localeCompare(b.label))) {
    for (const inst of dev.instances) inst.artifacts.sort((a, b) => a.path.localeCompare(b.path));
    const same = d.devices.find((x) => x.label === dev.label);
    if (same)
      throw new UserError(
        `two places give a device labelled "${dev.label}" (${same.source} and ${dev.source}): rename one folder or ingest them separately with --device`,
      );
    d.devices.push(dev);
  }
}

function androidMediaBases(
  appRoot: string,
  viewRoot: string,
  app: 'consumer' | 'business',
  user: number,
  dirs: Set<string>,
  has: (p: string) => boolean,
): string[] {
  void has;
  const folder = app === 'business' ? 'WhatsApp Business' : 'WhatsApp';
  const pkg = app === 'business' ? 'com.whatsapp.w4b' : 'com.whatsapp';
  const j = (...p: string[]) => p.filter(Boolean).join('/');
  const local = [appRoot, j(appRoot, folder), j(appRoot, 'Android/media', pkg, folder)];
  for (const c of local) if (dirs.has(j(c, 'Media'))) return [c];
  // Shared storage elsewhere on the same device: data/media/<user>/… or sdcard-style folders.
  const prefix = devicePrefix(viewRoot);
  const tails = [`/Android/media/${pkg}/${folder}/Media`, `/${folder}/Media`];
  const found: string[] = [];
  for (const dir of dirs) {
    if (prefix && !dir.startsWith(`${prefix}/`)) continue;
    if (!tails.some((t) => `/${dir}`.endsWith(t))) continue;
    const um = /(?:^|\/)media\/(\d+)\//.exec(dir);
    if (um && Number(um[1]) !== user) continue;
    found.push(parent(dir));
  }
  return found.sort((a, b) => a.length - b.length).slice(0, 1);
}

/** What Manifest.plist and Info.plist of a backup found in a tree say (small files, read whole). */
async function backupInfo(
  fs: EvidenceFs,
  dir: string,
): Promise<{ encrypted: boolean; udid: string | null; deviceName: string | null }> {
  const at = (n: string) => (dir ? `${dir}/${n}` : n);
  const dict = async (n: string) => {
    const buf = await readEntry(fs, at(n)).catch(() => null);
    if (!buf) return {};
    try {
      const v = parsePlist(buf, `${fs.origin}${fs.kind === 'folder' ? '/' : '!/'}${at(n)}`);
      return isDict(v) ? v : {};
    } catch (err) {
      if (n === 'Manifest.plist') throw err;
      return {};
    }
  };
  const manifest = await dict('Manifest.plist');
  const info = await dict('Info.plist');
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const lockdown = isDict(manifest.Lockdown) ? manifest.Lockdown : {};
  return {
    encrypted: manifest.IsEncrypted === true,
    udid: str(info['Unique Identifier']) ?? str(lockdown.UniqueDeviceID),
    deviceName: str(info['Device Name']) ?? str(lockdown.DeviceName),
  };
}

/**
 * Where an encrypted Android backup sits on its device: `…/<device>/<shared storage>/WhatsApp/Databases/`,
 * shared storage being `sdcard/`, `storage/emulated/<N>/`, `data/media/<N>/`, `media/<N>/` or nothing, with
 * `Android/media/com.whatsapp/` in front of `WhatsApp/` on Android 11 and later.
 */
function cryptPlace(path: string): {
  prefix: string;
  app: 'consumer' | 'business';
  user: number;
  waFolder: string;
} {
  const dbDir = parent(path);
  const waFolder = /^databases$/i.test(basename(dbDir)) ? parent(dbDir) : dbDir;
  const app =
    /WhatsApp Business$/.test(waFolder) || /(^|\/)com\.whatsapp\.w4b\//.test(path) ? 'business' : 'consumer';
  let p = `/${parent(waFolder)}`.replace(/\/Android\/media\/com\.whatsapp(\.w4b)?$/, '');
  let user = 0;
  const m = /\/(?:data\/media|storage\/emulated|media)\/(\d+)$/.exec(p);
  if (m) {
    user = Number(m[1]);
    p = p.slice(0, m.index);
  }
  p = p.replace(/\/(?:sdcard|storage\/self\/primary)$/, '');
  return { prefix: devicePrefix(p.slice(1)), app, user, waFolder };
}

/**
 * Encrypted backups (`msgstore.db.crypt1X`) and their dated older copies (`msgstore-YYYY-MM-DD.N.db.crypt1X`):
 * each attaches to the Android instance of its device (same label, flavour and user) as an artifact of its
 * own — an older or another state of the instance's database, which ingest relates to the plain database
 * and to each other (src/store/database-states.ts: nothing counted twice, messages present only in a
 * backup marked deleted later). The key is looked up in the device's own app folders (`files/key` for
 * crypt12/14, `files/encrypted_backup.key` for crypt15); `wa.db.crypt15` is its wa.db when no plain one is
 * beside it. A backup without a key (none found, none given) beside the instance's plain msgstore.db is
 * recorded in `alsoFound` rather than failing the ingest: the current state is read, the backup is named.
 */
async function groupEncrypted(
  fs: EvidenceFs,
  d: Discovery,
  candidates: Candidate[],
  files: Set<string>,
  all: VfsEntry[],
  dirs: Set<string>,
  rootLabel: string,
  device: (prefix: string) => DiscoveredDevice,
  instance: (
    dev: DiscoveredDevice,
    key: Omit<DiscoveredInstance, 'owner' | 'ownerConflicts' | 'artifacts' | 'notes' | 'alsoFound'>,
  ) => DiscoveredInstance,
  keyGiven: boolean,
): Promise<void> {
  const sizeOf = (p: string) => all.find((e) => e.path === p)?.size ?? 0;
  const idOf = (app: string, user: number) => `android-${app}${user ? `-user${user}` : ''}`;
  // App folders (…/com.whatsapp[.w4b]) of every device: where keys and shared_prefs are.
  const appFolders = [...dirs].filter((x) => ANDROID_PKG.test(basename(x)));
  const appFoldersOf = (label: string, app: 'consumer' | 'business', user: number) =>
    appFolders.filter((x) => {
      const a = androidInstance(`${x}/databases/msgstore.db`);
      return a.app === app && a.user === user && labelOf(devicePrefix(a.viewRoot), rootLabel) === label;
    });
  // Backups first, dated copies after: a dated copy is recorded with the instance its backup created.
  const rank = (c: Candidate) => (c.kind === 'dated-copy' ? 1 : 0);
  const ordered = [...candidates].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  for (const c of ordered) {
    if (c.kind !== 'android-msgstore-crypt' && c.kind !== 'dated-copy') continue;
    const place = cryptPlace(c.path);
    const label = labelOf(place.prefix, rootLabel);
    const dev = device(place.prefix);
    const id = idOf(place.app, place.user);
    const existing = dev.instances.find((i) => i.id === id);
    const plain = existing?.artifacts.find((a) => a.kind === 'android-msgstore');
    const apps = appFoldersOf(label, place.app, place.user);
    const format = /crypt(\d+)$/.exec(c.path)![1]!;
    const keyName = format === '15' ? 'encrypted_backup.key' : 'key';
    const keys = apps.map((a) => `${a}/files/${keyName}`).filter((k) => files.has(k));
    let key: DiscoveredArtifact['key'];
    let keyNote: string | null = null;
    if (keys.length) {
      const shas = new Set<string>();
      for (const k of keys) shas.add(await sha256Entry(fs, k));
      if (shas.size === 1)
        key = {
          path: keys[0]!,
          kind: keyName === 'key' ? 'key' : 'encrypted_backup.key',
          size: sizeOf(keys[0]!),
        };
      else
        keyNote = `${keys.length} different key files (${keys.join(', ')}): none is picked; give --key-file`;
    }
    const what = c.kind === 'dated-copy' ? 'dated encrypted backup (an older state)' : 'encrypted backup';
    if (plain && !key && !keyGiven) {
      existing!.alsoFound.push({
        path: c.path,
        size: c.size,
        what: `${what} of this instance`,
        action: `not read: no key was given or found (${keyNote ?? `no …/files/${keyName}`}); the plain ${plain.path} is read. Give --key-file to read it as a state of the same database`,
      });
      continue;
    }
    const inst = instance(dev, {
      id,
      platform: 'android',
      app: place.app,
      user: place.user,
      appRoot: apps[0] ?? place.waFolder,
    });
    if (keyNote) inst.notes.push(keyNote);
    const companions: DiscoveredArtifact['companions'] = [];
    const beside = `${parent(c.path)}/wa.db`;
    const waCrypt = [`${parent(c.path)}/wa.db.crypt15`, `${place.waFolder}/Backups/wa.db.crypt15`].find((p) =>
      files.has(p),
    );
    if (files.has(beside)) companions.push({ role: 'wa.db', path: beside, size: sizeOf(beside) });
    else if (waCrypt && format === '15')
      companions.push({ role: 'wa.db (encrypted)', path: waCrypt, size: sizeOf(waCrypt) });
    inst.artifacts.push({
      kind: 'android-msgstore-crypt',
      path: c.path,
      size: c.size,
      matchedBy: c.matchedBy,
      companions,
      mediaBases: dirs.has(`${place.waFolder}/Media`) ? [place.waFolder] : [],
      duplicateViews: [],
      ...(key ? { key } : {}),
    });
    if (!inst.owner) {
      const found: OwnerFinding[] = [];
      for (const a of apps) found.push(...(await androidOwner(fs, files, a, place.app)));
      const { owner, conflicts } = uniqueOwner(found);
      inst.owner = owner;
      inst.ownerConflicts = conflicts;
    }
  }
}
