import { basename } from 'node:path';

const DATED_PLAIN = /^msgstore-(\d{4})-(\d{2})-(\d{2})\.\d+\.db$/i;

/**
 * The backup day of a decrypted dated older copy of msgstore.db from its file name
 * (`msgstore-2024-05-03.1.db` → `2024-05-03`), else null. Encrypted copies (`….db.crypt15`) are named by
 * src/evidence/android-crypt/format.ts (backupDateFromName).
 */
export function stateDateOfName(name: string): string | null {
  const m = DATED_PLAIN.exec(basename(name));
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso ? null : iso;
}
