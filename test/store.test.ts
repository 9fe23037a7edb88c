import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvidenceItem, ParsedRecord } from '../src/model/types.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import type { MessageRow } from '../src/store/case-store.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

function item(sha: string, device = 'dev-A'): Omit<EvidenceItem, 'id'> {
  return {
    path: `/evidence/${sha}.txt`,
    sha256: sha.padEnd(64, '0'),
    size: 10,
    kind: 'chat-export-txt',
    deviceLabel: device,
    examiner: 'tester',
    acquiredAt: null,
    ingestedAt: Date.now(),
    toolVersion: 'test',
    notes: {},
  };
}

async function* records(
  device: string,
  n: number,
  opts: { failAt?: number } = {},
): AsyncGenerator<ParsedRecord> {
  const group = 'export:Synthetic Group';
  yield {
    type: 'group',
    key: group,
    jid: null,
    subject: 'Synthetic Group',
    createdAt: 1_000,
    creatorKey: 'phone:+34600000001',
    loc: { kind: 'line', line: 1 },
  };
  yield {
    type: 'account',
    key: 'phone:+34600000001',
    phone: '+34600000001',
    jids: ['34600000001@s.whatsapp.net'],
    displayNames: ['A'],
    loc: { kind: 'line', line: 1 },
  };
  yield {
    type: 'event',
    groupKey: group,
    eventType: 'created',
    actorKey: 'phone:+34600000001',
    targetKeys: [],
    at: 1_000,
    value: 'Synthetic Group',
    raw: 'created',
    loc: { kind: 'line', line: 1 },
  };
  yield {
    type: 'media',
    sha256: 'ab'.repeat(32),
    md5: null,
    sha1: null,
    mime: 'image/jpeg',
    size: 3,
    present: device === 'dev-B',
    fileRef: device === 'dev-B' ? 'IMG-1.jpg' : null,
    loc: { kind: 'line', line: 2 },
  };
  for (let i = 0; i < n; i++) {
    if (opts.failAt === i) throw new Error(`reader failed at message ${i}`);
    yield {
      type: 'message',
      key: `dig:${group}:phone:+34600000001:${i}`,
      chatKey: group,
      chatKind: 'group',
      senderKey: 'phone:+34600000001',
      at: 60_000 * i,
      tz: 'UTC',
      kind: i === 0 ? 'image' : 'text',
      text: i === 0 ? null : `message ${i}`,
      forwarded: false,
      forwardScore: null,
      waKeyId: null,
      mediaSha256: i === 0 ? 'ab'.repeat(32) : null,
      mediaName: null,
      mediaStatus: i === 0 ? (device === 'dev-B' ? 'present' : 'hash-only') : null,
      loc: { kind: 'line', line: 3 + i },
    };
  }
}

/**
 * The same four messages (two equal ones in one minute) as database rows (JID, key id) and as export lines
 * (the phone and subject, no id).
 */
async function* crossSource(kind: 'db' | 'export'): AsyncGenerator<ParsedRecord> {
  const chatKey = kind === 'db' ? 'jid:120363000000000001@g.us' : 'export:dev-B:Synthetic Subject';
  yield {
    type: 'group',
    key: chatKey,
    jid: kind === 'db' ? '120363000000000001@g.us' : null,
    subject: 'Synthetic Subject',
    createdAt: null,
    creatorKey: null,
    loc: kind === 'db' ? { kind: 'row', table: 'chat', rowId: 1 } : { kind: 'line', line: 1 },
  };
  const texts = ['synthetic hello', 'synthetic hello', 'synthetic see you', 'synthetic bye'];
  const minutes = [0, 0, 1, 2];
  for (let i = 0; i < texts.length; i++) {
    yield {
      type: 'message',
      key: kind === 'db' ? `id:${chatKey}:3EB0SYNTH${i}` : `dig:${chatKey}:phone:+34600000001:${i}`,
      chatKey,
      chatKind: 'group',
      senderKey: 'phone:+34600000001',
      at: 1_500_000_000_000 + minutes[i]! * 60_000 + (kind === 'db' ? 1_234 : 0),
      tz: kind === 'db' ? 'UTC' : 'Europe/Madrid',
      kind: 'text',
      text: kind === 'db' ? texts[i]! : `\u200e${texts[i]}`,
      forwarded: kind === 'db',
      forwardScore: kind === 'db' ? 2 : null,
      waKeyId: kind === 'db' ? `3EB0SYNTH${i}` : null,
      mediaSha256: null,
      mediaName: null,
      mediaStatus: null,
      loc: kind === 'db' ? { kind: 'row', table: 'message', rowId: 10 + i } : { kind: 'line', line: 2 + i },
    };
  }
}

