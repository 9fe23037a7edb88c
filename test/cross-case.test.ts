import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importListAudited, ingestAudited } from '../src/app/case-actions.js';
import {
  crossCaseFollowUp,
  indexCase,
  indexEvidenceItem,
  linksFor,
  type CrossCaseSubject,
} from '../src/app/cross-case.js';
import { addUser } from '../src/app/users.js';
import { hammingHex } from '../src/hashing/pdq-bits.js';
import type { CaseStore } from '../src/store/case-store.js';
import type { InstalledCase } from '../src/store/installation-store.js';
import { INSTALLATION_ROLES } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { renderImage, transformImage } from '../src/synth/images.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

/**
 * Issue 12, item 4: cross-case links and their privacy rule, on a workspace of four cases whose generated
 * (SYNTHETIC, benign) evidence shares, by construction:
 * - phone +49 170 0000101: in Alder, Birch, Cedar and Dogwood;
 * - picture SHARED (the same bytes): in Alder and Birch;
 * - picture NEAR: its original in Alder, a re-encoded copy in Birch (different bytes, PDQ within 31);
 * - picture LATER and phone +49 170 0000202: in Alder only, until a second item of Cedar brings both;
 * - phone +49 170 0000303 and picture BIRCH_ONLY: in Birch only.
 * Leads: Alder lena, Birch omar, Cedar nina, Dogwood omar. lena is also an analyst on Birch; kim is a
 * viewer on Alder and nothing else.
 */
const PASSWORD = 'correct horse battery staple 7';
const SHARED_PHONE = '+491700000101';
const ALDER_PHONE = '+491700000202';
const BIRCH_PHONE = '+491700000303';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const stamp = (i: number) => `3/14/23, 9:${String(i).padStart(2, '0')}\u202FPM`;
/** `+491700000101` as an export shows an unsaved number. */
const shown = (e164: string) => `+${e164.slice(1, 3)} ${e164.slice(3, 6)} ${e164.slice(6)}`;

interface Pictures {
  shared: Buffer;
  near: Buffer;
  nearCopy: Buffer;
  later: Buffer;
  birchOnly: Buffer;
}

async function pictures(): Promise<Pictures> {
  const spec = (seed: number) => ({ seed, width: 640, height: 480, style: 'noise' as const });
  const near = await renderImage(spec(2202));
  return {
    shared: await renderImage(spec(1101)),
    near,
    nearCopy: await transformImage(near, { kind: 'reencode', seed: 5 }),
    later: await renderImage(spec(3303)),
    birchOnly: await renderImage(spec(4404)),
  };
}

/** An Android chat export (en-US) with its pictures beside it; returns the .txt path. */
function writeExport(
  dir: string,
  subject: string,
  lines: { from: string; text?: string; picture?: [string, Buffer] }[],
): string {
  mkdirSync(dir, { recursive: true });
  const body = lines.map((l, i) => {
    if (l.picture) writeFileSync(join(dir, l.picture[0]), l.picture[1]);
    return `${stamp(i)} - ${shown(l.from)}: ${l.picture ? `${l.picture[0]} (file attached)` : l.text}`;
  });
  const path = join(dir, `WhatsApp Chat with ${subject}.txt`);
  writeFileSync(path, body.join('\n') + '\n');
  return path;
}

/** A list with one entry matching nothing here: with it, media compared with it and unmatched are novel. */
function writeList(dir: string): string {
  const path = join(dir, 'synthetic-list.csv');
  writeFileSync(path, `md5,category\n${'0'.repeat(31)}1,1\n`);
  return path;
}

