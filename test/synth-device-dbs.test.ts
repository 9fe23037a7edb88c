import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { androidMsgstoreReader } from '../src/evidence/android-msgstore/index.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { iosChatStorageReader } from '../src/evidence/ios-chatstorage/index.js';
import { digestBuffer } from '../src/hashing/digests.js';
import type { EvidenceReader, ParsedRecord, ReaderNotes } from '../src/model/types.js';
import { initCase } from '../src/store/case-dir.js';
import { writeAndroidMsgstore } from '../src/synth/devices/android-msgstore-writer.js';
import { writeIosChatStorage } from '../src/synth/devices/ios-chatstorage-writer.js';
import { deviceView, type DeviceDbSummary } from '../src/synth/devices/view.js';
import { buildOperation, type Device, type Operation } from '../src/synth/operation.js';

const tmp = mkdtempSync(join(tmpdir(), 'filet-synth-db-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Small benign stand-ins for the rendered pictures keep the test fast; hashes are filled as renderMedia would.
const bytes = (id: number) => Buffer.from(`synthetic benign media item ${id}`);

interface Written {
  device: Device;
  summary: DeviceDbSummary;
  reader: EvidenceReader;
}

let op: Operation;
const written: Written[] = [];

async function read(w: Written) {
  const notes: ReaderNotes = {};
  const recs: ParsedRecord[] = [];
  for await (const r of w.reader.read(
    w.summary.path,
    { deviceLabel: w.device.label, tz: w.device.tz, owner: w.device.owner },
    notes,
  ))
    recs.push(r);
  return { recs, notes };
}

beforeAll(async () => {
  op = buildOperation({ seed: 11, scale: 'small' });
  for (const m of op.media) Object.assign(m, digestBuffer(bytes(m.id)));
  // Phones that share groups, so some messages are seen by two phones.
  const overlap = (a: Device, b: Device) => a.groups.filter((g) => b.groups.includes(g)).length;
  const androids = op.devices.filter((d) => d.platform === 'android');
  const score = (d: Device) => androids.reduce((n, a) => n + overlap(a, d), 0);
  const ios = op.devices
    .filter((d) => d.platform === 'ios')
    .sort((a, b) => score(b) - score(a) || a.label.localeCompare(b.label));
  const shared = (d: Device) => overlap(d, ios[0]);
  const android = op.devices
    .filter((d) => d.platform === 'android')
    .sort((a, b) => shared(b) - shared(a) || a.label.localeCompare(b.label));
  const schemas = ['new', 'legacy', 'both'] as const;
  for (const [i, d] of android.slice(0, 3).entries()) {
    const summary = await writeAndroidMsgstore(op, d, join(tmp, d.label), {
      schema: schemas[i],
      mediaBytes: bytes,
      presentFraction: 0.5,
    });
    written.push({ device: d, summary, reader: androidMsgstoreReader });
  }
  const summary = await writeIosChatStorage(op, ios[0], join(tmp, ios[0].label), {
    mediaBytes: bytes,
    presentFraction: 0.5,
  });
  written.push({ device: ios[0], summary, reader: iosChatStorageReader });
}, 120_000);

describe('synthetic device databases read back to the operation', () => {
  it('every schema yields the operation messages the owner saw: key ids, senders, groups, flags, media', async () => {
    expect(written.map((w) => w.summary.schema)).toEqual(['new', 'legacy', 'both', 'ios']);
    for (const w of written) {
      expect(await w.reader.detect(w.summary.path)).toBeGreaterThan(0.9);
      const { recs, notes } = await read(w);
      const view = deviceView(op, w.device);
      const expected = view.groups.flatMap((g) => g.messages);
      const got = recs.filter((r) => r.type === 'message');
      expect(got.length, w.summary.schema).toBe(expected.length);
      expect(got.length).toBeGreaterThan(0);
      const byId = new Map(got.map((m) => [m.waKeyId, m]));
      for (const m of expected) {
        const r = byId.get(m.id)!;
        expect(r, `${w.summary.schema} ${m.id}`).toBeDefined();
        expect(r.senderKey).toBe(`phone:${m.sender}`);
        expect(r.chatKey).toBe(`jid:${m.group}`);
        expect(r.key).toBe(`id:jid:${m.group}:${m.id}`);
        expect(r.at).toBe(m.at);
        expect(r.forwarded).toBe(m.forwarded);
        expect(r.kind).toBe(m.kind);
        if (m.mediaId !== null) {
          expect(r.mediaSha256).toBe(op.media[m.mediaId - 1].sha256);
          expect(['present', 'hash-only']).toContain(r.mediaStatus);
        } else expect(r.text).toBe(m.text);
      }
      const groups = recs.filter((r) => r.type === 'group').map((g) => g.key);
      expect(new Set(groups)).toEqual(new Set(view.groups.map((g) => `jid:${g.group.jid}`)));
      expect(recs.filter((r) => r.type === 'event')).toHaveLength(w.summary.events);
      expect(notes.mediaMismatches).toEqual([]);
      if (w.summary.schema === 'both') {
        // The transitional database repeats some rows in both schemas; each is read once.
        const counts = notes.counts as { legacyRowsAlsoInNewSchema: number; legacyRowsRead: number };
        expect(counts.legacyRowsAlsoInNewSchema).toBeGreaterThan(0);
        expect(counts.legacyRowsRead).toBeGreaterThan(0);
      }
      const present = recs.filter((r) => r.type === 'media' && r.present);
      expect(new Set(present.map((p) => (p.type === 'media' ? p.sha256 : ''))).size).toBe(
        w.summary.mediaPresent,
      );
    }
  });

  it('the LID and device-JID senders of the new schema resolve to their numbers', async () => {
    const { notes } = await read(written[0]);
    const lid = notes.lid as { mapped: number; unmapped: number; deviceJidsFolded: number };
    expect(lid.mapped).toBeGreaterThan(0);
    expect(lid.unmapped).toBe(0);
    expect(lid.deviceJidsFolded).toBeGreaterThan(0);
  });

  it('ingested into one case, a message seen by two phones is one message with two provenance rows', async () => {
    const ids = written.map(
      (w) => new Set(deviceView(op, w.device).groups.flatMap((g) => g.messages.map((m) => m.id))),
    );
    const union = new Set(ids.flatMap((s) => [...s]));
    const shared = [...union].filter((id) => ids.filter((s) => s.has(id)).length > 1);
    expect(shared.length).toBeGreaterThan(0);
    const { dir, store } = await initCase(join(tmp, 'case'), { store: 'sqlite' });
    for (const w of written)
      await ingestPaths(store, [w.summary.path], {
        device: w.device.label,
        owner: w.device.owner,
        tz: 'UTC',
      });
    await store.close();
    const db = new Database(join(dir, 'case.sqlite'), { readonly: true });
    const n = db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number };
    expect(n.n).toBe(union.size);
    const prov = db
      .prepare(
        `SELECT COUNT(*) AS n FROM provenance p JOIN messages m ON m.id = p.fact_id AND m.case_id = p.case_id
         WHERE p.fact_type = 'message' AND m.wa_key_id = ?`,
      )
      .get(shared[0]) as { n: number };
    expect(prov.n).toBe(ids.filter((s) => s.has(shared[0])).length);
    db.close();
  });
});
