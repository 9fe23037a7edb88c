/** Validation and category mapping shared by the list readers. */
import { open } from 'node:fs/promises';
import type { CategoryScheme, NormalizedCategory } from './types.js';

export const HASH_HEX_LENGTH = { md5: 32, sha1: 40, sha256: 64, pdq: 64 } as const;
export type HexHashKind = keyof typeof HASH_HEX_LENGTH;

/**
 * Normalizes one hex hash: null for absent/empty, lower-case hex when valid, otherwise a problem text
 * (returned, not thrown, so the caller can report the record and go on).
 */
export function checkHex(kind: HexHashKind, raw: unknown): { value: string | null } | { problem: string } {
  if (raw === null || raw === undefined || raw === '') return { value: null };
  if (typeof raw !== 'string') return { problem: `${kind} is not a string: ${JSON.stringify(raw)}` };
  const v = raw.trim().toLowerCase();
  if (!/^[0-9a-f]*$/.test(v))
    return { problem: `${kind} is not hexadecimal: ${JSON.stringify(raw.slice(0, 80))}` };
  const want = HASH_HEX_LENGTH[kind];
  if (v.length !== want) return { problem: `${kind} has ${v.length} hex digits, expected ${want}` };
  return { value: v };
}

const VICS_US: Record<string, NormalizedCategory> = {
  '0': 'non-pertinent',
  '1': 'cam',
  '2': 'exploitive',
  '3': 'cgi-animation',
  '4': 'comparison',
};
const LEGACY: Record<string, NormalizedCategory> = {
  '0': 'uncategorized',
  '1': 'cam',
  '2': 'exploitive',
  '3': 'cgi-animation',
  '4': 'comparison',
  '5': 'non-pertinent',
};
const UK: Record<string, NormalizedCategory> = { a: 'uk-a', b: 'uk-b', c: 'uk-c' };
const NAMES = new Set<string>([...Object.values(LEGACY), ...Object.values(UK)]);

/**
 * Maps a list's category value under a scheme. null/missing/empty = uncategorized; UK CAID A/B/C are
 * kept in either scheme; a normalized name (as filet writes it in CSV) passes through.
 */
export function mapCategory(
  raw: unknown,
  scheme: CategoryScheme,
): { category: NormalizedCategory; label: string | null } | { problem: string } {
  if (raw === null || raw === undefined || raw === '') return { category: 'uncategorized', label: null };
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return { problem: `category is neither a number nor a string: ${JSON.stringify(raw)}` };
  }
  const label = String(raw).trim();
  const key = label.toLowerCase();
  const mapped = (scheme === 'vics-us' ? VICS_US : LEGACY)[key] ?? UK[key];
  if (mapped) return { category: mapped, label };
  if (NAMES.has(key)) return { category: key as NormalizedCategory, label };
  return { problem: `unknown category ${JSON.stringify(raw)} (scheme ${scheme})` };
}

/** The first `bytes` of a file as UTF-8 without a byte-order mark (for `detect`). */
export async function head(file: string, bytes = 65536): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '');
  } finally {
    await fh.close();
  }
}
