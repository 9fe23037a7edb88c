import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, realpath } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { EvidenceItem } from '../model/types.js';

/**
 * The one way media bytes are read out of the evidence after ingest (by the web server's thumbnails and
 * reveals). A media file is found at exactly one place, the one ingest recorded — never by searching:
 * - an export zip: the single entry of that name (two entries with the same name: refused, both named);
 * - an export .txt: the file beside it;
 * - a device database: the file under the evidence root its reader recorded (`notes.mediaFolder.evidenceRoot`).
 * A symbolic link anywhere below the root, a path leaving the root, anything not a regular file, or a zip
 * entry that is a link is refused. Callers then compare the bytes' SHA-256 with the recorded one.
 */
export class MediaReadRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'not-found' | 'symlink' | 'outside' | 'ambiguous' | 'not-a-file' | 'too-large',
  ) {
    super(message);
  }
}

export const MAX_MEDIA_BYTES = 256 * 1024 * 1024;

/**
 * An export found inside a container (.zip/.tar of a device) was read from its staged copy in the case
 * folder (`notes.stagedCopy`, see discovery/ingest.ts): its media are read from that copy.
 */
function stagedOrPath(evidence: EvidenceItem): string {
  const staged = evidence.notes.stagedCopy;
  return typeof staged === 'string' ? staged : evidence.path;
}

/** The folder a non-zip evidence item's media `fileRef`s are relative to, as recorded at ingest. */
export function mediaRootOf(evidence: EvidenceItem): string | null {
  if (evidence.kind === 'chat-export-txt') return dirname(stagedOrPath(evidence));
  const mf = evidence.notes.mediaFolder as { evidenceRoot?: unknown } | undefined;
  return typeof mf?.evidenceRoot === 'string' ? mf.evidenceRoot : null;
}

export async function readEvidenceMedia(
  evidence: EvidenceItem,
  fileRef: string,
  maxBytes = MAX_MEDIA_BYTES,
): Promise<Buffer> {
  if (evidence.kind === 'chat-export-zip') return readZipEntry(stagedOrPath(evidence), fileRef, maxBytes);
  const root = mediaRootOf(evidence);
  if (!root) throw new MediaReadRefused(`evidence #${evidence.id} recorded no media folder`, 'not-found');
  return readUnder(root, fileRef, maxBytes);
}

/**
 * The path of a media file of a non-zip evidence item, checked: a plain relative path under the recorded
 * root, no symbolic link at any step below it (the root itself is resolved first).
 */
export async function resolveEvidenceMediaPath(evidence: EvidenceItem, fileRef: string): Promise<string> {
  const root = mediaRootOf(evidence);
  if (!root) throw new MediaReadRefused(`evidence #${evidence.id} recorded no media folder`, 'not-found');
  return resolveUnder(root, fileRef);
}

async function resolveUnder(root: string, rel: string): Promise<string> {
  const parts = rel.split('/');
  if (isAbsolute(rel) || rel.includes('\\') || parts.some((p) => p === '..' || p === '.' || p === ''))
    throw new MediaReadRefused(`media path "${rel}" is not a plain path inside its evidence`, 'outside');
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw new MediaReadRefused(`the evidence folder ${root} is gone`, 'not-found');
  }
  let cur = realRoot;
  for (const part of parts) {
    cur = join(cur, part);
    let st;
    try {
      st = await lstat(cur);
    } catch {
      throw new MediaReadRefused(`media file ${rel} is not in the evidence any more`, 'not-found');
    }
    if (st.isSymbolicLink())
      throw new MediaReadRefused(`media path ${rel} goes through a symbolic link: refused`, 'symlink');
  }
  if (!cur.startsWith(realRoot + sep))
    throw new MediaReadRefused(`media path ${rel} leaves its evidence`, 'outside');
  return cur;
}