describe.each(STORE_TARGETS)('cross-case links on $name', (target) => {
  let root: string;
  let dir: string;
  let ws: Workspace;
  let pics: Pictures;
  const cases: Record<'alder' | 'birch' | 'cedar' | 'dogwood', InstalledCase> = {} as never;
  let alder: CaseStore;
  let birch: CaseStore;

  async function storeOf(c: InstalledCase): Promise<CaseStore> {
    return (await ws.openCase(c.id))!.store;
  }

  async function ingest(c: InstalledCase, path: string, opts: { followUp: boolean; list?: boolean }) {
    const opened = (await ws.openCase(c.id))!;
    const followUp = opts.followUp ? crossCaseFollowUp(ws.installation, opened.store) : undefined;
    if (opts.list)
      await importListAudited(
        opened.store,
        opened.dir,
        writeList(root),
        { name: 'synthetic' },
        { file: 'synthetic-list.csv' },
        { followUp },
      );
    const r = await ingestAudited(
      opened.store,
      opened.dir,
      [path],
      { device: `phone-${c.name.split(' ')[1]}`, tz: 'UTC', locale: 'en-US' },
      { paths: [path] },
      { followUp },
    );
    const o = r.outcomes[0]!;
    if (o.status !== 'ingested') throw new Error(`not ingested: ${path}`);
    return o.evidence.id;
  }

  async function accountWithPhone(store: CaseStore, phone: string): Promise<number> {
    const a = (await store.accounts()).find((x) => x.phone === phone);
    if (!a) throw new Error(`no account ${phone} in ${store.caseId}`);
    return a.id;
  }

  async function mediaWithBytes(store: CaseStore, bytes: Buffer) {
    const m = (await store.media()).find((x) => x.sha256 === sha256(bytes));
    if (!m) throw new Error(`no such media in ${store.caseId}`);
    return m;
  }

  const links = (c: InstalledCase, viewer: string, subject: CrossCaseSubject) =>
    linksFor(ws, c.id, viewer, subject);

  /** Every index row of these cases, as stored. */
  async function rowsOf(...ids: string[]) {
    const marks = ids.map(() => '?').join(', ');
    return {
      keys: await ws.installation.scope.db.all(
        `SELECT * FROM crosscase_keys WHERE case_id = ? AND member_case IN (${marks})
          ORDER BY member_case, kind, ref, value`,
        [ws.installation.id, ...ids],
      ),
      items: await ws.installation.scope.db.all(
        `SELECT * FROM crosscase_items WHERE case_id = ? AND member_case IN (${marks})
          ORDER BY member_case, evidence_id`,
        [ws.installation.id, ...ids],
      ),
    };
  }

  beforeAll(async () => {
    root = tempDir('filet-xcase-');
    dir = join(root, 'ws');
    pics = await pictures();
    ws = await Workspace.init(dir, { store: target.store });
    for (const [name, role] of [
      ['ada', 'admin'],
      ['lena', 'member'],
      ['omar', 'member'],
      ['nina', 'member'],
      ['kim', 'member'],
    ] as const)
      await addUser(ws.installation.scope, name, role, PASSWORD, INSTALLATION_ROLES);
    cases.alder = await ws.createCase('Operation Alder', 'lena', 'ada');
    cases.birch = await ws.createCase('Operation Birch', 'omar', 'ada');
    cases.cedar = await ws.createCase('Operation Cedar', 'nina', 'ada');
    cases.dogwood = await ws.createCase('Operation Dogwood', 'omar', 'ada');
    for (const [c, user, role] of [
      [cases.birch, 'lena', 'analyst'],
      [cases.alder, 'kim', 'viewer'],
    ] as const)
      await ws.installation.setMember({ caseId: c.id, userName: user, role, addedAt: 1, addedBy: 'ada' });

    const ev = (name: string) => join(root, 'evidence', name);
    await ingest(
      cases.alder,
      writeExport(ev('alder'), 'Alder Club', [
        { from: SHARED_PHONE, text: 'hello' },
        { from: ALDER_PHONE, text: 'SYNTHETIC message' },
        { from: SHARED_PHONE, picture: ['IMG-20230314-WA0001.jpg', pics.shared] },
        { from: ALDER_PHONE, picture: ['IMG-20230314-WA0002.jpg', pics.near] },
        { from: ALDER_PHONE, picture: ['IMG-20230314-WA0003.jpg', pics.later] },
      ]),
      { followUp: true, list: true },
    );
    await ingest(
      cases.birch,
      writeExport(ev('birch'), 'Birch Club', [
        { from: BIRCH_PHONE, text: 'hi' },
        { from: SHARED_PHONE, picture: ['IMG-20230314-WA0007.jpg', pics.shared] },
        { from: BIRCH_PHONE, picture: ['IMG-20230314-WA0008.jpg', pics.nearCopy] },
        { from: BIRCH_PHONE, picture: ['IMG-20230314-WA0009.jpg', pics.birchOnly] },
      ]),
      { followUp: true, list: true },
    );
    // Cedar is ingested as a case of its own would be, before anything indexes it.
    await ingest(
      cases.cedar,
      writeExport(ev('cedar'), 'Cedar Club', [{ from: SHARED_PHONE, text: 'SYNTHETIC hello' }]),
      { followUp: false, list: true },
    );
    await ingest(
      cases.dogwood,
      writeExport(ev('dogwood'), 'Dogwood Club', [{ from: SHARED_PHONE, text: 'SYNTHETIC hey' }]),
      { followUp: true },
    );
    alder = await storeOf(cases.alder);
    birch = await storeOf(cases.birch);
  }, 300_000);
  afterAll(async () => ws?.close());

  it('builds the fixture it says: novel pictures, one near pair within the PDQ threshold, the rest far apart', async () => {
    const a = await alder.media();
    const b = await birch.media();
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
    for (const m of [...a, ...b]) {
      expect(m.pdq, m.sha256).not.toBeNull();
      expect(m.pdqQuality!).toBeGreaterThanOrEqual(50);
    }
    const near = await mediaWithBytes(alder, pics.near);
    const copy = await mediaWithBytes(birch, pics.nearCopy);
    expect(near.sha256).not.toBe(copy.sha256);
    expect(hammingHex(near.pdq!, copy.pdq!)).toBeLessThanOrEqual(31);
    // Every other pair of different pictures is far from each other: a link between them would be wrong.
    const all = [...a, ...b];
    for (const x of all)
      for (const y of all) {
        const pair = new Set([x.sha256, y.sha256]);
        if (x.sha256 === y.sha256 || (pair.has(near.sha256) && pair.has(copy.sha256))) continue;
        expect(hammingHex(x.pdq!, y.pdq!)).toBeGreaterThan(31);
      }
  });

  it('links a member of the other case to the account there; a non-member hears only who leads it', async () => {
    const account = await accountWithPhone(alder, SHARED_PHONE);
    const inBirch = await accountWithPhone(birch, SHARED_PHONE);
    const lena = await links(cases.alder, 'lena', { account });
    expect(lena.links).toEqual([
      {
        caseId: cases.birch.id,
        caseName: 'Operation Birch',
        account: inBirch,
        via: expect.arrayContaining([{ kind: 'phone' }, { kind: 'jid' }]),
      },
    ]);
    expect(lena.links[0]!.via).toHaveLength(2);
    // Dogwood (omar's): lena is not a member. Cedar is not indexed yet.
    expect(lena.notices).toEqual([{ leads: ['omar'] }]);

    const kim = await links(cases.alder, 'kim', { account });
    expect(kim.links).toEqual([]);
    // Birch and Dogwood are both led by omar: one notice, so not even how many cases is told.
    expect(kim.notices).toEqual([{ leads: ['omar'] }]);
    expect(Object.keys(kim.notices[0]!)).toEqual(['leads']);
    const said = JSON.stringify(kim);
    for (const c of [cases.birch, cases.cedar, cases.dogwood]) {
      expect(said).not.toContain(c.id);
      expect(said).not.toContain(c.name);
    }
    expect(said).not.toContain('Club');
  });

  it('links the same picture by SHA-256 and a re-encoded copy by PDQ, and says nothing of what is not shared', async () => {
    const shared = await mediaWithBytes(alder, pics.shared);
    const sharedThere = await mediaWithBytes(birch, pics.shared);
    expect(await links(cases.alder, 'lena', { media: shared.id })).toEqual({
      links: [
        {
          caseId: cases.birch.id,
          caseName: 'Operation Birch',
          media: sharedThere.id,
          via: expect.arrayContaining([{ kind: 'sha256' }, { kind: 'pdq', distance: 0 }]),
        },
      ],
      notices: [],
    });
    const kim = await links(cases.alder, 'kim', { media: shared.id });
    expect(kim).toEqual({ links: [], notices: [{ leads: ['omar'] }] });
    expect(JSON.stringify(kim)).not.toContain(cases.birch.id);

    const near = await mediaWithBytes(alder, pics.near);
    const copy = await mediaWithBytes(birch, pics.nearCopy);
    expect(await links(cases.alder, 'lena', { media: near.id })).toEqual({
      links: [
        {
          caseId: cases.birch.id,
          caseName: 'Operation Birch',
          media: copy.id,
          via: [{ kind: 'pdq', distance: hammingHex(near.pdq!, copy.pdq!) }],
        },
      ],
      notices: [],
    });
    // And from Birch's side, for omar (no member of Alder): only Alder's lead.
    expect(await links(cases.birch, 'omar', { media: copy.id })).toEqual({
      links: [],
      notices: [{ leads: ['lena'] }],
    });

    const none = { links: [], notices: [] };
    expect(await links(cases.alder, 'lena', { media: (await mediaWithBytes(alder, pics.later)).id })).toEqual(
      none,
    );
    expect(await links(cases.alder, 'lena', { account: await accountWithPhone(alder, ALDER_PHONE) })).toEqual(
      none,
    );
    expect(
      await links(cases.birch, 'omar', { media: (await mediaWithBytes(birch, pics.birchOnly)).id }),
    ).toEqual(none);
  });

  it('refuses a viewer who is not a member of the case asked about, and a fact the case lacks', async () => {
    const account = await accountWithPhone(alder, SHARED_PHONE);
    await expect(links(cases.alder, 'omar', { account })).rejects.toThrow(/"omar" is not a member/);
    await expect(links(cases.alder, 'nobody', { account })).rejects.toThrow(/no active user "nobody"/);
    await expect(links(cases.alder, 'lena', { account: 9999 })).rejects.toThrow(/no account 9999/);
    await expect(links(cases.alder, 'lena', { media: 9999 })).rejects.toThrow(/no media item 9999/);
  });

  it('indexes a case ingested before, once however often it is asked', async () => {
    const cedar = await storeOf(cases.cedar);
    expect((await rowsOf(cases.cedar.id)).keys).toEqual([]);
    const first = await indexCase(ws, cases.cedar.id);
    const [item] = await cedar.listEvidence();
    expect(first.items).toEqual([item!.id]);
    // Cedar's one item names one account (the shared phone, with its JID) and no media.
    expect(first.keys).toBe(2);
    const after = await rowsOf(cases.cedar.id);
    expect(after.keys.map((r) => [r.kind, r.value])).toEqual([
      ['jid', `${SHARED_PHONE.slice(1)}@s.whatsapp.net`],
      ['phone', SHARED_PHONE],
    ]);
    const again = await indexCase(ws, cases.cedar.id);
    expect(again.pdq).toEqual({ added: 0, removed: 0 });
    expect(await rowsOf(cases.cedar.id)).toEqual(after);

    const account = await accountWithPhone(alder, SHARED_PHONE);
    expect((await links(cases.alder, 'kim', { account })).notices).toEqual([
      { leads: ['nina'] },
      { leads: ['omar'] },
    ]);
    const log = await ws.installation.scope.readAudit();
    expect(
      log.filter(
        (e) => e.action === 'crosscase.index' && (e.args as { case: string }).case === cases.cedar.id,
      ),
    ).toHaveLength(2);
  });

  it('indexes a new evidence item of one case without touching the other cases', async () => {
    const before = await rowsOf(cases.alder.id, cases.birch.id, cases.dogwood.id);
    const cedarBefore = await rowsOf(cases.cedar.id);
    const id = await ingest(
      cases.cedar,
      writeExport(join(root, 'evidence', 'cedar-2'), 'Cedar Second', [
        { from: ALDER_PHONE, picture: ['IMG-20230315-WA0001.jpg', pics.later] },
      ]),
      { followUp: true },
    );
    expect(await rowsOf(cases.alder.id, cases.birch.id, cases.dogwood.id)).toEqual(before);
    const cedarAfter = await rowsOf(cases.cedar.id);
    // Cedar's earlier rows stay as they were; the new ones are the new item's (PDQ: added when matching
    // found the picture novel, evidence 0).
    expect(cedarAfter.items.map((r) => Number(r.evidence_id))).toEqual([
      ...cedarBefore.items.map((r) => Number(r.evidence_id)),
      id,
    ]);
    const added = cedarAfter.keys.filter(
      (r) => !cedarBefore.keys.some((b) => JSON.stringify(b) === JSON.stringify(r)),
    );
    expect(
      added
        .filter((r) => r.kind !== 'pdq-slot')
        .map((r) => [r.kind, r.value, Number(r.evidence_id)])
        .sort(),
    ).toEqual(
      [
        ['jid', `${ALDER_PHONE.slice(1)}@s.whatsapp.net`, id],
        ['pdq', (await mediaWithBytes(await storeOf(cases.cedar), pics.later)).pdq, 0],
        ['phone', ALDER_PHONE, id],
        ['sha256', sha256(pics.later), id],
      ].sort(),
    );
    // 16 slot rows go with a PDQ key.
    expect(added.filter((r) => r.kind === 'pdq-slot')).toHaveLength(16);

    const later = (await mediaWithBytes(alder, pics.later)).id;
    expect(await links(cases.alder, 'lena', { media: later })).toEqual({
      links: [],
      notices: [{ leads: ['nina'] }],
    });
    expect(await links(cases.alder, 'lena', { account: await accountWithPhone(alder, ALDER_PHONE) })).toEqual(
      {
        links: [],
        notices: [{ leads: ['nina'] }],
      },
    );
    // nina, once a member of Alder, gets the links into her own case.
    await ws.installation.setMember({
      caseId: cases.alder.id,
      userName: 'nina',
      role: 'viewer',
      addedAt: 2,
      addedBy: 'lena',
    });
    const cedar = await storeOf(cases.cedar);
    expect(await links(cases.alder, 'nina', { media: later })).toEqual({
      links: [
        {
          caseId: cases.cedar.id,
          caseName: 'Operation Cedar',
          media: (await mediaWithBytes(cedar, pics.later)).id,
          via: expect.arrayContaining([{ kind: 'sha256' }, { kind: 'pdq', distance: 0 }]),
        },
      ],
      notices: [],
    });
    await ws.installation.removeMember(cases.alder.id, 'nina');
  });

  it('indexes one named evidence item, and drops the PDQ keys of media no longer novel', async () => {
    const cedar = await storeOf(cases.cedar);
    const items = (await cedar.listEvidence()).map((e) => e.id);
    const one = await indexEvidenceItem(ws, cases.cedar.id, items[0]!);
    expect(one.items).toEqual([items[0]]);
    expect(one.keys).toBe(2);
    await expect(indexEvidenceItem(ws, cases.cedar.id, 999)).rejects.toThrow(/no evidence item #999/);

    // A list imported without matching leaves every media item of Cedar unmatched: not novel any more.
    const opened = (await ws.openCase(cases.cedar.id))!;
    const list = join(root, 'second-list.csv');
    writeFileSync(list, `md5,category\n${'0'.repeat(31)}2,1\n`);
    await importListAudited(
      opened.store,
      opened.dir,
      list,
      { name: 'second' },
      { file: list },
      { match: false, followUp: crossCaseFollowUp(ws.installation, opened.store) },
    );
    expect(
      (await rowsOf(cases.cedar.id)).keys.filter((r) => r.kind === 'pdq' || r.kind === 'pdq-slot'),
    ).toEqual([]);
    const later = (await mediaWithBytes(alder, pics.later)).id;
    // Still the same bytes (SHA-256), no longer a novel picture's PDQ: the notice stays, from sha256.
    expect((await links(cases.alder, 'lena', { media: later })).notices).toEqual([{ leads: ['nina'] }]);
  });

  it('from the command line: ingest into a workspace case indexes it; links and index as a user sees them', async () => {
    const st = ['--store', target.store];
    const dogwoodDir = join(dir, cases.dogwood.folder);
    const path = writeExport(join(root, 'evidence', 'dogwood-2'), 'Dogwood Second', [
      { from: BIRCH_PHONE, text: 'SYNTHETIC hi' },
    ]);
    const ing = filet(['ingest', dogwoodDir, path, '--device', 'phone-D2', '--tz', 'UTC', ...st]);
    expect(ing.stderr).toBe('');
    expect(ing.code).toBe(0);
    const account = await accountWithPhone(birch, BIRCH_PHONE);
    const dogwood = await storeOf(cases.dogwood);
    const r = filet([
      'workspace',
      'links',
      dir,
      'Operation Birch',
      '--account',
      String(account),
      '--as',
      'omar',
      '--json',
      ...st,
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      links: [
        {
          caseId: cases.dogwood.id,
          caseName: 'Operation Dogwood',
          account: await accountWithPhone(dogwood, BIRCH_PHONE),
          via: expect.arrayContaining([{ kind: 'phone' }, { kind: 'jid' }]),
        },
      ],
      notices: [],
    });
    const text = filet([
      'workspace',
      'links',
      dir,
      cases.alder.id,
      '--account',
      String(await accountWithPhone(alder, SHARED_PHONE)),
      '--as',
      'kim',
      ...st,
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('also in a case led by nina: ask them\nalso in a case led by omar: ask them\n');
    const bad = filet(['workspace', 'links', dir, 'Operation Alder', '--as', 'kim', ...st]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/one of --account ID or --media ID/);
    const idx = filet(['workspace', 'index', dir, 'Operation Dogwood', '--json', ...st]);
    expect(idx.stderr).toBe('');
    expect(JSON.parse(idx.stdout)).toMatchObject({ case: cases.dogwood.id, items: [1, 2] });
    // A question about a case the user is not a member of is refused, and recorded.
    const refused = filet([
      'workspace',
      'links',
      dir,
      'Operation Alder',
      '--media',
      '1',
      '--as',
      'omar',
      ...st,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/"omar" is not a member/);
    const log = await ws.installation.scope.readAudit();
    expect(
      log
        .filter((e) => e.action === 'crosscase.links')
        .map((e) => [(e.args as { as: string }).as, (e.result as { ok: boolean }).ok]),
    ).toEqual([
      ['omar', true],
      ['kim', true],
      ['omar', false],
    ]);
    expect((await ws.installation.scope.verifyAudit()).ok).toBe(true);
  }, 120_000);
});
