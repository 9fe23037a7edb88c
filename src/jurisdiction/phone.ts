import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export interface PhoneFacts {
  e164: string;
  country: string | null;
  type: string | null;
  valid: boolean;
}

/** Country, number type and validity of an E.164 number, from libphonenumber's full metadata. */
export function phoneFacts(e164: string): PhoneFacts {
  const p = parsePhoneNumberFromString(e164);
  if (!p) return { e164, country: null, type: null, valid: false };
  return { e164, country: p.country ?? null, type: p.getType() ?? null, valid: p.isValid() };
}
