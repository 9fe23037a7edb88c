/**
 * Older states of one msgstore.db (src/store/database-states.ts): the synth writes the current database
 * and dated copies with a ground truth of what each holds (src/synth/devices/msgstore-states.ts); every
 * expectation below comes from that truth or from reading the SQLite files directly.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDiscovery, discover } from '../src/evidence/discovery/index.js';
import { ingestDiscovered } from '../src/evidence/discovery/ingest.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { buildCaseView } from '../src/report/case-view.js';
import { renderHtmlReport } from '../src/report/html-report.js';
import type { CaseStore } from '../src/store/case-store.js';
import { initCase } from '../src/store/case-dir.js';
import { ReviewStore } from '../src/store/review-store.js';
import { writeAndroidMsgstore } from '../src/synth/devices/android-msgstore-writer.js';
import {
  encryptedBackupKeyBytes,
  generateKeys,
  writeCryptBackup,
} from '../src/synth/devices/crypt-writer.js';
import { writeMsgstoreStates, type StatesTruth } from '../src/synth/devices/msgstore-states.js';
import { buildOperation, type Device, type Operation } from '../src/synth/operation.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

const tmp = tempDir('filet-states-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const benign = (id: number) => Buffer.from(`synthetic benign media item ${id}`);
let op: Operation;
let device: Device;
let phone: string;
let truth: StatesTruth;

function synthOp(seed: number): Operation {
  const o = buildOperation({ seed, scale: 'small' });
  for (const m of o.media) {
    const b = benign(m.id);
    Object.assign(m, {
      sha256: createHash('sha256').update(b).digest('hex'),
      md5: createHash('md5').update(b).digest('hex'),
      sha1: createHash('sha1').update(b).digest('hex'),
      size: b.length,
    });
  }
  return o;
}

const prefs = (owner: string) =>
  `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n` +
  `<string name="registration_jid">${owner.slice(1)}@s.whatsapp.net</string>\n</map>\n`;

beforeAll(async () => {
  op = synthOp(11);
  device = op.devices.find((d) => d.platform === 'android' && d.database === 'new')!;
  phone = join(tmp, 'phone-A', 'com.whatsapp');
  truth = await writeMsgstoreStates(op, device, phone, {
    schema: 'new',
    mediaBytes: benign,
    presentFraction: 0.5,
    older: 2,
  });
  mkdirSync(join(phone, 'shared_prefs'), { recursive: true });
  writeFileSync(join(phone, 'shared_prefs', 'com.whatsapp_preferences_light.xml'), prefs(device.owner));
}, 120_000);

describe('the synthetic states themselves (ground truth sanity)', () => {
  it('older states lack later messages and hold messages the current database lost', () => {
    expect(truth.states.map((s) => s.fileName)).toEqual([
      expect.stringMatching(/^msgstore-\d{4}-\d{2}-\d{2}\.1\.db$/),
      expect.stringMatching(/^msgstore-\d{4}-\d{2}-\d{2}\.1\.db$/),
      'msgstore.db',
    ]);
    expect(truth.deletedLaterMessages.size).toBeGreaterThan(5);
    expect(truth.onlyInCurrent.size).toBeGreaterThan(5);
    expect(truth.deletedLaterMembers.size).toBeGreaterThan(0);
    expect(truth.deletedLaterEvents.length).toBeGreaterThan(0);
    // Read back from the files, independently of filet's readers.
    for (const s of truth.states) {
      const db = new Database(s.path, { readonly: true });
      const ids = db.prepare('SELECT key_id AS k FROM message WHERE message_type != 7').all() as {
        k: string;
      }[];
      db.close();
      expect(new Set(ids.map((r) => r.k))).toEqual(s.messages);
    }
  });
});

/** Every fact of the case keyed independently of evidence ids, with its mark as the newest state's file. */
async function snapshot(s: CaseStore) {
  const evidence = new Map((await s.listEvidence()).map((e) => [e.id, basename(e.path)]));
  const messages = (
    await s.db.all<{ wa_key_id: string; deleted_later: number | null }>(
      'SELECT wa_key_id, deleted_later FROM messages WHERE case_id = ? ORDER BY wa_key_id',
      [s.caseId],
    )
  ).map((r) => `${r.wa_key_id}:${r.deleted_later === null ? '-' : evidence.get(Number(r.deleted_later))}`);
  const members = (
    await s.db.all<{ jid: string; phone: string; deleted_later: number | null }>(
      `SELECT c.jid, a.phone, m.deleted_later FROM memberships m
         JOIN chats c ON c.case_id = m.case_id AND c.id = m.chat_id
         JOIN accounts a ON a.case_id = m.case_id AND a.id = m.account_id
        WHERE m.case_id = ? ORDER BY c.jid, a.phone`,
      [s.caseId],
    )
  ).map(
    (r) => `${r.jid}|${r.phone}:${r.deleted_later === null ? '-' : evidence.get(Number(r.deleted_later))}`,
  );
  const events = (
    await s.db.all<{ jid: string; type: string; at: number; deleted_later: number | null }>(
      `SELECT c.jid, e.type, e.at, e.deleted_later FROM events e JOIN chats c ON c.case_id = e.case_id AND c.id = e.chat_id
        WHERE e.case_id = ? ORDER BY c.jid, e.at, e.type`,
      [s.caseId],
    )
  ).map(
    (r) =>
      `${r.jid}|${r.type}|${r.at}:${r.deleted_later === null ? '-' : evidence.get(Number(r.deleted_later))}`,
  );
  return { messages, members, events, counts: await s.counts() };
}

