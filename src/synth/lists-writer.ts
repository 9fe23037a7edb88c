import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Media, Operation } from './operation.js';

/**
 * The synthetic known-material list, in the two shapes agencies exchange: a VICS JSON v1 file
 * (Project VIC data model 1.3) and a plain CSV. It holds exact hashes of some originals only; their
 * re-encoded copies do not match exactly, which is what perceptual hashes (PDQ, added elsewhere) are for.
 */
export const VICS_METADATA = 'http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media';

export function knownMedia(op: Operation): Media[] {
  return op.media.filter((m) => m.known);
}

export async function writeLists(op: Operation, dir: string): Promise<string[]> {
  const known = knownMedia(op);
  const vics = {
    'odata.metadata': VICS_METADATA,
    value: known.map((m) => ({
      MediaID: m.id,
      Category: m.category,
      MD5: m.md5.toUpperCase(),
      SHA1: m.sha1.toUpperCase(),
      MediaSize: m.size,
      IsPrecategorized: true,
      Comments: 'SYNTHETIC',
    })),
  };
  const csv = ['md5,sha1,sha256,category,id,label'];
  const sha = ['sha256,category,id'];
  for (const m of known) {
    csv.push(`${m.md5},${m.sha1},${m.sha256},${m.category},${m.id},SYNTHETIC known item ${m.id}`);
    sha.push(`${m.sha256},${m.category},${m.id}`);
  }
  const files = ['known-vics.json', 'known.csv', 'known-sha256.csv'];
  await writeFile(join(dir, files[0]), JSON.stringify(vics, null, 2) + '\n');
  await writeFile(join(dir, files[1]), csv.join('\n') + '\n');
  await writeFile(join(dir, files[2]), sha.join('\n') + '\n');
  return files;
}
