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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { EvidenceKind } from '../../model/types.js';
import { UserError } from '../../util/errors.js';
import { SNIFF_BYTES, chatExportReader, textExportConfidence } from '../chat-export/index.js';
import { READERS } from '../registry.js';
import { ownerFromMeFile, ownerFromPrefs } from '../wa-db/owner.js';
import { sqliteSignature } from '../wa-db/sqlite.js';
import { containerKind, openEvidenceFs, type EvidenceFs, type VfsEntry } from '../vfs/index.js';
import { parsePlist } from '../plist.js';
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
}

export interface DiscoveredDevice {
  label: string;
  /** The folder or container file the device's artifacts are in. */
  source: string;
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
  if (fs.readHead) return fs.readHead(path, n);
  const chunks: Buffer[] = [];
  let got = 0;
  const st = await fs.open(path);
  for await (const c of st as AsyncIterable<Buffer>) {
    chunks.push(c);
    got += c.length;
    if (got >= n) break;
  }
  st.destroy();
  return Buffer.concat(chunks).subarray(0, n);
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

function uniqueOwner(found: OwnerFinding[]): { owner: OwnerFinding | null; conflicts: OwnerFinding[] } {
  if (!found.length) return { owner: null, conflicts: [] };
  const numbers = new Set(found.map((f) => f.number));
  return { owner: found[0]!, conflicts: numbers.size > 1 ? found : [] };
}

interface Candidate {
  kind: EvidenceKind;
  path: string;
  size: number;
  matchedBy: string;
}

export interface DiscoverOptions {
  /** Label for the device when the artifacts sit at the root of what was given. */
  label?: string;
  /** Start hashing each container as it is opened, for an ingest that follows (default true). */
  hashContainers?: boolean;
}

/** Discovers devices in each given folder or container. */
export async function discover(paths: string[], opts: DiscoverOptions = {}): Promise<Discovery> {
  const d: Discovery = { devices: [], ignored: [], ignoredNotListed: 0, searched: [], opened: [] };
  if (opts.hashContainers !== false) d.containerHashes = new ContainerHashes();
  try {
    for (const p of paths) await discoverIn(await openEvidenceFs(p), d, opts.label, true);
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
}

function ignore(d: Discovery, source: string, path: string, reason: string) {
  if (d.ignored.length < MAX_IGNORED_LISTED) d.ignored.push({ source, path, reason });
  else d.ignoredNotListed++;
}

function fsLabel(fs: EvidenceFs): string {
  const b = basename(fs.origin);
  return fs.kind === 'folder' ? b : b.replace(/\.(tar\.gz|tgz|tar|zip)$/i, '') || b;
}

async function discoverIn(fs: EvidenceFs, d: Discovery, label: string | undefined, top: boolean) {
  d.opened.push(fs);
  d.searched.push(`${fs.origin} (${fs.kind})`);
  if (fs.kind !== 'folder') d.containerHashes?.start(fs.origin);
  const rootLabel = (top && label) || fsLabel(fs);
  const all: VfsEntry[] = [];
  for await (const e of fs.entries()) all.push(e);
  for (const r of fs.refused) ignore(d, fs.origin, r.name, r.reason);
  const files = new Set(all.map((e) => e.path));
  const candidates: Candidate[] = [];
  let scratch: string | null = null;
  const scratchDir = async () => (scratch ??= await mkdtemp(join(tmpdir(), 'filet-discover-')));
  try {
    for (const e of all) {
      const name = basename(e.path);
      if (/-(wal|shm|journal)$/.test(name)) continue;
      if (/^msgstore-\d{4}-\d{2}-\d{2}\.\d+\.db$/.test(name)) {
        ignore(
          d,
          fs.origin,
          e.path,
          'dated older copy of msgstore.db: not read (yet); the current database is',
        );
        continue;
      }
      if (/\.crypt\d+$/.test(name)) {
        ignore(
          d,
          fs.origin,
          e.path,
          'encrypted WhatsApp backup: decrypt it first (filet reads decrypted databases)',
        );
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
      if (ext === '.zip' || ext === '.txt' || ext === '.tar' || ext === '.gz' || ext === '.tgz') {
        // A real path in a folder; a scratch copy for an entry of a container.
        // A text export is recognised from its first SNIFF_BYTES (all detect reads): a .txt entry of a
        // container is not copied out unless those bytes start a zip, which detect reads as a zip.
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
        if (ext !== '.txt' && (await containerKind(real).catch(() => null))) {
          if (fs.kind === 'folder') {
            await discoverIn(await openEvidenceFs(real), d, label, false);
          } else {
            ignore(
              d,
              fs.origin,
              e.path,
              'a container inside a container: extract the outer one and give the folder',
            );
          }
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
      if (!isUsedPath(e.path)) ignore(d, fs.origin, e.path, 'not a WhatsApp artifact');
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  await group(fs, d, candidates, files, all, rootLabel);
}

/** Files that are read with an artifact (media, prefs, wa.db, plists) are not reported as ignored. */
function isUsedPath(p: string): boolean {
  return (
    /(^|\/)(Media|Message)\//.test(p) ||
    /(^|\/)shared_prefs\//.test(p) ||
    /(^|\/)files\/me$/.test(p) ||
    /(^|\/)wa\.db$/.test(p) ||
    /(^|\/)Library\/Preferences\//.test(p) ||
    /(^|\/)SYNTHETIC$/.test(p)
  );
}

async function group(
  fs: EvidenceFs,
  d: Discovery,
  candidates: Candidate[],
  files: Set<string>,
  all: VfsEntry[],
  rootLabel: string,
): Promise<void> {
  const devices = new Map<string, DiscoveredDevice>();
  const device = (prefix: string) => {
    const label = labelOf(prefix, rootLabel);
    let dev = devices.get(label);
    if (!dev) devices.set(label, (dev = { label, source: fs.origin, fs, instances: [] }));
    return dev;
  };
  const instance = (
    dev: DiscoveredDevice,
    key: Omit<DiscoveredInstance, 'owner' | 'ownerConflicts' | 'artifacts' | 'notes'>,
  ) => {
    let inst = dev.instances.find((i) => i.id === key.id);
    if (!inst)
      dev.instances.push((inst = { ...key, owner: null, ownerConflicts: [], artifacts: [], notes: [] }));
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
  for (const views of androidViews.values()) {
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
      const { owner, conflicts } = uniqueOwner(found);
      if (!inst.owner) inst.owner = owner;
      if (conflicts.length) inst.ownerConflicts.push(...conflicts);
    }
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
      const { owner, conflicts } = uniqueOwner(await iosOwner(fs, files, appRoot));
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
