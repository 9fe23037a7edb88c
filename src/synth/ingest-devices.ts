import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestPaths } from '../evidence/ingest.js';
import type { CaseStore } from '../store/case-store.js';
import type { DeviceEntry } from './truth.js';

/** The seized devices of a synth output, as its devices.json lists them. */
export function readDevices(operationDir: string): DeviceEntry[] {
  return JSON.parse(readFileSync(join(operationDir, 'devices.json'), 'utf8')) as DeviceEntry[];
}

/**
 * Ingests every device of a synth output from its bare files, each with the owner, zone and locale
 * devices.json gives (the way an examiner would), one evidence item per file. Returns the devices.
 */
export async function ingestSynthDevices(
  store: CaseStore,
  operationDir: string,
  extra: { examiner?: string; resolveIdentities?: boolean } = {},
): Promise<DeviceEntry[]> {
  const devices = readDevices(operationDir);
  for (const d of devices)
    await ingestPaths(
      store,
      d.files.map((f) => join(operationDir, f)),
      { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale, ...extra },
    );
  return devices;
}

/**
 * The generator's answer for identity resolution: each saved name as the case keys it
 * (`name:<device>:<name>`) → the person's number (`phone:+…`).
 */
export function savedNameKeys(devices: DeviceEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of devices)
    for (const [name, phone] of Object.entries(d.savedContacts ?? {}))
      out.set(`name:${d.label}:${name}`, `phone:${phone}`);
  return out;
}

/**
 * Whether the generator says `from` and `into` are one person: a saved name and the number it was saved
 * for, or two phones' saved names of one number (`saved`: from `savedNameKeys`).
 */
export function isTruePair(saved: Map<string, string>, from: string, into: string): boolean {
  const person = (key: string) => saved.get(key) ?? (key.startsWith('phone:') ? key : undefined);
  const a = person(from);
  return a !== undefined && a === person(into);
}
