import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { EvidenceItem } from '../model/types.js';
import { UserError } from '../util/errors.js';

/** Where a media file of an evidence item can be read: a path on disk, or an entry of a zip. */
export type MediaSource = { kind: 'file'; path: string } | { kind: 'zip-entry'; zip: string; entry: string };

/**
 * Resolves a media file reference recorded at ingest. Exports keep media inside their zip (or beside the
 * .txt); device databases keep them in a media folder beside the database, whose root the reader records
 * in the evidence notes (`mediaRoot`), falling back to the database's folder and its parent.
 */
export function locateMedia(evidence: EvidenceItem, fileRef: string): MediaSource | null {
  if (evidence.kind === 'chat-export-zip') return { kind: 'zip-entry', zip: evidence.path, entry: fileRef };
  if (isAbsolute(fileRef)) return existsSync(fileRef) ? { kind: 'file', path: fileRef } : null;
  const roots = [
    typeof evidence.notes.mediaRoot === 'string' ? evidence.notes.mediaRoot : null,
    dirname(evidence.path),
    dirname(dirname(evidence.path)),
  ].filter((r): r is string => !!r);
  for (const root of roots) {
    const p = normalize(join(root, fileRef));
    if (existsSync(p)) return { kind: 'file', path: p };
  }
  return null;
}

/** Extracts the listed entries of one zip into `outDir` (flat, numbered names), returning entry → path. */
export async function extractZipEntries(
  zip: string,
  entries: Set<string>,
  outDir: string,
): Promise<Map<string, string>> {
  await mkdir(outDir, { recursive: true });
  const out = new Map<string, string>();
  const zf = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.open(zip, { lazyEntries: true, autoClose: true }, (err, z) => (err ? rej(err) : res(z!))),
  ).catch((err: Error) => {
    throw new UserError(`cannot open the zip to read media: ${err.message}`, { file: zip });
  });
  await new Promise<void>((resolve, reject) => {
    let n = 0;
    zf.on('error', reject);
    zf.on('end', () => resolve());
    zf.on('entry', (entry: yauzl.Entry) => {
      if (!entries.has(entry.fileName)) {
        zf.readEntry();
        return;
      }
      const ext = entry.fileName.includes('.') ? entry.fileName.slice(entry.fileName.lastIndexOf('.')) : '';
      const dest = join(outDir, `m${++n}${ext.replace(/[^.\w]/g, '')}`);
      zf.openReadStream(entry, (err, rs) => {
        if (err || !rs) return reject(err ?? new Error('no stream'));
        pipeline(rs, createWriteStream(dest)).then(() => {
          out.set(entry.fileName, dest);
          zf.readEntry();
        }, reject);
      });
    });
    zf.readEntry();
  });
  return out;
}
