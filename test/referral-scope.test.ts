import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo.js';
import { buildCaseView } from '../src/report/case-view.js';
import { verifyManifests } from '../src/report/manifest.js';
import { writeReferrals } from '../src/report/referrals.js';
import { AnalysisStore } from '../src/store/analysis-store.js';
import { openCase } from '../src/store/case-dir.js';
import type { DeviceEntry } from '../src/synth/truth.js';
import { caseOn as demoCaseOn } from './helpers/demo-case.js';
import { STORE_TARGETS, tempDir, type StoreTarget } from './helpers/stores.js';

/**
 * Security review, issue 9, finding 8: a referral package holds what concerns its country. On a real
 * synthetic case (synth → ingest → list → match → analyze), on every store, every file of every package is
 * searched byte by byte for the identifiers of every person who is not one of that package's suspects —
 * phone numbers (E.164 and digits only), JIDs, account keys, display names, and the labels of devices whose
 * owner is of another country — while the package's own suspects' numbers must be there. The identifiers
 * come from the store and the analysis (who is where) and from the generator's answer key (every number it
 * made up, with its country), not from the referral code.
 */
interface Person {
  id: number;
  key: string;
  phone: string | null;
  jids: string[];
  names: string[];
  /** ISO alpha-2 from the analysis, or 'unresolved'. */
  country: string;
  suspect: boolean;
}

interface Truth {
  accounts: { phone: string; country: string }[];
}

interface Package {
  country: string;
  files: Map<string, Buffer>;
  evidence: Record<string, unknown> & {
    accounts: { id: number; phone: string | null }[];
    events: { id: number; actor: unknown; targets: unknown[] }[];
    groups: { id: number; creator: unknown }[];
    media: { id: number; firstPostedBy: unknown }[];
  };
}

let demoRoot = '';
beforeAll(async () => {
  demoRoot = tempDir('filet-referral-scope-');
  await runDemo({ dir: demoRoot, seed: 7, scale: 'small', quiet: true });
}, 300_000);

afterAll(() => {
  if (demoRoot) rmSync(demoRoot, { recursive: true, force: true });
});

const caseOn = (target: StoreTarget) => demoCaseOn(demoRoot, target);

const digits = (phone: string) => phone.replace(/^\+/, '');
const htmlEscaped = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Every object in a JSON value that has a `ref` field. */
function refsIn(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v && typeof v === 'object') {
    if ('ref' in v) out.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) refsIn(x, out);
  }
  return out;
}

