/**
 * Media files beside a device database. The database records each file's SHA-256; a file found in the
 * media folder is hashed and linked only when its SHA-256 equals the recorded one. A differing file
 * (tampered, re-encoded, or another file under the same name) is reported as a mismatch and never linked.
 */
import { lstatSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Location, MediaStatus, ParsedMedia, ReaderNotes } from '../../model/types.js';
import { digestFile, type Digests } from '../../hashing/digests.js';

export interface MediaMismatch {
  path: string;
  stored: string;
  actual: string;
}

export interface MediaOutcome {
  media: ParsedMedia | null;
  sha256: string | null;
  status: MediaStatus | null;
}

const MAX_LISTED_MISMATCHES = 1000;

/** A regular file, not a link to one: a link in seized media could point anywhere on the lab's machine. */
function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Keeps the part of a stored path that is relative to the app folder; null when it escapes it. */
function normalise(stored: string, anchors: string[]): string | null {
  let p = stored.replace(/\\/g, '/');
  if (p.startsWith('/')) {
    // Older Android versions stored absolute paths (/storage/emulated/0/WhatsApp/Media/…).
    let cut = -1;
    for (const a of anchors) {
      const i = p.lastIndexOf(`/${a}/`);
      if (i >= 0) cut = Math.max(cut, i + a.length + 2);
    }
    if (cut < 0) return null;
    p = p.slice(cut);
  }
  if (p.split('/').some((s) => s === '..')) return null;
  return p;
}

export class MediaFolder {
  private readonly cache = new Map<string, Promise<Digests>>();
  private mismatches: MediaMismatch[] = [];
  private mismatchCount = 0;
  counts = { present: 0, mismatch: 0, hashOnly: 0, noHash: 0 };

  /**
   * @param evidenceRoot the folder `fileRef`s are relative to.
   * @param bases folders a stored relative path may be relative to (first that holds the file wins).
   * @param anchors folder names that start the relative part of an absolute stored path.
   */
  constructor(
    readonly evidenceRoot: string,
    readonly bases: string[],
    private readonly anchors: string[],
  ) {}

  static existing(evidenceRoot: string, candidates: string[], mustContain: string, anchors: string[]) {
    const bases = [...new Set(candidates.map((c) => resolve(c)))].filter((c) => isDir(join(c, mustContain)));
    return new MediaFolder(resolve(evidenceRoot), bases, anchors);
  }

  find(stored: string | null): string | null {
    if (!stored || !this.bases.length) return null;
    const rel =
      isAbsolute(stored) || stored.startsWith('/') ? normalise(stored, this.anchors) : normalise(stored, []);
    if (!rel) return null;
    for (const base of this.bases) {
      const p = resolve(base, rel);
      if (!p.startsWith(base + sep)) continue;
      if (isFile(p)) return p;
    }
    return null;
  }

  private digest(p: string): Promise<Digests> {
    let d = this.cache.get(p);
    if (!d) {
      if (this.cache.size > 50_000) this.cache.clear();
      d = digestFile(p);
      this.cache.set(p, d);
    }
    return d;
  }

  async check(
    storedPaths: Array<string | null>,
    storedSha: string | null,
    mime: string | null,
    size: number | null,
    loc: Location,
  ): Promise<MediaOutcome> {
    let file: string | null = null;
    for (const s of storedPaths) if ((file = this.find(s))) break;
    if (!file) {
      if (!storedSha) {
        this.counts.noHash++;
        return { media: null, sha256: null, status: null };
      }
      this.counts.hashOnly++;
      return { media: hashOnly(storedSha, mime, size, loc), sha256: storedSha, status: 'hash-only' };
    }
    const d = await this.digest(file);
    const fileRef = relative(this.evidenceRoot, file).split(sep).join('/');
    if (storedSha && d.sha256 !== storedSha) {
      this.counts.mismatch++;
      this.mismatchCount++;
      if (this.mismatches.length < MAX_LISTED_MISMATCHES)
        this.mismatches.push({ path: fileRef, stored: storedSha, actual: d.sha256 });
      return { media: hashOnly(storedSha, mime, size, loc), sha256: storedSha, status: 'mismatch' };
    }
    this.counts.present++;
    return {
      media: {
        type: 'media',
        sha256: d.sha256,
        md5: d.md5,
        sha1: d.sha1,
        mime,
        size: d.size,
        present: true,
        fileRef,
        loc,
      },
      sha256: d.sha256,
      status: 'present',
    };
  }

  writeNotes(notes: ReaderNotes): void {
    notes.mediaFolder = this.bases.length
      ? { roots: this.bases, evidenceRoot: this.evidenceRoot, ...this.counts }
      : { roots: [], note: 'no media folder found beside the database', ...this.counts };
    notes.mediaMismatches = this.mismatches;
    if (this.mismatchCount > this.mismatches.length) notes.mediaMismatchesTotal = this.mismatchCount;
  }
}

function hashOnly(sha: string, mime: string | null, size: number | null, loc: Location): ParsedMedia {
  return {
    type: 'media',
    sha256: sha,
    md5: null,
    sha1: null,
    mime,
    size,
    present: false,
    fileRef: null,
    loc,
  };
}
