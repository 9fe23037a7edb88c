import type { Device, Group, Operation, ScaleConfig } from './operation.js';
import { COUNTRY_PLANS } from './phones.js';
import { rngFor, type Rng } from './random.js';
import { savedContactName } from './texts.js';

/**
 * The seized phones. Owners are chosen so that exports cover most flagged groups, some groups are
 * exported by two or more phones (cross-device deduplication), and at least one harmless group is
 * exported. Every supported locale and both platforms occur.
 */
export const LOCALES = ['en-US', 'en-GB', 'es', 'it', 'de', 'fr', 'pt-BR', 'nl'] as const;

const inAtEnd = (g: Group, phone: string) =>
  g.members.get(phone)?.intervals.some((iv) => iv.to === null) ?? false;

/**
 * `isolated` (the default): the few saved names never need matching against a number seen elsewhere.
 * `realistic`: in addition, every export-only phone saved most of the people it shares a group with, as
 * phones do, so its export names people whom databases show by number (identity resolution's test case).
 */
export type SavedContactsMode = 'isolated' | 'realistic';

export function chooseDevices(
  op: Operation,
  cfg: ScaleConfig,
  rng: Rng,
  savedContacts: SavedContactsMode = 'isolated',
): Device[] {
  const everIn = new Map<string, Group[]>();
  for (const g of op.groups) {
    for (const phone of g.members.keys()) {
      if (!everIn.has(phone)) everIn.set(phone, []);
      everIn.get(phone)!.push(g);
    }
  }
  const endGroups = (phone: string) => (everIn.get(phone) ?? []).filter((g) => inAtEnd(g, phone));
  const flaggedCandidates = op.accounts.filter(
    (a) => a.cluster !== null && endGroups(a.phone).some((g) => !g.harmless),
  );
  const harmlessCandidates = op.accounts.filter((a) => a.cluster === null && endGroups(a.phone).length > 0);
  const nHarmless = Math.max(1, Math.round(cfg.devices / 8));
  const owners: string[] = [];
  const covered = new Map<string, number>();
  const take = (phone: string) => {
    owners.push(phone);
    for (const g of endGroups(phone)) covered.set(g.jid, (covered.get(g.jid) ?? 0) + 1);
  };
  // Half the phones widen coverage; the rest are picked at random and overlap with the first half.
  const nGreedy = Math.ceil((cfg.devices - nHarmless) * 0.6);
  for (let i = 0; i < cfg.devices - nHarmless; i++) {
    const pool = flaggedCandidates.filter((a) => !owners.includes(a.phone));
    if (!pool.length) break;
    if (i < nGreedy) {
      let best = pool[0];
      let bestScore = -1;
      for (const a of pool) {
        const score = endGroups(a.phone).filter((g) => !covered.has(g.jid)).length + rng.float();
        if (score > bestScore) [best, bestScore] = [a, score];
      }
      take(best.phone);
    } else {
      const wide = pool.filter((a) => endGroups(a.phone).length >= 2);
      take(rng.pick(wide.length ? wide : pool).phone);
    }
  }
  for (const a of rng.sample(harmlessCandidates, nHarmless)) take(a.phone);

  const byPhone = new Map(op.accounts.map((a) => [a.phone, a]));
  const platforms = rng.shuffle(owners.map((_, i) => (i % 2 ? 'ios' : 'android') as Device['platform']));
  // Natural locale first; then the locales nobody has replace duplicates, so each one occurs.
  const locales = owners.map((p) => COUNTRY_PLANS[byPhone.get(p)!.country].locale);
  const missing = LOCALES.filter((l) => !locales.includes(l));
  for (let i = 0; i < locales.length && missing.length; i++) {
    if (locales.filter((l) => l === locales[i]).length > 1) locales[i] = missing.shift()!;
  }

  const devices: Device[] = owners.map((phone, i) => {
    const a = byPhone.get(phone)!;
    const exported = endGroups(phone).map((g) => g.jid);
    return {
      label: `D${String(i + 1).padStart(2, '0')}-${a.country.toLowerCase()}-${platforms[i]}`,
      owner: phone,
      ownerName: a.displayName,
      locale: locales[i],
      platform: platforms[i],
      tz: COUNTRY_PLANS[a.country].tz,
      groups: (everIn.get(phone) ?? []).map((g) => g.jid),
      exported,
      withoutMedia: exported.filter(() => rng.chance(0.25)),
      savedContacts: {},
      database: null,
      chatExports: true,
    };
  });
  assignSources(devices);
  addSavedContacts(op, devices, everIn, rng);
  // Its own random stream: the default operation stays byte-identical.
  if (savedContacts === 'realistic')
    addRealisticSavedContacts(op, devices, rngFor(op.seed, 'saved-contacts'));
  return devices;
}

