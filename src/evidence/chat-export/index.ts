/**
 * WhatsApp "Export chat" reader: a `.txt` alone, or a `.zip` with the text and its media.
 * See docs whatsapp-formats.md §1 for the format and its quirks.
 */
import { open } from 'node:fs/promises';
import type { EvidenceKind, EvidenceReader, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { parseHeader } from './line-format.js';
import { parseChatExport } from './parse.js';
import { isZip, openSource } from './source.js';

export { parseChatExport, type ChatExportOptions } from './parse.js';
export { DEFAULT_LIMITS } from './source.js';

/** Bytes looked at by `detect`: enough for hundreds of lines, nothing like the whole file. */
export const SNIFF_BYTES = 64 * 1024;

/** Share of non-empty lines that start with a timestamp, from the first 64 KB of text. */
export function timestampShare(text: string, complete: boolean): number {
  const lines = text.split('\n');
  if (!complete && lines.length > 1) lines.pop(); // the cut-off last line
  let nonEmpty = 0;
  let stamped = 0;
  for (const l of lines) {
    const s = l.replace(/^[\uFEFF\u200E\u200F\u202A-\u202E]+/, '').replace(/\r$/, '');
    if (!s.trim()) continue;
    nonEmpty++;
    if (parseHeader(s)) stamped++;
  }
  return nonEmpty ? stamped / nonEmpty : 0;
}

async function sniffTxt(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function sniffZip(path: string): Promise<{ buf: Buffer; complete: boolean } | null> {
  // Sniffing applies no limits beyond the 64 KB read: an unsafe zip is refused later, with the reason.
  let src;
  try {
    src = await openSource(path, { maxEntryBytes: Infinity, maxTotalBytes: Infinity, maxRatio: Infinity });
  } catch {
    return null;
  }
  try {
    const stream = await src.openText();
    const chunks: Buffer[] = [];
    let size = 0;
    let complete = true;
    for await (const c of stream as AsyncIterable<Buffer>) {
      chunks.push(c);
      size += c.length;
      if (size >= SNIFF_BYTES) {
        complete = false;
        break;
      }
    }
    stream.destroy();
    return { buf: Buffer.concat(chunks).subarray(0, SNIFF_BYTES), complete };
  } catch {
    return null;
  } finally {
    src.close();
  }
}

/**
 * `detect` for a text export from its first SNIFF_BYTES (or the whole file when shorter), for callers
 * that hold those bytes already (discovery, reading a container's entry).
 */
export function textExportConfidence(buf: Buffer): number {
  // A NUL byte in the first 64 KB: binary, not a text export.
  if (buf.includes(0)) return 0;
  const share = timestampShare(buf.toString('utf8'), buf.length < SNIFF_BYTES);
  return share > 0.5 ? 0.85 + 0.15 * share : 0;
}

/** 0.85–1 when most non-empty lines of the first 64 KB start with an export timestamp, else 0. */
export async function detectChatExport(path: string): Promise<number> {
  try {
    let text: string;
    let complete: boolean;
    if (await isZip(path)) {
      const z = await sniffZip(path);
      if (!z) return 0;
      [text, complete] = [z.buf.toString('utf8'), z.complete];
    } else {
      return textExportConfidence(await sniffTxt(path));
    }
    const share = timestampShare(text, complete);
    return share > 0.5 ? 0.85 + 0.15 * share : 0;
  } catch {
    return 0;
  }
}

/** Which of the two evidence kinds a file is: decided per file from its first bytes. */
export async function chatExportKind(path: string): Promise<EvidenceKind> {
  return (await isZip(path)) ? 'chat-export-zip' : 'chat-export-txt';
}

function reader(kind: EvidenceKind | null): EvidenceReader {
  return {
    kind: kind ?? 'chat-export-txt',
    description: 'WhatsApp "Export chat" text (.txt), alone or in a .zip with its media',
    async detect(path) {
      if (kind && (await chatExportKind(path)) !== kind) return 0;
      return detectChatExport(path);
    },
    read: (path: string, options: ReaderOptions, notes: ReaderNotes) => parseChatExport(path, options, notes),
    // Any .zip/.txt; discovery keeps those whose content `detect` accepts.
    artifacts: {
      patterns:
        kind === 'chat-export-zip'
          ? ['**/*.zip']
          : kind === 'chat-export-txt'
            ? ['**/*.txt']
            : ['**/*.zip', '**/*.txt'],
    },
  };
}

/**
 * Reads both containers; its `kind` says `chat-export-txt`, the actual kind of a file is
 * `chatExportKind(path)` and is written to `notes.kind` while reading.
 */
export const chatExportReader: EvidenceReader = reader(null);
/** The same reader restricted to one container, for a registry keyed by kind. */
export const chatExportTxtReader: EvidenceReader = reader('chat-export-txt');
export const chatExportZipReader: EvidenceReader = reader('chat-export-zip');
