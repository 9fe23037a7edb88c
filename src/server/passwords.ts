import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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

/** A password users cannot have: short passwords are refused at creation. */
export function checkPasswordStrength(password: string): string | null {
  if (password.length < 10) return 'the password must have at least 10 characters';
  if (password.length > 1024) return 'the password is too long';
  return null;
}