const marked = (rows: string[]) =>
  new Set(rows.filter((r) => !r.endsWith(':-')).map((r) => r.slice(0, r.lastIndexOf(':'))));

describe.each(STORE_TARGETS)('older states on $name', (target) => {
  const store = target.name === 'postgres' ? target.store : undefined;
  const paths = () => truth.states.map((s) => s.path);

  it('newest first or oldest first: one message per key id, deleted-later marks as the ground truth says', async () => {
    const snaps = [];
    for (const order of [paths().reverse(), paths()]) {
      const c = await initCase(join(tempDir(), 'case'), { store });
      try {
        // One command per file, as an examiner adding older copies later would.
        for (const p of order) await ingestPaths(c.store, [p], { device: 'phone-A', owner: device.owner });
        snaps.push(await snapshot(c.store));
      } finally {
        await c.store.close();
      }
    }
    const [newestFirst, oldestFirst] = snaps;
    expect(oldestFirst).toEqual(newestFirst);
    const all = new Set(truth.states.flatMap((s) => [...s.messages]));
    expect(newestFirst!.messages.length).toBe(all.size);
    expect(new Set(newestFirst!.messages.map((m) => m.slice(0, m.indexOf(':'))))).toEqual(all);
    expect(marked(newestFirst!.messages)).toEqual(truth.deletedLaterMessages);
    // The mark names the newest state, the current database.
    for (const m of newestFirst!.messages.filter((r) => !r.endsWith(':-')))
      expect(m.endsWith(':msgstore.db')).toBe(true);
    expect(marked(newestFirst!.members)).toEqual(truth.deletedLaterMembers);
    expect(marked(newestFirst!.events)).toEqual(
      new Set(truth.deletedLaterEvents.map((e) => `${e.group}|${e.type}|${e.at}`)),
    );
  }, 180_000);

  it('a message held by several states has one provenance row per state, at its row in each file', async () => {
    const c = await initCase(join(tempDir(), 'case'), { store });
    try {
      for (const p of paths()) await ingestPaths(c.store, [p], { device: 'phone-A', owner: device.owner });
      const [inAll] = [...truth.states[0]!.messages].filter((k) =>
        truth.states.every((s) => s.messages.has(k)),
      );
      expect(inAll).toBeDefined();
      const row = await c.store.db.get<{ id: number }>(
        'SELECT id FROM messages WHERE case_id = ? AND wa_key_id = ?',
        [c.store.caseId, inAll!],
      );
      const prov = await c.store.provenance('message', [Number(row!.id)]);
      const evidence = new Map((await c.store.listEvidence()).map((e) => [e.id, e.path]));
      const expected = truth.states.map((s) => {
        const db = new Database(s.path, { readonly: true });
        const r = db.prepare('SELECT _id FROM message WHERE key_id = ?').get(inAll) as { _id: number };
        db.close();
        return `${s.path}#message:${r._id}`;
      });
      expect(prov.map((p) => `${evidence.get(p.evidenceId)}#${p.table}:${p.rowId}`).sort()).toEqual(
        expected.sort(),
      );
      // The lineage: three states of one database, the current one newest.
      const [lineage, ...others] = await c.store.databaseLineages();
      expect(others).toEqual([]);
      expect(lineage!.states.map((s) => s.stateDate)).toEqual(truth.states.map((s) => s.date));
      expect(lineage!.deletedLater.messages).toBe(truth.deletedLaterMessages.size);
    } finally {
      await c.store.close();
    }
  }, 180_000);

  it('filet ingest of the folder: the dated copies are claimed as states of the one instance', async () => {
    const c = await initCase(join(tempDir(), 'case'), { store });
    const d = await discover([join(tmp, 'phone-A')]);
    try {
      expect(d.devices).toHaveLength(1);
      expect(d.devices[0]!.instances).toHaveLength(1);
      const inst = d.devices[0]!.instances[0]!;
      expect(inst.owner?.number).toBe(device.owner);
      expect(inst.artifacts.map((a) => basename(a.path)).sort()).toEqual(
        truth.states.map((s) => s.fileName).sort(),
      );
      expect(inst.notes).toEqual([]);
      expect(d.ignored.filter((i) => /msgstore/.test(i.path))).toEqual([]);
      const out = await ingestDiscovered(c.store, d, { workDir: c.dir });
      expect(out.map((o) => o.status)).toEqual(['ingested', 'ingested', 'ingested']);
      const snap = await snapshot(c.store);
      expect(marked(snap.messages)).toEqual(truth.deletedLaterMessages);
      expect(marked(snap.members)).toEqual(truth.deletedLaterMembers);
      // Where an analyst sees messages: the API's message pages and the report.
      const v = await buildCaseView(c.store);
      const page = await new ReviewStore(c.store).messagePage({}, 0, 100_000);
      expect(new Set(page.items.filter((m) => m.deletedLater !== null).map((m) => m.waKeyId))).toEqual(
        truth.deletedLaterMessages,
      );
      const html = renderHtmlReport(v);
      expect(html).toContain('Deleted later');
      expect(html).toContain(`${truth.deletedLaterMessages.size} messages`);
    } finally {
      await closeDiscovery(d);
      await c.store.close();
    }
  }, 180_000);

  it('dated encrypted backups in shared storage, with the key in the app folder: read as older states', async () => {
    // The phone as an extraction holds it: the current database in the app's private folder, the dated
    // daily backups as crypt15 in shared storage, the key in files/ (SYNTHETIC keys).
    const root = join(tempDir(), `phone-E-${target.name}`);
    const app = join(root, 'data', 'data', 'com.whatsapp');
    const backups = join(
      root,
      'data',
      'media',
      '0',
      'Android',
      'media',
      'com.whatsapp',
      'WhatsApp',
      'Databases',
    );
    for (const d of [join(app, 'databases'), join(app, 'shared_prefs'), join(app, 'files'), backups])
      mkdirSync(d, { recursive: true });
    const current = truth.states.find((x) => x.date === null)!;
    writeFileSync(join(app, 'databases', 'msgstore.db'), readFileSync(current.path));
    writeFileSync(join(app, 'shared_prefs', 'com.whatsapp_preferences_light.xml'), prefs(device.owner));
    const keys = generateKeys();
    writeFileSync(join(app, 'files', 'encrypted_backup.key'), encryptedBackupKeyBytes(keys));
    for (const st of truth.states.filter((x) => x.date !== null))
      await writeCryptBackup(st.path, join(backups, `${st.fileName}.crypt15`), 'crypt15', keys);
    const c = await initCase(join(tempDir(), 'case'), { store });
    const d = await discover([root]);
    try {
      const inst = d.devices[0]!.instances[0]!;
      expect(inst.artifacts.map((a) => [a.kind, basename(a.path)]).sort()).toEqual(
        [
          ['android-msgstore', 'msgstore.db'],
          ...truth.states
            .filter((x) => x.date !== null)
            .map((x) => ['android-msgstore-crypt', `${x.fileName}.crypt15`]),
        ].sort(),
      );
      expect(inst.alsoFound).toEqual([]);
      const out = await ingestDiscovered(c.store, d, { workDir: c.dir });
      expect(out.map((o) => o.status)).toEqual(['ingested', 'ingested', 'ingested']);
      const snap = await snapshot(c.store);
      expect(marked(snap.messages)).toEqual(truth.deletedLaterMessages);
      expect(marked(snap.members)).toEqual(truth.deletedLaterMembers);
      // Every message of every state once: the union of the ground truth's key ids.
      const all = new Set(truth.states.flatMap((x) => [...x.messages]));
      expect(snap.messages.length).toBe(all.size);
      const dates = (await c.store.listEvidence())
        .map(
          (e) => (e.notes.encryptedBackup as { olderBackupOf?: string } | undefined)?.olderBackupOf ?? null,
        )
        .sort();
      expect(dates).toEqual(truth.states.map((x) => x.date).sort());
    } finally {
      await closeDiscovery(d);
      await c.store.close();
    }
  }, 180_000);

  it('an unrelated database dropped among the dated copies is not merged', async () => {
    const other = synthOp(23);
    const od = other.devices.find((x) => x.platform === 'android' && x.database === 'new')!;
    // The stranger: another operation's phone, saved under a dated name in the same Databases folder (so it
    // gets the same owner from the folder's shared_prefs).
    const strangerDir = join(tmp, `stranger-${target.name}`);
    const st = await writeAndroidMsgstore(other, od, strangerDir, {
      schema: 'new',
      mediaBytes: benign,
      presentFraction: 0,
    });
    const dbs = join(phone, 'databases');
    const strangerName = 'msgstore-2017-01-01.1.db';
    writeFileSync(join(dbs, strangerName), readFileSync(st.path));
    const c = await initCase(join(tempDir(), 'case'), { store });
    const d = await discover([join(tmp, 'phone-A')]);
    try {
      expect(d.devices[0]!.instances[0]!.artifacts).toHaveLength(4);
      await ingestDiscovered(c.store, d, { workDir: c.dir });
      const lineages = await c.store.databaseLineages();
      expect(lineages).toHaveLength(2);
      const evidence = new Map((await c.store.listEvidence()).map((e) => [e.id, basename(e.path)]));
      const ours = lineages.find((l) => l.states.length === 3)!;
      const theirs = lineages.find((l) => l.states.length === 1)!;
      expect(ours.states.map((s) => evidence.get(s.evidenceId))).toEqual(truth.states.map((s) => s.fileName));
      expect(evidence.get(theirs.states[0]!.evidenceId)).toBe(strangerName);
      // Whichever came first, the other side was told apart for want of a common chat.
      const decisions = (await c.store.listEvidence()).map(
        (e) => (e.notes.databaseState as { decision: string }).decision,
      );
      expect(decisions.filter((x) => /no chat in common/.test(x))).toHaveLength(1);
      // The stranger's messages are its own: none marked, and our marks are exactly the truth's.
      const snap = await snapshot(c.store);
      expect(marked(snap.messages)).toEqual(truth.deletedLaterMessages);
      const strangerIds = new Set(other.messages.map((m) => m.id));
      expect(snap.messages.filter((m) => strangerIds.has(m.slice(0, m.indexOf(':')))).length).toBeGreaterThan(
        0,
      );
    } finally {
      rmSync(join(dbs, strangerName), { force: true });
      await closeDiscovery(d);
      await c.store.close();
    }
    expect(readdirSync(dbs).sort()).toEqual(truth.states.map((s) => s.fileName).sort());
  }, 180_000);
});
