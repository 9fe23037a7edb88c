import type { AccountRow } from '../store/case-store.js';
import { phoneFacts } from './phone.js';

/**
 * Where an identity points: the country, number type and validity of its phone number (libphonenumber's
 * full metadata), or an explicit "unresolved" with the reason — LIDs, device-scoped names and device owners
 * without a known number carry no country, and an invalid number is not guessed at. O(1) per account.
 */
export interface Jurisdiction {
  /** ISO 3166-1 alpha-2, or null when unresolved. */
  country: string | null;
  numberType: string | null;
  valid: boolean;
  /** Why there is no country (null when there is one). */
  unresolvedReason: string | null;
}

export const UNRESOLVED = 'unresolved';

export function resolveAccount(a: Pick<AccountRow, 'key' | 'phone'>): Jurisdiction {
  if (a.phone) {
    const f = phoneFacts(a.phone);
    if (f.valid && f.country)
      return { country: f.country, numberType: f.type, valid: true, unresolvedReason: null };
    return {
      country: null,
      numberType: f.type,
      valid: false,
      unresolvedReason: f.country
        ? `number ${a.phone} is not valid in ${f.country}'s numbering plan`
        : `number ${a.phone} matches no country's numbering plan`,
    };
  }
  const reason = a.key.startsWith('lid:')
    ? 'WhatsApp LID: an opaque identifier with no phone number'
    : a.key.startsWith('name:')
      ? 'display name seen on one device only (a saved contact or profile name), no number'
      : a.key.startsWith('owner:')
        ? 'device owner whose number was not given at ingest (--owner)'
        : 'no phone number known for this identity';
  return { country: null, numberType: null, valid: false, unresolvedReason: reason };
}