/** Reads `root/rel`, refusing links at every step below `root` and any path that leaves it. */
async function readUnder(root: string, rel: string, maxBytes: number): Promise<Buffer> {
  const cur = await resolveUnder(root, rel);
  // O_NOFOLLOW: a link swapped in after the checks above fails here instead of being followed.
  const fh = await open(cur, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (err: NodeJS.ErrnoException) => {
      throw new MediaReadRefused(
        err.code === 'ELOOP'
          ? `media path ${rel} is a symbolic link: refused`
          : `media file ${rel} cannot be opened`,
        err.code === 'ELOOP' ? 'symlink' : 'not-found',
      );
    },
  );
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new MediaReadRefused(`media path ${rel} is not a regular file`, 'not-a-file');
    if (st.size > maxBytes)
      throw new MediaReadRefused(`media file ${rel} is larger than ${maxBytes} bytes`, 'too-large');
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Opens an export zip for reading entries (refusal names the file). */
async function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  return new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, z) =>
      err ? rej(err) : res(z!),
    ),
  ).catch((err: Error) => {
    throw new MediaReadRefused(`cannot open the export zip ${zipPath}: ${err.message}`, 'not-found');
  });
}

/** Every entry of the zip's central directory whose name is in `names`, all of them (duplicates too). */
async function entriesNamed(zf: yauzl.ZipFile, names: Set<string>): Promise<Map<string, yauzl.Entry[]>> {
  const byName = new Map<string, yauzl.Entry[]>();
  await new Promise<void>((resolve, reject) => {
    zf.on('error', reject);
    zf.on('end', () => resolve());
    zf.on('entry', (e: yauzl.Entry) => {
      if (names.has(e.fileName))
        (byName.get(e.fileName) ?? byName.set(e.fileName, []).get(e.fileName)!).push(e);
      zf.readEntry();
    });
    zf.readEntry();
  });
  return byName;
}

function openEntry(zf: yauzl.ZipFile, e: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((res, rej) =>
    zf.openReadStream(e, (err, st) => (err || !st ? rej(err ?? new Error('no stream')) : res(st))),
  );
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The bytes of the single entry named `name`; refused when the zip holds it twice or it is a link. */
async function readZipEntry(zipPath: string, name: string, maxBytes: number): Promise<Buffer> {
  const zf = await openZip(zipPath);
  try {
    const found = (await entriesNamed(zf, new Set([name]))).get(name) ?? [];
    if (!found.length) throw new MediaReadRefused(`entry ${name} is not in ${zipPath}`, 'not-found');
    if (found.length > 1)
      throw new MediaReadRefused(
        `the zip ${zipPath} holds ${found.length} entries named ${name} (at offsets ` +
          `${found.map((e) => e.relativeOffsetOfLocalHeader).join(', ')}): ambiguous, refused`,
        'ambiguous',
      );
    const e = found[0]!;
    if (((e.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK)
      throw new MediaReadRefused(`entry ${name} of ${zipPath} is a symbolic link: refused`, 'symlink');
    if (e.uncompressedSize > maxBytes)
      throw new MediaReadRefused(`entry ${name} is larger than ${maxBytes} bytes`, 'too-large');
    const rs = await openEntry(zf, e);
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of rs as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > maxBytes)
        throw new MediaReadRefused(`entry ${name} is larger than ${maxBytes} bytes`, 'too-large');
      chunks.push(c);
    }
    return Buffer.concat(chunks);
  } finally {
    zf.close();
  }
}

/**
 * Extracts the named entries of one export zip into `outDir` in one pass, for hashing. An entry name the
 * zip holds more than once, or an entry that is a symbolic link, is not extracted: its reason is returned.
 */
export async function extractZipMedia(
  zipPath: string,
  names: Set<string>,
  outDir: string,
): Promise<{ extracted: Map<string, string>; refused: Map<string, string> }> {
  await mkdir(outDir, { recursive: true });
  const zf = await openZip(zipPath);
  try {
    const byName = await entriesNamed(zf, names);
    const extracted = new Map<string, string>();
    const refused = new Map<string, string>();
    let n = 0;
    for (const name of names) {
      const found = byName.get(name) ?? [];
      if (!found.length) refused.set(name, `entry ${name} is not in ${zipPath}`);
      else if (found.length > 1)
        refused.set(name, `the zip ${zipPath} holds ${found.length} entries named ${name}: ambiguous`);
      else if (((found[0]!.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK)
        refused.set(name, `entry ${name} of ${zipPath} is a symbolic link`);
      else {
        const dest = join(outDir, `m${++n}${extname(name).replace(/[^.\w]/g, '')}`);
        await pipeline(await openEntry(zf, found[0]!), createWriteStream(dest));
        extracted.set(name, dest);
      }
    }
    return { extracted, refused };
  } finally {
    zf.close();
  }
}
