// crypt15 decryption (src/evidence/android-crypt: MD5 of the file, AES-256-GCM, zlib inflate, SHA-256 of the
// plaintext, written to a file) in MB/s of the encrypted file, against a plain sequential read of the same
// file in the same run (target: at least 0.5x). Broken down in the same run into each stage alone, each in
// MB/s of the encrypted file: plain read, MD5, AES-256-GCM, inflate, SHA-256 of the plaintext, and a
// read+write copy (decryption writes its output). The plaintext is a real SQLite msgstore.db from synth
// (src/synth/devices/large-msgstore.ts, cached in the OS temp folder like the ingest bench's), because the
// compression ratio decides inflate's share. FILET_BENCH_CRYPT_MIB sets the plaintext size (default 256).
import { createDecipheriv, createHash, type DecipherGCM } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflate } from 'node:zlib';
import { decryptBackup } from '../src/evidence/android-crypt/decrypt.js';
import { readBackupLayout } from '../src/evidence/android-crypt/format.js';
import { crypt15AesKey } from '../src/evidence/android-crypt/keys.js';
import { writeLargeMsgstore } from '../src/synth/devices/large-msgstore.js';
import { generateKeys, writeCryptBackup } from '../src/synth/devices/crypt-writer.js';
import { peakRssMiB, writeResult } from './lib.js';

const PLAIN_MIB = Number(process.env.FILET_BENCH_CRYPT_MIB ?? 256);
const ROUNDS = 3;
const DIR = join(tmpdir(), `filet-bench-crypt-${process.pid}`);
// About 126 MiB per million messages (measured): the message count that gives the size asked for.
const MESSAGES = Math.max(10_000, Math.round((PLAIN_MIB / 126) * 1_000_000));
const msgstorePath = join(tmpdir(), `filet-bench-msgstore-${MESSAGES}-s1`, 'databases', 'msgstore.db');

/** Calls `each` with every 1 MiB chunk of [start, end) of the file, read into one reused buffer. */
function eachChunk(path: string, each: (chunk: Buffer) => void, start = 0, end = Infinity): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = start;
  try {
    while (pos < end) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) break;
      each(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return pos - start;
}

