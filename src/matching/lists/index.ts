/** Registry of hash-list formats and content-based detection. */
import { UserError } from '../../util/errors.js';
import { csvFormat } from './csv.js';
import { pdqTextFormat } from './pdq-text.js';
import type { HashListFormat } from './types.js';
import { vicsFormat } from './vics.js';

export const HASH_LIST_FORMATS: readonly HashListFormat[] = [vicsFormat, csvFormat, pdqTextFormat];

export function formatByName(name: string): HashListFormat {
  const f = HASH_LIST_FORMATS.find((x) => x.name === name);
  if (!f)
    throw new UserError(
      `unknown hash-list format "${name}" (known: ${HASH_LIST_FORMATS.map((x) => x.name).join(', ')})`,
    );
  return f;
}

/** The format that claims the file most strongly; a `UserError` when none does. */
export async function detectFormat(file: string): Promise<HashListFormat> {
  let best: HashListFormat | null = null;
  let score = 0;
  for (const f of HASH_LIST_FORMATS) {
    const s = await f.detect(file);
    if (s > score) [best, score] = [f, s];
  }
  if (!best) {
    throw new UserError('not a recognized hash list (VICS JSON, CSV with a hash header, or PDQ text)', {
      file,
    });
  }
  return best;
}