function addRealisticSavedContacts(op: Operation, devices: Device[], rng: Rng): void {
  const groups = new Map(op.groups.map((g) => [g.jid, g]));
  for (const d of devices) {
    if (d.database) continue;
    const saved = new Set(Object.values(d.savedContacts));
    const taken = new Set(Object.keys(d.savedContacts));
    const people = new Set<string>();
    for (const jid of d.exported) for (const phone of groups.get(jid)!.members.keys()) people.add(phone);
    for (const phone of [...people].sort()) {
      if (phone === d.owner || saved.has(phone) || !rng.chance(0.6)) continue;
      d.savedContacts[savedContactName(rng, taken)] = phone;
    }
  }
}

// The first phone of each platform gives exports only, so a scale's first device is always an export.
const ANDROID_SOURCES: Array<[Device['database'], boolean]> = [
  [null, true],
  ['new', false],
  ['legacy', false],
  ['both', false],
  ['new', true],
];
const IOS_SOURCES: Array<[Device['database'], boolean]> = [
  [null, true],
  ['ios', false],
  ['ios', true],
];

/**
 * What each seizure yielded: some phones a database (Android new/legacy/transitional schema, or iOS) with
 * its media folder, some only chat exports, some both.
 */
function assignSources(devices: Device[]): void {
  const counters = { android: 0, ios: 0 };
  for (const d of devices) {
    const table = d.platform === 'ios' ? IOS_SOURCES : ANDROID_SOURCES;
    const [database, chatExports] = table[counters[d.platform]++ % table.length]!;
    d.database = database;
    d.chatExports = chatExports;
  }
}

/**
 * On one or two export-only phones a few contacts are saved under a name. They are chosen among people
 * whose every appearance in the evidence is in a group that only this phone exports and no phone's
 * database holds, so a name never has to be matched against a number seen elsewhere.
 */
function addSavedContacts(op: Operation, devices: Device[], everIn: Map<string, Group[]>, rng: Rng): void {
  const exporters = new Map<string, number>();
  for (const d of devices) {
    const held = d.database ? d.groups : d.exported;
    for (const jid of held) exporters.set(jid, (exporters.get(jid) ?? 0) + 1);
  }
  const owners = new Set(devices.map((d) => d.owner));
  const taken = new Set<string>();
  let done = 0;
  for (const d of rng.shuffle(devices.slice())) {
    if (done >= 2) break;
    if (d.database) continue;
    const solo = new Set(d.exported.filter((jid) => exporters.get(jid) === 1));
    if (!solo.size) continue;
    const candidates = op.accounts.filter((a) => {
      if (owners.has(a.phone)) return false;
      const exportedGroups = (everIn.get(a.phone) ?? []).filter((g) => exporters.has(g.jid));
      return exportedGroups.length > 0 && exportedGroups.every((g) => solo.has(g.jid));
    });
    const chosen = rng.sample(candidates, rng.int(2, 4));
    if (!chosen.length) continue;
    for (const a of chosen) d.savedContacts[savedContactName(rng, taken)] = a.phone;
    done++;
  }
}
