/**
 * Streams that check the bytes read against digests a vendor recorded (a UFDR's MD5 / SHA256 items, a .ufd's
 * dump hashes): a mismatch fails the read with an error naming the file, instead of reading other bytes than
 * the ones the extraction describes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { UserError } from '../../util/errors.js';

export interface ExpectedDigests {
  md5?: string | null;
  sha1?: string | null;
  sha256?: string | null;
}

const ALGORITHMS = ['md5', 'sha1', 'sha256'] as const;

/** `src` passed through unchanged; at its end every expected digest is compared, and a mismatch is an error. */
export function checkedStream(
  src: Readable,
  expected: ExpectedDigests,
  describe: (algo: string, got: string, want: string) => UserError,
): Readable {
  const algos = ALGORITHMS.filter((a) => expected[a]);
  if (!algos.length) return src;
  const hashes = algos.map((a) => createHash(a));
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      for (const h of hashes) h.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      for (const [i, a] of algos.entries()) {
        const got = hashes[i]!.digest('hex');
        if (got !== expected[a]!.toLowerCase()) return cb(describe(a.toUpperCase(), got, expected[a]!));
      }
      cb();
    },
  });
  src.on('error', (err) => t.destroy(err));
  // Stopping early (a reader that only wants the first bytes) must not leave the source open.
  t.on('close', () => src.destroy());
  return src.pipe(t);
}

/** The digests of a whole file, computed in one pass. */
export async function fileDigests(
  path: string,
  algos: Array<'md5' | 'sha1' | 'sha256'>,
): Promise<Record<string, string>> {
  const hashes = algos.map((a) => createHash(a));
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
    for (const h of hashes) h.update(chunk);
  return Object.fromEntries(algos.map((a, i) => [a, hashes[i]!.digest('hex')]));
}
