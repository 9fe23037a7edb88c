import type { EvidenceReader } from '../model/types.js';
import { UserError } from '../util/errors.js';
import { androidCryptReader } from './android-crypt/index.js';
import { androidMsgstoreReader } from './android-msgstore/index.js';
import { chatExportReader } from './chat-export/index.js';
import { looksLikeBackupFolder } from './ios-backup/backup.js';
import { iosChatStorageReader } from './ios-chatstorage/index.js';

/** Every evidence reader filet knows. A new format is a new module added here, nothing else changes. */
export const READERS: EvidenceReader[] = [
  chatExportReader,
  androidMsgstoreReader,
  iosChatStorageReader,
  androidCryptReader,
];

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
    throw new UserError(
      `not a recognised evidence format (known: ${READERS.map((r) => r.kind).join(', ')})` +
        (errors.length ? `; ${errors.join('; ')}` : ''),
      { file: path },
    );
  }
  return best;
}
