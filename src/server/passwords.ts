import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Password hashing with scrypt (node:crypto). Each user has their own salt and the parameters are stored
 * beside the hash, so they can be raised later without breaking existing accounts.
 */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1, keylen: 64 };

function derive(password: string, salt: Buffer, params: Record<string, number>): Promise<Buffer> {
  const { N, r, p, keylen } = { ...SCRYPT_PARAMS, ...params };
  const opts: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((res, rej) => scrypt(password, salt, keylen, opts, (e, k) => (e ? rej(e) : res(k))));
}

export async function hashPassword(
  password: string,
): Promise<{ hash: string; salt: string; params: Record<string, number> }> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT_PARAMS);
  return { hash: key.toString('base64'), salt: salt.toString('base64'), params: { ...SCRYPT_PARAMS } };
}

export async function verifyPassword(
  password: string,
  stored: { hash: string; salt: string; params: Record<string, number> },
): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const key = await derive(password, Buffer.from(stored.salt, 'base64'), {
    ...stored.params,
    keylen: expected.length,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Where the common-password list lives (the package's data folder, from src/ and from dist/ alike). */
export const COMMON_PASSWORDS_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'data',
  'common-passwords.txt',
);

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  if (!common) {
    let text: string;
    try {
      text = readFileSync(COMMON_PASSWORDS_FILE, 'utf8');
    } catch (err) {
      throw new Error(
        `the common-password list is missing (${COMMON_PASSWORDS_FILE}): ${(err as Error).message}`,
        { cause: err },
      );
    }
    common = new Set(
      text
        .split(/\r?\n/)
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

// Letter-for-symbol swaps people make to satisfy composition rules (p@ssw0rd). "1" stands for i or l.
const SWAPS: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '3': 'e',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
};
const unswap = (s: string, one: 'i' | 'l') =>
  [...s].map((ch) => (ch === '1' || ch === '!' || ch === '|' ? one : (SWAPS[ch] ?? ch))).join('');

/** The list entry a password is built on (as is, without digits/symbols around it, or with swaps undone). */
function commonBase(password: string): string | null {
  const list = commonPasswords();
  const lower = password.toLowerCase();
  if (list.has(lower)) return lower;
  const core = lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '');
  for (const c of [core, unswap(core, 'i'), unswap(core, 'l'), unswap(lower, 'i'), unswap(lower, 'l')])
    if (c.length >= 3 && list.has(c)) return c;
  return null;
}

// Sequences people walk: alphabet, digits, keyboard rows (QWERTY, QWERTZ, AZERTY) and columns.
const SEQUENCES = [
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789',
  '1234567890',
  '`1234567890-=',
  'qwertyuiop[]',
  "asdfghjkl;'",
  'zxcvbnm,./',
  'qwertzuiop',
  'yxcvbnm',
  'azertyuiop',
  'qsdfghjklm',
  'wxcvbn',
  '1qaz',
  '2wsx',
  '3edc',
  '4rfv',
  '5tgb',
  '6yhn',
  '7ujm',
  '8ik,',
  '9ol.',
  '0p;/',
];

/** How `b` follows `a`: the same character, or the next/previous one in some sequence. */
function steps(a: string, b: string): string[] {
  if (a === b) return ['='];
  const out: string[] = [];
  SEQUENCES.forEach((seq, i) => {
    const x = seq.indexOf(a);
    const y = seq.indexOf(b);
    if (x >= 0 && y >= 0 && Math.abs(x - y) === 1) out.push(`${i}${y > x ? '+' : '-'}`);
  });
  return out;
}

/** The number of runs a password splits into, a run being a repeat or a walk along one sequence. */
function runCount(p: string): number {
  let runs = 1;
  let current: string[] = [];
  for (let i = 1; i < p.length; i++) {
    const s = steps(p[i - 1]!, p[i]!);
    const cont = current.length ? current.filter((x) => s.includes(x)) : s;
    if (cont.length) current = cont;
    else {
      runs++;
      current = [];
    }
  }
  return runs;
}

/**
 * Why a password cannot be used, or null. Refused: fewer than 12 characters; one of the common passwords
 * in data/common-passwords.txt (as is, with digits or symbols added around it, or with letters swapped for
 * look-alike symbols); made of repeats or walks (aaaa, abcabc, 1234, qwerty, 1qaz2wsx) or of very few
 * different characters; containing the user name. Checked wherever a password is set (`filet user add`).
 */
export function checkPasswordStrength(password: string, username?: string): string | null {
  const chars = [...password];
  if (chars.length < 12)
    return `the password must have at least 12 characters (this one has ${chars.length})`;
  if (password.length > 1024) return 'the password is too long (at most 1024 characters)';
  const lower = password.toLowerCase();
  if (username && username.length >= 3 && lower.includes(username.toLowerCase()))
    return 'the password must not contain the user name';
  const base = commonBase(password);
  if (base)
    return 'the password is a common password, or one with digits, symbols or look-alike letters added; choose another';
  if (runCount(lower) * 3 <= chars.length || /^(.+?)\1+$/s.test(lower))
    return 'the password is made of sequences or repeats (like aaaa, abcabc, 1234, qwerty); choose something less predictable';
  if (new Set(lower).size < 5) return 'the password has too few different characters (at least 5 are needed)';
  return null;
}
