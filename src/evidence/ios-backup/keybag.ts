/**
 * The backup keybag of an encrypted iTunes / Finder backup (`Manifest.plist` → `BackupKeyBag`): a list of
 * TLV records (4-byte ASCII tag, 4-byte big-endian length, value). The header (VERS, TYPE, UUID, HMCK,
 * WRAP, SALT, ITER, DPWT, DPIC, DPSL) is followed by one block per protection class, each starting with
 * its own UUID tag (CLAS, WRAP, KTYP, WPKY). The backup password unlocks the class keys:
 *   passcode key = PBKDF2-HMAC-SHA1(PBKDF2-HMAC-SHA256(password, DPSL, DPIC), SALT, ITER, 32 bytes)
 *   class key    = AES key unwrap (RFC 3394) of WPKY with the passcode key, for classes with WRAP & 2.
 * A wrong password fails the unwrap's integrity check.
 */
import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { UserError } from '../../util/errors.js';

export const WRAP_PASSCODE = 2;
const RFC3394_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

export interface KeybagClass {
  uuid: Buffer;
  clas: number;
  wrap: number;
  ktyp: number | null;
  wpky: Buffer;
}

export interface Keybag {
  header: Map<string, Buffer>;
  classes: KeybagClass[];
}

export function* tlv(buf: Buffer): Generator<{ tag: string; value: Buffer }> {
  let at = 0;
  while (at + 8 <= buf.length) {
    const tag = buf.subarray(at, at + 4).toString('latin1');
    const len = buf.readUInt32BE(at + 4);
    if (at + 8 + len > buf.length)
      throw new UserError(`damaged backup keybag (record ${tag} runs past the end)`);
    yield { tag, value: buf.subarray(at + 8, at + 8 + len) };
    at += 8 + len;
  }
  if (at !== buf.length) throw new UserError('damaged backup keybag (trailing bytes)');
}

const int = (b: Buffer | undefined): number | null => (b && b.length === 4 ? b.readUInt32BE(0) : null);

export function parseKeybag(buf: Buffer): Keybag {
  const header = new Map<string, Buffer>();
  const classes: KeybagClass[] = [];
  let cur: Map<string, Buffer> | null = null;
  const flush = () => {
    if (!cur) return;
    const clas = int(cur.get('CLAS'));
    const wpky = cur.get('WPKY');
    if (clas !== null && wpky)
      classes.push({
        uuid: cur.get('UUID')!,
        clas,
        wrap: int(cur.get('WRAP')) ?? 0,
        ktyp: int(cur.get('KTYP')),
        wpky,
      });
  };
  for (const { tag, value } of tlv(buf)) {
    if (tag === 'UUID') {
      if (!header.has('UUID')) {
        header.set('UUID', value);
        continue;
      }
      flush();
      cur = new Map([['UUID', value]]);
      continue;
    }
    if (cur) cur.set(tag, value);
    else header.set(tag, value);
  }
  flush();
  for (const t of ['SALT', 'ITER'])
    if (!header.has(t)) throw new UserError(`damaged backup keybag (no ${t})`);
  return { header, classes };
}

export function aesUnwrap(kek: Buffer, wrapped: Buffer): Buffer {
  const d = createDecipheriv(`id-aes${kek.length * 8}-wrap`, kek, RFC3394_IV);
  return Buffer.concat([d.update(wrapped), d.final()]);
}

/** The passcode key derived from the backup password (DPSL/DPIC absent: the older SHA-1-only scheme). */
export function passcodeKey(kb: Keybag, password: string): Buffer {
  const salt = kb.header.get('SALT')!;
  const iter = int(kb.header.get('ITER'))!;
  const dpsl = kb.header.get('DPSL');
  const dpic = int(kb.header.get('DPIC'));
  const first =
    dpsl && dpic
      ? pbkdf2Sync(Buffer.from(password, 'utf8'), dpsl, dpic, 32, 'sha256')
      : Buffer.from(password, 'utf8');
  return pbkdf2Sync(first, salt, iter, 32, 'sha1');
}

/** Class keys by protection class. Throws "the backup password is wrong" when an unwrap fails. */
export function unlockKeybag(kb: Keybag, password: string): Map<number, Buffer> {
  const pk = passcodeKey(kb, password);
  const keys = new Map<number, Buffer>();
  for (const c of kb.classes) {
    if (!(c.wrap & WRAP_PASSCODE)) continue;
    try {
      keys.set(c.clas, aesUnwrap(pk, c.wpky));
    } catch {
      throw new UserError(
        'the backup password is wrong (the keybag class keys do not unwrap with it: RFC 3394 integrity check failed)',
      );
    }
  }
  if (!keys.size) throw new UserError('the backup keybag holds no password-wrapped class key');
  return keys;
}
