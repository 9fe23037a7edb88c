import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { filet } from './cli.js';

/**
 * A small case for the identity decisions (synthetic people and numbers): two phones exported one group.
 * Phone A saved its contacts by name; phone B shows numbers. Lines both exports hold pair the names with
 * the numbers: Camila (4 units: unambiguous at the default threshold), Boris and Dora (1 unit each:
 * suggestions), Eva (one line pairs her with a French number, another with a second one: a contradiction).
 */
export const PHONE_A = [
  '12/03/2026, 10:00 - Ana created group "Garden club"',
  '12/03/2026, 10:01 - Camila L.: the tomatoes are up',
  '12/03/2026, 10:02 - Camila L.: photos tomorrow',
  '12/03/2026, 10:03 - Eva: hola',
  '12/03/2026, 10:04 - Eva: adios',
  '12/03/2026, 10:05 - Boris: great',
  '12/03/2026, 10:06 - Dora: bring gloves',
  '12/03/2026, 10:07 - Camila L.: who has the key to the shed?',
  '12/03/2026, 10:09 - Boris: me',
  '12/03/2026, 10:10 - Camila L. left',
  '',
].join('\n');
export const PHONE_B = [
  '12/03/2026, 10:01 - +56 9 1111 1111: the tomatoes are up',
  '12/03/2026, 10:02 - +56 9 1111 1111: photos tomorrow',
  '12/03/2026, 10:03 - +33 6 11 11 11 11: hola',
  '12/03/2026, 10:04 - +33 6 22 22 22 22: adios',
  '12/03/2026, 10:05 - +49 151 2222222: great',
  '12/03/2026, 10:06 - +44 7700 900123: bring gloves',
  '12/03/2026, 10:07 - +56 9 1111 1111: who has the key to the shed?',
  '12/03/2026, 10:08 - +49 151 2222222: not me',
  '12/03/2026, 10:10 - +56 9 1111 1111 left',
  '',
].join('\n');

/** Makes the case at `kase` with the real CLI (`store`: 'sqlite' or a PostgreSQL URL). */
export function makeIdentityCase(root: string, kase: string, store = 'sqlite'): void {
  expect(filet(['init', kase, ...(store === 'sqlite' ? [] : ['--store', store])]).code).toBe(0);
  const file = join(root, 'WhatsApp Chat with Garden club.txt');
  for (const [text, device, owner] of [
    [PHONE_A, 'A', '+34600000001'],
    [PHONE_B, 'B', '+34600000002'],
  ] as const) {
    writeFileSync(file, text);
    const r = filet(['ingest', kase, file, '--device', device, '--owner', owner, '--tz', 'UTC']);
    expect(r.code, r.stderr).toBe(0);
  }
}
