import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface Digests {
  sha256: string;
  md5: string;
  sha1: string;
  size: number;
}

/** MD5, SHA-1 and SHA-256 of a stream in one pass (one read, three digests). */
export async function digestStream(stream: Readable): Promise<Digests> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    sha256.update(chunk);
    md5.update(chunk);
    sha1.update(chunk);
    size += chunk.length;
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), sha1: sha1.digest('hex'), size };
}

export function digestFile(path: string): Promise<Digests> {
  return digestStream(createReadStream(path, { highWaterMark: 1 << 20 }));
}

export function digestBuffer(buf: Uint8Array): Digests {
  return {
    sha256: createHash('sha256').update(buf).digest('hex'),
    md5: createHash('md5').update(buf).digest('hex'),
    sha1: createHash('sha1').update(buf).digest('hex'),
    size: buf.length,
  };
}

/** SHA-256 only, streaming: used for evidence items (hashed at ingest, re-checked by `filet verify`). */
export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
  }
  return { sha256: h.digest('hex'), size };
}

/** WhatsApp stores SHA-256 digests base64-encoded; the case stores lower-case hex. */
export function base64ToHex(b64: string): string | null {
  const buf = Buffer.from(b64, 'base64');
  return buf.length === 32 ? buf.toString('hex') : null;
}