async function timed(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  mkdirSync(DIR, { recursive: true });
  try {
    if (!existsSync(msgstorePath)) {
      console.log(`generating a ${MESSAGES}-message msgstore.db…`);
      writeLargeMsgstore(msgstorePath, {
        messages: MESSAGES,
        groups: Math.max(10, Math.round(MESSAGES / 1000)),
        members: 5000,
        seed: 1,
      });
    }
    const enc = join(DIR, 'msgstore.db.crypt15');
    const keys = generateKeys();
    await writeCryptBackup(msgstorePath, enc, 'crypt15', keys);
    const encBytes = statSync(enc).size;
    const plainBytes = statSync(msgstorePath).size;
    const layout = await readBackupLayout(enc);
    const key = crypt15AesKey(keys.root);
    // The zlib stream alone (the ciphertext deciphered), for the inflate stage.
    const zlibFile = join(DIR, 'msgstore.zlib');
    {
      const tag = Buffer.alloc(16);
      const fd = openSync(enc, 'r');
      readSync(fd, tag, 0, 16, layout.dataEnd);
      closeSync(fd);
      const d = createDecipheriv('aes-256-gcm', key, layout.iv) as DecipherGCM;
      d.setAuthTag(tag);
      await pipeline(
        createReadStream(enc, { start: layout.dataStart, end: layout.dataEnd - 1, highWaterMark: 1 << 20 }),
        d,
        createWriteStream(zlibFile),
      );
    }
    const sink = () => new Writable({ write: (_c, _e, done) => done() });
    const stages: Record<string, () => unknown> = {
      read: () => eachChunk(enc, () => {}),
      md5: () => {
        const h = createHash('md5');
        eachChunk(enc, (c) => h.update(c), 0, layout.md5Offset);
        return h.digest();
      },
      aesGcm: () => {
        const tag = Buffer.alloc(16);
        const fd = openSync(enc, 'r');
        readSync(fd, tag, 0, 16, layout.dataEnd);
        closeSync(fd);
        const d = createDecipheriv('aes-256-gcm', key, layout.iv) as DecipherGCM;
        d.setAuthTag(tag);
        eachChunk(enc, (c) => d.update(c), layout.dataStart, layout.dataEnd);
        d.final();
      },
      inflate: () =>
        pipeline(
          createReadStream(zlibFile, { highWaterMark: 1 << 20 }),
          createInflate({ chunkSize: 1 << 20 }),
          sink(),
        ),
      sha256: () => {
        const h = createHash('sha256');
        eachChunk(msgstorePath, (c) => h.update(c));
        return h.digest();
      },
      writePlaintext: async () => {
        await pipeline(
          createReadStream(msgstorePath, { highWaterMark: 1 << 20 }),
          createWriteStream(join(DIR, 'copy'), { highWaterMark: 1 << 20 }),
        );
        rmSync(join(DIR, 'copy'));
      },
      decrypt: async () => {
        await decryptBackup(enc, layout, key, join(DIR, 'out.db'));
        rmSync(join(DIR, 'out.db'));
      },
    };
    // Warm the page cache for every input, so each stage reads from memory alike.
    eachChunk(enc, () => {});
    eachChunk(zlibFile, () => {});
    eachChunk(msgstorePath, () => {});
    const best: Record<string, number> = Object.fromEntries(Object.keys(stages).map((k) => [k, Infinity]));
    const rssBefore = peakRssMiB();
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, fn] of Object.entries(stages)) best[name] = Math.min(best[name]!, await timed(fn));
    const mbps = (ms: number) => +(encBytes / 1e6 / (ms / 1000)).toFixed(1);
    const stageMBps = Object.fromEntries(Object.entries(best).map(([k, ms]) => [k, mbps(ms)]));
    const inherent = ['md5', 'aesGcm', 'inflate', 'sha256'] as const;
    const slowest = inherent.reduce((a, b) => (best[a]! > best[b]! ? a : b));
    writeResult({
      name: 'crypt',
      inputs: {
        plaintext: `synthetic msgstore.db (${MESSAGES} messages, large-msgstore seed 1)`,
        plaintextMiB: +(plainBytes / 2 ** 20).toFixed(1),
        encryptedMiB: +(encBytes / 2 ** 20).toFixed(1),
        compressionRatio: +(plainBytes / encBytes).toFixed(2),
        rounds: ROUNDS,
        measure: 'best of rounds; MB/s of the encrypted file for every stage',
      },
      figures: {
        decryptMBps: stageMBps.decrypt!,
        plaintextMBps: +(plainBytes / 1e6 / (best.decrypt! / 1000)).toFixed(1),
        stagesMBps: stageMBps,
        slowestInherentStage: slowest,
        peakRssMiB: +peakRssMiB().toFixed(1),
        peakRssMiBBeforeRounds: +rssBefore.toFixed(1),
      },
      baseline: { sequentialReadMBps: stageMBps.read!, copyMBps: stageMBps.writePlaintext! },
      ratios: {
        decryptVsRead: +(best.read! / best.decrypt!).toFixed(3),
        decryptVsSlowestStage: +(best[slowest]! / best.decrypt!).toFixed(3),
        slowestStageVsRead: +(best.read! / best[slowest]!).toFixed(3),
        ...Object.fromEntries(inherent.map((k) => [`${k}VsRead`, +(best.read! / best[k]!).toFixed(3)])),
      },
      notes:
        'decryption = MD5 of the file (a worker thread, beside the rest) + AES-256-GCM + zlib inflate + SHA-256 ' +
        'of the plaintext + write. read = one 1 MiB buffer front to back (cat > /dev/null); inflate = the ' +
        'deciphered zlib stream through a streaming inflate; sha256 = the plaintext hashed; writePlaintext = the ' +
        'plaintext copied file to file. Inflate is one zlib stream and cannot be split across cores, so the ' +
        'slowest inherent stage bounds decryption: decryptVsSlowestStage says how close the pipeline gets.',
    });
  } finally {
    rmSync(DIR, { recursive: true, force: true });
  }
}

await main();
