/**
 * Where things sit around a seized `msgstore.db`. Accepted layouts (`<root>` is the evidence root that
 * media `fileRef`s are relative to):
 *   <root>/databases/msgstore.db  (+ <root>/databases/wa.db, <root>/shared_prefs/…, <root>/files/me)
 *   <root>/msgstore.db            (+ <root>/wa.db, <root>/shared_prefs/…)
 *   <WhatsApp>/Databases/msgstore.db.crypt1X  (shared storage: the backup folder beside <WhatsApp>/Media)
 * The WhatsApp folder (the one holding `Media/`, to which message_media.file_path is relative) is the
 * first of: <root>, <root>/WhatsApp, <root>/Android/media/com.whatsapp/WhatsApp, <db folder>/WhatsApp.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MediaFolder } from '../wa-db/media.js';

export interface AndroidLayout {
  root: string;
  dbDir: string;
  waDb: string | null;
  media: MediaFolder;
}

export function androidLayout(
  dbPath: string,
  mediaOverride?: { evidenceRoot: string; bases: string[] },
): AndroidLayout {
  const dbDir = dirname(resolve(dbPath));
  // `databases/` is the app's private folder; `Databases/` (capital D) is the backup folder in shared
  // storage, a sibling of `Media/` inside the WhatsApp folder.
  const root = basename(dbDir) === 'databases' || basename(dbDir) === 'Databases' ? dirname(dbDir) : dbDir;
  const waDb = join(dbDir, 'wa.db');
  const media = mediaOverride
    ? MediaFolder.existing(mediaOverride.evidenceRoot, mediaOverride.bases, 'Media', ['WhatsApp'])
    : MediaFolder.existing(
        root,
        [
          root,
          join(root, 'WhatsApp'),
          join(root, 'Android', 'media', 'com.whatsapp', 'WhatsApp'),
          join(dbDir, 'WhatsApp'),
        ],
        'Media',
        ['WhatsApp'],
      );
  return { root, dbDir, waDb: existsSync(waDb) ? waDb : null, media };
}

/** Legacy rows have no file path: the file name sits in a per-type folder (received, or `Sent/`). */
const LEGACY_FOLDERS: Record<number, string> = {
  1: 'WhatsApp Images',
  2: 'WhatsApp Audio',
  3: 'WhatsApp Video',
  9: 'WhatsApp Documents',
  13: 'WhatsApp Animated Gifs',
  20: 'WhatsApp Stickers',
};

export function legacyMediaPaths(type: number | null, name: string | null, fromMe: boolean): string[] {
  if (!name || type === null || !LEGACY_FOLDERS[type]) return [];
  const folder = `Media/${LEGACY_FOLDERS[type]}`;
  const out = [`${folder}/${name}`, `${folder}/Sent/${name}`];
  if (type === 2) out.push(`Media/WhatsApp Voice Notes/${name}`);
  return fromMe ? out.reverse() : out;
}