describe.each(STORE_TARGETS)('case store on $name', ({ name, store: storeArg }) => {
  it.each([
    ['database first', ['db', 'export'] as const],
    ['export first', ['export', 'db'] as const],
  ])('one chat and one message per message across a database and an export (%s)', async (_label, order) => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const device = (kind: 'db' | 'export') => (kind === 'export' ? 'dev-B' : 'dev-A');
      await store.ingestEvidence(item(order[0], device(order[0])), crossSource(order[0]));
      const second = await store.ingestEvidence(item(order[1], device(order[1])), crossSource(order[1]));
      // The export's chat is linked to the database's by the three (minute, text) units both hold, and
      // the copies are joined: the two equal messages of one minute pair up one to one.
      expect(second.stats.resolution?.chatLinks).toEqual([
        {
          from: 'export:dev-B:Synthetic Subject',
          into: 'jid:120363000000000001@g.us',
          shared: 3,
          joined: { messages: 4, events: 0 },
        },
      ]);
      const chats = await store.chats();
      expect(chats).toHaveLength(1);
      expect(chats[0]!.jid).toBe('120363000000000001@g.us');
      const msgs = (await store.messages().next()).value as MessageRow[];
      expect(msgs).toHaveLength(4);
      expect(msgs.every((m) => m.waKeyId !== null && m.forwarded)).toBe(true);
      for (const m of msgs) expect((await store.provenance('message', [m.id])).length).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('creates a case folder that reopens', async () => {
    const dir = join(tempDir(), 'case');
    const { store, caseFile } = await initCase(dir, { store: storeArg });
    await store.close();
    expect(existsSync(join(dir, 'case.json'))).toBe(true);
    expect(existsSync(join(dir, 'case.sqlite'))).toBe(name === 'sqlite');
    const again = await openCase(dir, { store: name === 'postgres' ? storeArg : undefined });
    expect((await again.store.getCase())?.caseId).toBe(caseFile.caseId);
    await again.store.close();
  });

  it('ingests, deduplicates one message seen on two devices, and keeps both provenance rows', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const a = await store.ingestEvidence(item('aa', 'dev-A'), records('dev-A', 50));
      expect(a.stats.messages).toEqual({ new: 50, duplicate: 0 });
      const b = await store.ingestEvidence(item('bb', 'dev-B'), records('dev-B', 50));
      expect(b.stats.messages).toEqual({ new: 0, duplicate: 50 });
      expect(b.stats.events.duplicate).toBe(1);
      const counts = await store.counts();
      expect(counts.messages).toBe(50);
      expect(counts.evidence).toBe(2);
      const prov = await store.provenance('message', [1]);
      expect(prov.map((p) => p.evidenceId).sort()).toEqual([1, 2]);
      // The second device had the file: the media row now says where it can be read.
      const [m] = await store.media();
      expect(m!.present).toBe(true);
      expect(m!.fileEvidenceId).toBe(2);
      expect(await store.evidenceBySha256('bb'.padEnd(64, '0'))).not.toBeNull();
    } finally {
      await store.close();
    }
  });

  it('rolls back a whole evidence item when its reader fails midway', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      await store.ingestEvidence(item('aa'), records('dev-A', 10));
      const before = await store.counts();
      await expect(
        store.ingestEvidence(item('cc'), records('dev-A', 20_000, { failAt: 12_000 })),
      ).rejects.toThrow(/reader failed at message 12000/);
      expect(await store.counts()).toEqual(before);
      expect(await store.evidenceBySha256('cc'.padEnd(64, '0'))).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('chains the audit log and names an edited, a removed and a truncated entry', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      // Entry 1 is the genesis entry written by initCase; these are entries 2..6.
      for (let i = 0; i < 5; i++) await store.appendAudit('tester', `action-${i}`, { i }, { ok: true });
      expect((await store.verifyAudit()).ok).toBe(true);
      await store.db.run(`UPDATE audit SET args = ? WHERE case_id = ? AND seq = 3`, [
        '{"i":99}',
        store.caseId,
      ]);
      let v = await store.verifyAudit();
      expect(v.ok).toBe(false);
      expect(v.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: 'edited' }));
      await store.db.run(`UPDATE audit SET args = ? WHERE case_id = ? AND seq = 3`, [
        '{"i":1}',
        store.caseId,
      ]);
      expect((await store.verifyAudit()).ok).toBe(true);
      await store.db.run(`DELETE FROM audit WHERE case_id = ? AND seq = 2`, [store.caseId]);
      v = await store.verifyAudit();
      expect(v.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: 'removed' }));
      await store.db.run(`DELETE FROM audit WHERE case_id = ? AND seq = 6`, [store.caseId]);
      v = await store.verifyAudit();
      expect(v.problems).toContainEqual(expect.objectContaining({ problem: 'truncated' }));
    } finally {
      await store.close();
    }
  });

  it('detects reordered entries', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      for (let i = 0; i < 4; i++) await store.appendAudit('tester', `action-${i}`, { i }, { ok: true });
      await store.db.run(`UPDATE audit SET seq = 100 WHERE case_id = ? AND seq = 2`, [store.caseId]);
      await store.db.run(`UPDATE audit SET seq = 2 WHERE case_id = ? AND seq = 3`, [store.caseId]);
      await store.db.run(`UPDATE audit SET seq = 3 WHERE case_id = ? AND seq = 100`, [store.caseId]);
      const v = await store.verifyAudit();
      expect(v.problems.map((p) => p.problem)).toContain('reordered');
    } finally {
      await store.close();
    }
  });
});