describe.each(STORE_TARGETS)('referral packages on $name hold only their own country', (target) => {
  const people = new Map<number, Person>();
  const eventsById = new Map<number, { actorId: number | null; targets: number[] }>();
  const creatorOf = new Map<number, number | null>();
  const packages: Package[] = [];
  let truth: Truth;
  let devices: DeviceEntry[];
  let out = '';

  beforeAll(async () => {
    const caseDir = await caseOn(target);
    out = join(demoRoot, `referrals-${target.name}`);
    const op = join(demoRoot, 'operation');
    truth = JSON.parse(readFileSync(join(op, 'truth.json'), 'utf8')) as Truth;
    devices = JSON.parse(readFileSync(join(op, 'devices.json'), 'utf8')) as DeviceEntry[];
    const { store } = await openCase(caseDir, { store: target.store });
    try {
      await writeReferrals(store, await buildCaseView(store), out);
      const analysed = new Map((await new AnalysisStore(store).accounts()).map((a) => [a.accountId, a]));
      const aliases = await store.accountAliases();
      for (const a of await store.accounts()) {
        const an = analysed.get(a.id);
        people.set(a.id, {
          id: a.id,
          key: a.key,
          phone: a.phone,
          jids: aliases.jids.get(a.id) ?? [],
          names: aliases.names.get(a.id) ?? [],
          country: an?.country ?? 'unresolved',
          suspect: (an?.roles.length ?? 0) > 0,
        });
      }
      for (const e of await store.events()) eventsById.set(e.id, { actorId: e.actorId, targets: e.targets });
      for (const c of await store.chats()) creatorOf.set(c.id, c.creatorId);
    } finally {
      await store.close();
    }
    for (const country of readdirSync(out).sort()) {
      const files = new Map<string, Buffer>();
      for (const f of readdirSync(join(out, country))) files.set(f, readFileSync(join(out, country, f)));
      packages.push({
        country,
        files,
        evidence: JSON.parse(files.get('evidence.json')!.toString('utf8')) as Package['evidence'],
      });
    }
  }, 600_000);

  const own = (p: Package) => [...people.values()].filter((x) => x.suspect && x.country === p.country);

  it('writes a package per country with suspects, plus unresolved', () => {
    const withSuspects = new Set([...people.values()].filter((x) => x.suspect).map((x) => x.country));
    expect(packages.map((p) => p.country)).toEqual([...new Set([...withSuspects, 'unresolved'])].sort());
    // The demo case spans several countries, so every package has others to leave out.
    expect(packages.length).toBeGreaterThan(3);
  });

  it('no file of a package holds a number, JID, key, name or device label of another country', () => {
    for (const p of packages) {
      const forbidden = new Set<string>();
      // Every number the generator made up for a person of another country.
      const ownPhones = new Set(own(p).map((x) => x.phone));
      for (const a of truth.accounts)
        if (a.country !== p.country && !ownPhones.has(a.phone))
          [a.phone, digits(a.phone)].forEach((s) => forbidden.add(s));
      const others = [...people.values()].filter((x) => x.country !== p.country);
      for (const x of others) {
        if (x.phone) [x.phone, digits(x.phone)].forEach((s) => forbidden.add(s));
        x.jids.forEach((j) => forbidden.add(j));
        forbidden.add(x.key);
      }
      // Names: only those no suspect of this package also goes by (two people may share a first name).
      const ownText = own(p).flatMap((x) => [...x.names, x.key]);
      for (const x of others)
        for (const n of x.names) if (!ownText.some((t) => t.includes(n))) forbidden.add(n);
      const ownerCountry = (phone: string) =>
        [...people.values()].find((x) => x.phone === phone)?.country ?? 'unresolved';
      for (const d of devices) if (ownerCountry(d.owner) !== p.country) forbidden.add(d.label);
      expect(forbidden.size).toBeGreaterThan(20);

      const leaks: string[] = [];
      for (const [file, bytes] of p.files)
        for (const s of forbidden)
          if (bytes.includes(s) || bytes.includes(htmlEscaped(s))) leaks.push(`${p.country}/${file}: ${s}`);
      expect(leaks.slice(0, 20), `${leaks.length} leak(s)`).toEqual([]);
    }
  });

  it('no file names a person of its own country who is not one of its suspects', () => {
    for (const p of packages) {
      const bystanders = [...people.values()].filter((x) => x.country === p.country && !x.suspect);
      const leaks: string[] = [];
      for (const [file, bytes] of p.files)
        for (const x of bystanders)
          for (const s of [...(x.phone ? [x.phone, digits(x.phone)] : []), ...x.jids, x.key])
            if (bytes.includes(s)) leaks.push(`${p.country}/${file}: ${s}`);
      expect(leaks.slice(0, 20), `${leaks.length} leak(s)`).toEqual([]);
    }
  });

  it('names every one of its own suspects by number in suspects.csv and evidence.json', () => {
    let checked = 0;
    for (const p of packages) {
      const suspects = own(p);
      expect(suspects.length, p.country).toBeGreaterThan(0);
      expect(p.evidence.accounts.map((a) => a.id).sort((a, b) => a - b)).toEqual(
        suspects.map((x) => x.id).sort((a, b) => a - b),
      );
      for (const x of suspects.filter((s) => s.phone)) {
        expect(p.files.get('suspects.csv')!.includes(x.phone!), `${p.country} ${x.phone}`).toBe(true);
        expect(p.files.get('evidence.json')!.includes(x.phone!), `${p.country} ${x.phone}`).toBe(true);
        expect(p.files.get('summary.html')!.includes(x.phone!), `${p.country} ${x.phone}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('refers to every other person as one stable member number with their country', () => {
    let others = 0;
    for (const p of packages) {
      const ownIds = new Set(own(p).map((x) => x.id));
      // store account id → the reference the package uses for it, and back.
      const refOf = new Map<number, string>();
      const idOf = new Map<string, number>();
      const check = (id: number | null | undefined, ref: unknown, where: string) => {
        if (id === null || id === undefined) return expect(ref, where).toBeNull();
        if (ownIds.has(id)) return expect(ref, where).toEqual({ account: id });
        const r = ref as { ref: string; country: string };
        expect(Object.keys(r).sort(), where).toEqual(['country', 'ref']);
        expect(r.ref, where).toMatch(/^member [1-9]\d*$/);
        expect(r.country, where).toBe(people.get(id)!.country);
        expect(refOf.get(id) ?? r.ref, `${where}: one person, one number`).toBe(r.ref);
        expect(idOf.get(r.ref) ?? id, `${where}: one number, one person`).toBe(id);
        refOf.set(id, r.ref);
        idOf.set(r.ref, id);
        others++;
      };
      for (const e of p.evidence.events) {
        const s = eventsById.get(e.id)!;
        check(s.actorId, e.actor, `${p.country} event ${e.id} actor`);
        expect(e.targets.length).toBe(s.targets.length);
        s.targets.forEach((t, i) => check(t, e.targets[i], `${p.country} event ${e.id} target`));
      }
      for (const g of p.evidence.groups) check(creatorOf.get(g.id), g.creator, `${p.country} group ${g.id}`);
      // A member number is not the person's account id.
      const same = [...refOf].filter(([id, ref]) => ref === `member ${id}`).length;
      expect(same, p.country).toBeLessThan(Math.max(2, refOf.size / 4));
      // Every reference anywhere in the file is a member or a device number with a country.
      for (const r of refsIn(p.evidence)) {
        expect(r.ref).toMatch(/^(member|device) [1-9]\d*$/);
        expect(r.country).toMatch(/^([A-Z]{2}|unresolved)$/);
      }
    }
    expect(others).toBeGreaterThan(50);
  });

  it('every package still verifies against its manifest', async () => {
    const v = await verifyManifests(out);
    expect(v.ok, JSON.stringify(v.checks.filter((c) => !c.ok))).toBe(true);
    expect(v.checks.map((c) => c.dir)).toEqual(packages.map((p) => p.country));
  });
});
