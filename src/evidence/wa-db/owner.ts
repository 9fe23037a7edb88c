/**
 * Who the phone's owner is. Device databases do not store the owner on their own messages (from_me rows
 * have no sender), so the owner is decided by, in order: the investigator's `--owner`; the device's own
 * files found beside the database; else an `owner:<device>` identity to be merged by the analyst.
 * Which rule decided is recorded in the notes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toE164 } from './jids.js';

export interface Owner {
  key: string;
  phone: string | null;
  source: string;
}

const PREFS = [
  'shared_prefs/com.whatsapp_preferences_light.xml',
  'shared_prefs/com.whatsapp_preferences.xml',
  'shared_prefs/registration.RegisterPhone.xml',
];

function xmlString(xml: string, name: string): string | null {
  const re = new RegExp(`<string name="${name.replace(/\./g, '\\.')}">([^<]*)</string>`);
  return re.exec(xml)?.[1]?.trim() ?? null;
}

/** The owner's number from Android shared preferences: `registration_jid`, else `cc` + `ph`. */
export function ownerFromPrefs(xml: string): string | null {
  const jid = xmlString(xml, 'registration_jid');
  if (jid) {
    const digits = jid.replace(/@.*$/, '');
    if (/^\d{6,15}$/.test(digits)) return '+' + digits;
  }
  const cc = xmlString(xml, 'cc') ?? xmlString(xml, 'com.whatsapp.registration.RegisterPhone.country_code');
  const ph = xmlString(xml, 'ph') ?? xmlString(xml, 'com.whatsapp.registration.RegisterPhone.phone_number');
  if (cc && ph && /^\d{1,4}$/.test(cc) && /^\d{4,14}$/.test(ph)) return `+${cc}${ph}`;
  return null;
}

/**
 * The `files/me` file is a serialized Java object holding cc, number and the full jabber id; the longest
 * run of digits is the full international number.
 */
export function ownerFromMeFile(buf: Buffer): string | null {
  const runs = buf.toString('latin1').match(/\d{8,15}/g) ?? [];
  const best = runs.sort((a, b) => b.length - a.length)[0];
  return best ? '+' + best : null;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * `ownerSource` says where `cliOwner` came from when it was not typed by the investigator (evidence
 * discovery passes the number it found in the device's own files, with the file and key).
 */
export function resolveOwner(
  deviceLabel: string,
  cliOwner: string | undefined,
  roots: string[],
  ownerSource?: string,
): Owner {
  const cli = toE164(cliOwner);
  if (cli) return { key: `phone:${cli}`, phone: cli, source: ownerSource ?? 'command line (--owner)' };
  for (const root of roots) {
    for (const rel of PREFS) {
      const p = join(root, rel);
      if (!isFile(p)) continue;
      const phone = ownerFromPrefs(readFileSync(p, 'utf8'));
      if (phone) return { key: `phone:${phone}`, phone, source: `device file ${p}` };
    }
    const me = join(root, 'files', 'me');
    if (existsSync(me) && isFile(me)) {
      const phone = ownerFromMeFile(readFileSync(me));
      if (phone) return { key: `phone:${phone}`, phone, source: `device file ${me}` };
    }
  }
  return {
    key: `owner:${deviceLabel}`,
    phone: null,
    source: 'unknown (no --owner, no registration file beside the database): owner identity kept per device',
  };
}
