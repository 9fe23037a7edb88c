import type { EvidenceReader } from '../model/types.js';
import { UserError } from '../util/errors.js';
import { androidCryptReader } from './android-crypt/index.js';
import { androidMsgstoreReader } from './android-msgstore/index.js';
import { chatExportReader } from './chat-export/index.js';
import { looksLikeBackupFolder } from './ios-backup/backup.js';
import { iosChatStorageReader } from './ios-chatstorage/index.js';
import { budgetedReader } from './wa-db/budget.js';

// SQLite readers run in a worker under a budget (wa-db/budget.ts): a hostile database cannot hang the ingest.
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const inWorker = (r: EvidenceReader, module: string, name: string) =>
  budgetedReader(r, new URL(`./${module}.${ext}`, import.meta.url), name);

/** Every evidence reader filet knows. A new format is a new module added here, nothing else changes. */
export const READERS: EvidenceReader[] = [
  chatExportReader,
  inWorker(androidMsgstoreReader, 'android-msgstore/index', 'androidMsgstoreReader'),
  inWorker(iosChatStorageReader, 'ios-chatstorage/index', 'iosChatStorageReader'),
  inWorker(androidCryptReader, 'android-crypt/index', 'androidCryptReader'),
];

/**
 * Proprietary case formats filet cannot read, by their usual file name ending, with what to ask the lab for
 * instead (a name is only a hint here: it explains a refusal, it never picks a reader).
 */
const PROPRIETARY: [RegExp, string][] = [
  [/\.mfdb$/i, 'a Magnet AXIOM case file (.mfdb)'],
  [/\.(ofb|ofbx)$/i, 'an Oxygen Forensic Detective backup (.ofb)'],
  [/\.(xry|xrep)$/i, 'an MSAB XRY extraction file'],
];

export function proprietaryFormatHint(path: string): string | null {
  const hit = PROPRIETARY.find(([re]) => re.test(path));
  return hit
    ? `${hit[1]} is a vendor's own format, which filet does not read: ask the lab for the extraction itself ` +
        '(a full file system .zip/.tar, an iTunes / Finder backup folder, or msgstore.db / ChatStorage.sqlite ' +
        'with their folders) or for WhatsApp chat exports'
    : null;
}

/**
 * WhatsApp data that exists on a seized computer but cannot be read offline, recognised by where it sits,
 * with what to ask for instead. WhatsApp Desktop for Windows (the Store app, package
 * `5319275A.WhatsAppDesktop_cv1g1gvanyjgm`) keeps its databases encrypted with a key protected by the Windows
 * user account (DPAPI), so without the live, logged-in machine they are opaque; the older Electron app
 * (`AppData/Roaming/WhatsApp/`) keeps only a browser cache. macOS WhatsApp Desktop is different: its
 * `ChatStorage.sqlite` is the iOS database and is read like it.
 */
const UNREADABLE_PLACES: [RegExp, string][] = [
  [
    /(^|\/)Packages\/5319275A\.WhatsAppDesktop_[^/]+\//i,
    'WhatsApp Desktop for Windows: its databases are encrypted to the Windows user account (DPAPI) and cannot be read offline; ask the lab for the phone itself (an extraction or backup) or for chat exports',
  ],
  [
    /(^|\/)AppData\/Roaming\/WhatsApp\//i,
    'the old WhatsApp Desktop for Windows (Electron) keeps only a browser cache, no message database; ask the lab for the phone itself (an extraction or backup) or for chat exports',
  ],
];

/** Why a file found in a searched tree is known WhatsApp (or vendor) data filet cannot read, or null. */
export function unreadableArtifactHint(path: string): string | null {
  const place = UNREADABLE_PLACES.find(([re]) => re.test(path));
  if (place) return place[1];
  const vendor = PROPRIETARY.find(([re]) => re.test(path));
  return vendor ? `${vendor[1]}, a vendor's own format that filet does not read` : null;
}

/** Picks the reader most confident about the file's content (not its name). */
export async function detectReader(path: string): Promise<{ reader: EvidenceReader; confidence: number }> {
  if (looksLikeBackupFolder(path))
    throw new UserError(
      'an iTunes / Finder backup folder: it is read by `filet ingest CASE FOLDER [--backup-password P]` only',
      { file: path },
    );
  let best: { reader: EvidenceReader; confidence: number } | null = null;
  const errors: string[] = [];
  for (const reader of READERS) {
    try {
      const confidence = await reader.detect(path);
      if (confidence > 0 && (!best || confidence > best.confidence)) best = { reader, confidence };
    } catch (err) {
      if (err instanceof UserError) throw err;
      errors.push(`${reader.kind}: ${(err as Error).message}`);
    }
  }
  if (!best || best.confidence < 0.5) {
    const hint = proprietaryFormatHint(path) ?? unreadableArtifactHint(path.split('\\').join('/'));
    if (hint) throw new UserError(hint, { file: path });
    throw new UserError(
      `not a recognised evidence format (known: ${READERS.map((r) => r.kind).join(', ')})` +
        (errors.length ? `; ${errors.join('; ')}` : ''),
      { file: path },
    );
  }
  return best;
}
