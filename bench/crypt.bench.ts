// crypt15 decryption (src/evidence/android-crypt: AES-256-GCM + zlib inflate + MD5 + SHA-256 of the plaintext,
// streamed to a file) in MB/s of the encrypted file, against a plain sequential read of the same file in the
// same run (target: at least 0.5x). Also a read+write copy of the file, since decryption writes its output.
// The plaintext is a generated, moderately compressible stand-in for a msgstore.db (synthetic rows of text).
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decryptBackup } from '../src/evidence/android-crypt/decrypt.js';
import { readBackupLayout } from '../src/evidence/android-crypt/format.js';
import { crypt15AesKey } from '../src/evidence/android-crypt/keys.js';
import { generateKeys, writeCryptBackup } from '../src/synth/devices/crypt-writer.js';
import { peakRssMiB, writeResult } from './lib.js';

const PLAIN_MIB = Number(process.env.FILET_BENCH_CRYPT_MIB ?? 256);
const ROUNDS = 3;
const DIR = join(tmpdir(), `filet-bench-crypt-${process.pid}`);

async function writePlaintext(path: string): Promise<void> {
  const ws = createWriteStream(path);
  const words = ['meeting', 'tomorrow', 'group', 'photo', 'sent', 'ok', 'where', 'address', 'call', 'later'];
  let s = 12345;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  let written = 0;
  while (written < PLAIN_MIB << 20) {
    // One 64 KiB "page": rows of ids, hex keys and words, plus some incompressible bytes (media keys).
    let page = '';
    while (page.length < 56 * 1024) {
      const w = Array.from({ length: 6 }, () => words[rnd() % words.length]).join(' ');
      page += `${rnd()}|${(rnd() % 1e9).toString(16).padStart(8, '0')}${rnd().toString(16)}|${w}\n`;
    }
    const buf = Buffer.concat([Buffer.from(page.slice(0, 56 * 1024)), randomBytes(8 * 1024)]);
    written += buf.length;
    if (!ws.write(buf)) await once(ws, 'drain');
  }
  ws.end();
  await once(ws, 'finish');
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  mkdirSync(DIR, { recursive: true });
  try {
    const plain = join(DIR, 'msgstore.db');
    const enc = join(DIR, 'msgstore.db.crypt15');
    await writePlaintext(plain);
    const keys = generateKeys();
    await writeCryptBackup(plain, enc, 'crypt15', keys);
    const encBytes = statSync(enc).size;
    const plainBytes = statSync(plain).size;
    rmSync(plain);
    const layout = await readBackupLayout(enc);
    const key = crypt15AesKey(keys.root);
    const sink = () => new Writable({ write: (_c, _e, done) => done() });
    const read = () => pipeline(createReadStream(enc, { highWaterMark: 1 << 20 }), sink());
    const copy = async () => {
      await pipeline(createReadStream(enc, { highWaterMark: 1 << 20 }), createWriteStream(join(DIR, 'copy')));
      rmSync(join(DIR, 'copy'));
    };
    const decrypt = async () => {
      await decryptBackup(enc, layout, key, join(DIR, 'out.db'));
      rmSync(join(DIR, 'out.db'));
    };
    await read(); // warm the page cache, so every measure reads from memory alike
    const best = { read: Infinity, copy: Infinity, decrypt: Infinity };
    const rssBefore = peakRssMiB();
    for (let r = 0; r < ROUNDS; r++) {
      best.read = Math.min(best.read, await timed(read));
      best.copy = Math.min(best.copy, await timed(copy));
      best.decrypt = Math.min(best.decrypt, await timed(decrypt));
    }
    const mbps = (ms: number) => +(encBytes / 1e6 / (ms / 1000)).toFixed(1);
    writeResult({
      name: 'crypt',
      inputs: {
        plaintextMiB: +(plainBytes / 2 ** 20).toFixed(1),
        encryptedMiB: +(encBytes / 2 ** 20).toFixed(1),
        compressionRatio: +(plainBytes / encBytes).toFixed(2),
        rounds: ROUNDS,
        measure: 'best of rounds; MB/s of the encrypted file',
      },
      figures: {
        decryptMBps: mbps(best.decrypt),
        plaintextMBps: +(plainBytes / 1e6 / (best.decrypt / 1000)).toFixed(1),
        peakRssMiB: +peakRssMiB().toFixed(1),
        peakRssMiBBeforeRounds: +rssBefore.toFixed(1),
      },
      baseline: { sequentialReadMBps: mbps(best.read), copyMBps: mbps(best.copy) },
      ratios: {
        decryptVsRead: +(best.read / best.decrypt).toFixed(3),
        decryptVsCopy: +(best.copy / best.decrypt).toFixed(3),
      },
      notes:
        'decryption = one streamed pass: MD5 of the file, AES-256-GCM, zlib inflate, SHA-256 of the plaintext, write; ' +
        'target decryptVsRead >= 0.5. The read baseline is served from the page cache; decryption is bounded ' +
        "by zlib inflate (Node's streaming zlib, ~250 MB/s of plaintext here) and the MD5 the format requires, " +
        'not by reading.',
    });
  } finally {
    rmSync(DIR, { recursive: true, force: true });
  }
}

await main();
