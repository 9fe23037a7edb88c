import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Rng } from './random.js';

/**
 * Mobile numbers valid for their country's numbering plan but drawn from blocks padded with zeros
 * (`+34 600 0x xx xx`), so a reader sees at once that they are made up. Each is checked with
 * libphonenumber-js (full metadata) before use.
 */
export interface CountryPlan {
  country: CountryCode;
  /** National significant number prefix of the block; `free` random digits follow. */
  prefix: string;
  free: number;
  callingCode: string;
  tz: string;
  /** Locale a phone bought there most likely uses. */
  locale: string;
}

export const COUNTRY_PLANS: Record<string, CountryPlan> = {
  ES: { country: 'ES', callingCode: '34', prefix: '6000', free: 5, tz: 'Europe/Madrid', locale: 'es' },
  IT: { country: 'IT', callingCode: '39', prefix: '31200', free: 5, tz: 'Europe/Rome', locale: 'it' },
  DE: { country: 'DE', callingCode: '49', prefix: '151000', free: 5, tz: 'Europe/Berlin', locale: 'de' },
  CR: { country: 'CR', callingCode: '506', prefix: '8800', free: 4, tz: 'America/Costa_Rica', locale: 'es' },
  CL: { country: 'CL', callingCode: '56', prefix: '99000', free: 4, tz: 'America/Santiago', locale: 'es' },
  MX: { country: 'MX', callingCode: '52', prefix: '55000', free: 5, tz: 'America/Mexico_City', locale: 'es' },
  AR: {
    country: 'AR',
    callingCode: '54',
    prefix: '911000',
    free: 5,
    tz: 'America/Argentina/Buenos_Aires',
    locale: 'es',
  },
  FR: { country: 'FR', callingCode: '33', prefix: '61200', free: 4, tz: 'Europe/Paris', locale: 'fr' },
  PT: { country: 'PT', callingCode: '351', prefix: '91000', free: 4, tz: 'Europe/Lisbon', locale: 'pt-BR' },
  NL: { country: 'NL', callingCode: '31', prefix: '6100', free: 5, tz: 'Europe/Amsterdam', locale: 'nl' },
};

export interface Phone {
  /** `+34600012345` */
  e164: string;
  /** As WhatsApp shows an unsaved contact: `+34 600 01 23 45`. */
  international: string;
  country: CountryCode;
}

/** Hands out distinct valid numbers per country. */
export class PhoneBook {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  next(countryKey: string): Phone {
    const plan = COUNTRY_PLANS[countryKey];
    if (!plan) throw new Error(`no numbering plan for ${countryKey}`);
    for (let attempt = 0; attempt < 1000; attempt++) {
      let digits = plan.prefix;
      for (let i = 0; i < plan.free; i++) digits += String(this.rng.int(0, 9));
      const e164 = `+${plan.callingCode}${digits}`;
      if (this.used.has(e164)) continue;
      const parsed = parsePhoneNumberFromString(e164);
      if (!parsed || !parsed.isValid() || parsed.country !== plan.country) continue;
      this.used.add(e164);
      return { e164, international: parsed.formatInternational(), country: plan.country };
    }
    throw new Error(`numbering block for ${countryKey} exhausted`);
  }
}

/** True when `e164` is a valid number of `country` by the full metadata (what tests check). */
export function isValidFor(e164: string, country: string): boolean {
  const parsed = parsePhoneNumberFromString(e164);
  return !!parsed && parsed.isValid() && parsed.country === country;
}

export function formatInternational(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed ? parsed.formatInternational() : e164;
}
