/**
 * One-to-one chats are keyed by the two accounts in them, not by the partner alone: owner A's chat with P
 * and owner B's chat with P are two chats (the same line P sent to both is two messages), while A's and
 * B's copies of their chat with each other are one chat. Evidence is written by hand here; every number
 * is fictitious.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ingestPaths, type IngestOptions } from '../src/evidence/ingest.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore, MessageRow } from '../src/store/case-store.js';
import { ANDROID_NEW_DDL, IOS_DDL } from '../src/synth/devices/schemas.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

const OWNER_A = '+34600000001';
const OWNER_B = '+34600000002';
const PARTNER = '+34600000099';
/** 14 March 2023, 21:05 UTC: the minute every message below was sent in. */
const MINUTE = Date.UTC(2023, 2, 14, 21, 5);
const LINE = 'synthetic test line, same words to both';

/** `+34600000099` → how WhatsApp shows an unsaved number in an export: `+34 600 00 00 99`. */
const shown = (e164: string) =>
  `${e164.slice(0, 3)} ${e164.slice(3, 6)} ${e164.slice(6, 8)} ${e164.slice(8, 10)} ${e164.slice(10)}`;
const digits = (e164: string) => e164.slice(1);

/**
 * An Android "Export chat" text of a one-to-one chat, in its own folder under the file name WhatsApp
 * gives it. The encryption notice's minute (`00`…`04`) differs per phone: two phones' exports of the same
 * lines would otherwise be byte-identical files, which a case takes in once.
 */
function exportTxt(dir: string, title: string, lines: string[], noticeMinute: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, `WhatsApp Chat with ${title}.txt`);
  writeFileSync(
    p,
    [
      `14/03/2023, 21:${noticeMinute} - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.`,
      ...lines,
      '',
    ].join('\n'),
  );
  return p;
}

interface DbMessage {
  fromMe: boolean;
  keyId: string;
  at: number;
  text: string;
}

/**
 * A new-schema msgstore.db holding one one-to-one chat with `partner`; with `lid`, the chat is held under
 * the partner's LID, which `jid_map` resolves to their number.
 */
function msgstore(root: string, partner: string, messages: DbMessage[], lid?: string): string {
  mkdirSync(join(root, 'databases'), { recursive: true });
  const path = join(root, 'databases', 'msgstore.db');
  const db = new Database(path);
  db.exec(ANDROID_NEW_DDL);
  const jid = db.prepare(
    'INSERT INTO jid (_id, user, server, agent, device, type, raw_string) VALUES (?, ?, ?, 0, 0, ?, ?)',
  );
  jid.run(1, digits(partner), 's.whatsapp.net', 0, `${digits(partner)}@s.whatsapp.net`);
  if (lid) {
    jid.run(2, lid, 'lid', 18, `${lid}@lid`);
    db.prepare('INSERT INTO jid_map (lid_row_id, jid_row_id) VALUES (2, 1)').run();
  }
  db.prepare('INSERT INTO chat (_id, jid_row_id) VALUES (1, ?)').run(lid ? 2 : 1);
  const msg = db.prepare(
    `INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp, message_type, text_data)
     VALUES (?, 1, ?, ?, ?, ?, 0, ?)`,
  );
  messages.forEach((m, i) =>
    msg.run(i + 1, m.fromMe ? 1 : 0, m.keyId, m.fromMe ? null : lid ? 2 : 1, m.at, m.text),
  );
  db.close();
  return path;
}

/** An iOS ChatStorage.sqlite holding one one-to-one chat with `partner` (dates in seconds since 2001). */
function chatStorage(root: string, partner: string, messages: DbMessage[]): string {
  mkdirSync(root, { recursive: true });
  const path = join(root, 'ChatStorage.sqlite');
  const db = new Database(path);
  db.exec(IOS_DDL);
  db.prepare(
    'INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE) VALUES (1, ?, NULL, 0)',
  ).run(`${digits(partner)}@s.whatsapp.net`);
  const msg = db.prepare(
    `INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZMESSAGETYPE, ZMESSAGEDATE, ZSTANZAID, ZTEXT)
     VALUES (?, 1, ?, 0, ?, ?, ?)`,
  );
  messages.forEach((m, i) => msg.run(i + 1, m.fromMe ? 1 : 0, m.at / 1000 - 978_307_200, m.keyId, m.text));
  db.close();
  return path;
}

async function ingest(store: CaseStore, path: string, opts: IngestOptions): Promise<void> {
  const [out] = await ingestPaths(store, [path], { tz: 'UTC', ...opts });
  expect(out!.status).toBe('ingested');
}

async function allMessages(store: CaseStore): Promise<MessageRow[]> {
  const out: MessageRow[] = [];
  for await (const page of store.messages()) out.push(...page);
  return out;
}

/** Every chat (key and kind, by key), and per message: its chat's key, its text and how many evidence rows record it. */
async function summary(store: CaseStore) {
  const chats = await store.chats();
  const keyOf = new Map(chats.map((c) => [c.id, c.key]));
  const messages = [];
  for (const m of await allMessages(store)) {
    const prov = await store.provenance('message', [m.id]);
    messages.push({ chat: keyOf.get(m.chatId)!, text: m.text, provenance: prov.length });
  }
  const byKey = chats.map((c) => ({ key: c.key, kind: c.kind })).sort((a, b) => (a.key < b.key ? -1 : 1));
  return { chats: byKey, messages };
}

type Step = (store: CaseStore, root: string) => Promise<void>;

/** Runs `steps` in the given order on a fresh case and returns the summary. */
async function run(storeArg: string, steps: Step[]) {
  const root = tempDir('filet-direct-');
  const { store } = await initCase(join(root, 'case'), { store: storeArg });
  try {
    for (const s of steps) await s(store, root);
    return await summary(store);
  } finally {
    await store.close();
  }
}

const ORDERS = [
  ['first, second', false],
  ['second, first', true],
] as const;
const ordered = (steps: Step[], reversed: boolean) => (reversed ? [...steps].reverse() : steps);

/** An export line of `who` (shown by number, as an unsaved contact) at 21:05. */
const lineBy = (who: string, text = LINE) => `14/03/2023, 21:05 - ${shown(who)}: ${text}`;

// The partner's line as it reached owner A and owner B: two messages.
const partnerToA_export: Step = (store, root) =>
  ingest(store, exportTxt(join(root, 'a'), shown(PARTNER), [lineBy(PARTNER)], '01'), {
    device: 'phone-A',
    owner: OWNER_A,
  });
const partnerToB_export: Step = (store, root) =>
  ingest(store, exportTxt(join(root, 'b'), shown(PARTNER), [lineBy(PARTNER)], '02'), {
    device: 'phone-B',
    owner: OWNER_B,
  });
// A key id is chosen by the sender per message: the copy sent to A and the copy sent to B differ.
const partnerToA_db: Step = (store, root) =>
  ingest(
    store,
    msgstore(join(root, 'a-db'), PARTNER, [
      { fromMe: false, keyId: '3EB0SYNTHETIC0A01', at: MINUTE + 17_000, text: LINE },
    ]),
    { device: 'phone-A', owner: OWNER_A },
  );
const partnerToB_db: Step = (store, root) =>
  ingest(
    store,
    msgstore(join(root, 'b-db'), PARTNER, [
      { fromMe: false, keyId: '3EB0SYNTHETIC0B01', at: MINUTE + 17_000, text: LINE },
    ]),
    { device: 'phone-B', owner: OWNER_B },
  );

describe.each(STORE_TARGETS)('direct chats on $name', ({ store: storeArg }) => {
  describe.each(ORDERS)('ingestion order %s', (_label, reversed) => {
    it('two owners’ exports of their chats with one partner: 2 chats, 2 messages', async () => {
      const s = await run(storeArg, ordered([partnerToA_export, partnerToB_export], reversed));
      expect(s.chats).toEqual([
        { key: 'direct:phone:+34600000001|phone:+34600000099', kind: 'direct' },
        { key: 'direct:phone:+34600000002|phone:+34600000099', kind: 'direct' },
      ]);
      expect(s.messages).toHaveLength(2);
      expect(s.messages.map((m) => [m.text, m.provenance])).toEqual([
        [LINE, 1],
        [LINE, 1],
      ]);
      expect(new Set(s.messages.map((m) => m.chat)).size).toBe(2);
    });

    it('two owners’ databases with one partner (different key ids): 2 chats, 2 messages', async () => {
      const s = await run(storeArg, ordered([partnerToA_db, partnerToB_db], reversed));
      expect(s.chats).toHaveLength(2);
      expect(s.chats.map((c) => c.kind)).toEqual(['direct', 'direct']);
      expect(s.messages).toHaveLength(2);
      expect(new Set(s.messages.map((m) => m.chat)).size).toBe(2);
    });

    it('owner A’s export and owner B’s database with one partner: 2 chats, 2 messages (no fingerprint merge)', async () => {
      const s = await run(storeArg, ordered([partnerToA_export, partnerToB_db], reversed));
      expect(s.chats).toHaveLength(2);
      expect(s.chats.map((c) => c.kind)).toEqual(['direct', 'direct']);
      expect(s.messages).toHaveLength(2);
      expect(s.messages.map((m) => m.provenance)).toEqual([1, 1]);
    });

    it('owner unknown on both phones: chats with one partner are not merged across devices', async () => {
      const noOwner =
        (dir: string, device: string, minute: string): Step =>
        (store, root) =>
          ingest(store, exportTxt(join(root, dir), shown(PARTNER), [lineBy(PARTNER)], minute), { device });
      const s = await run(
        storeArg,
        ordered([noOwner('x', 'phone-X', '01'), noOwner('y', 'phone-Y', '02')], reversed),
      );
      expect(s.chats).toEqual([
        { key: 'direct:owner:phone-X|phone:+34600000099', kind: 'direct' },
        { key: 'direct:owner:phone-Y|phone:+34600000099', kind: 'direct' },
      ]);
      expect(s.messages).toHaveLength(2);
    });

    // The two sides of one chat: A's phone (chat with B) and B's phone (chat with A).
    it('A’s export of the chat with B and B’s database of the chat with A: 1 chat, 1 message, 2 provenance rows', async () => {
      const aSide: Step = (store, root) =>
        ingest(store, exportTxt(join(root, 'a'), shown(OWNER_B), [lineBy(OWNER_B)], '01'), {
          device: 'phone-A',
          owner: OWNER_A,
        });
      const bSide: Step = (store, root) =>
        ingest(
          store,
          msgstore(join(root, 'b-db'), OWNER_A, [
            { fromMe: true, keyId: '3EB0SYNTHETIC0C01', at: MINUTE + 17_000, text: LINE },
          ]),
          { device: 'phone-B', owner: OWNER_B },
        );
      const s = await run(storeArg, ordered([aSide, bSide], reversed));
      expect(s.chats).toEqual([{ key: 'direct:phone:+34600000001|phone:+34600000002', kind: 'direct' }]);
      expect(s.messages).toEqual([
        { chat: 'direct:phone:+34600000001|phone:+34600000002', text: LINE, provenance: 2 },
      ]);
    });

    it('both owners’ exports of their chat with each other: 1 chat, 1 message per line, 2 provenance rows each', async () => {
      // Each phone names its own owner by profile name (--owner-name) and the other by number.
      const aSide: Step = (store, root) =>
        ingest(
          store,
          exportTxt(
            join(root, 'a'),
            shown(OWNER_B),
            [lineBy(OWNER_B), '14/03/2023, 21:06 - Owner A: synthetic reply'],
            '01',
          ),
          { device: 'phone-A', owner: OWNER_A, ownerName: 'Owner A' },
        );
      const bSide: Step = (store, root) =>
        ingest(
          store,
          exportTxt(
            join(root, 'b'),
            shown(OWNER_A),
            [
              `14/03/2023, 21:05 - Owner B: ${LINE}`,
              `14/03/2023, 21:06 - ${shown(OWNER_A)}: synthetic reply`,
            ],
            '02',
          ),
          { device: 'phone-B', owner: OWNER_B, ownerName: 'Owner B' },
        );
      const s = await run(storeArg, ordered([aSide, bSide], reversed));
      expect(s.chats).toEqual([{ key: 'direct:phone:+34600000001|phone:+34600000002', kind: 'direct' }]);
      const byText = s.messages.sort((a, b) => (a.text! < b.text! ? -1 : 1));
      expect(byText.map((m) => [m.text, m.provenance])).toEqual([
        ['synthetic reply', 2],
        [LINE, 2],
      ]);
    });

    it('both owners’ databases of their chat with each other (same key id): 1 chat, 1 message, 2 provenance rows', async () => {
      const aSide: Step = (store, root) =>
        ingest(
          store,
          msgstore(join(root, 'a-db'), OWNER_B, [
            { fromMe: false, keyId: '3EB0SYNTHETIC0D01', at: MINUTE + 17_000, text: LINE },
          ]),
          { device: 'phone-A', owner: OWNER_A },
        );
      const bSide: Step = (store, root) =>
        ingest(
          store,
          msgstore(join(root, 'b-db'), OWNER_A, [
            { fromMe: true, keyId: '3EB0SYNTHETIC0D01', at: MINUTE + 17_000, text: LINE },
          ]),
          { device: 'phone-B', owner: OWNER_B },
        );
      const s = await run(storeArg, ordered([aSide, bSide], reversed));
      expect(s.chats).toEqual([{ key: 'direct:phone:+34600000001|phone:+34600000002', kind: 'direct' }]);
      expect(s.messages).toEqual([
        { chat: 'direct:phone:+34600000001|phone:+34600000002', text: LINE, provenance: 2 },
      ]);
    });

    it('owner A’s iPhone and owner B’s Android phone with one partner: 2 chats, 2 messages', async () => {
      const aSide: Step = (store, root) =>
        ingest(
          store,
          chatStorage(join(root, 'a-ios'), PARTNER, [
            { fromMe: false, keyId: '3EB0SYNTHETIC0E01', at: MINUTE + 17_000, text: LINE },
          ]),
          { device: 'phone-A', owner: OWNER_A },
        );
      const s = await run(storeArg, ordered([aSide, partnerToB_db], reversed));
      expect(s.chats).toEqual([
        { key: 'direct:phone:+34600000001|phone:+34600000099', kind: 'direct' },
        { key: 'direct:phone:+34600000002|phone:+34600000099', kind: 'direct' },
      ]);
      expect(s.messages).toHaveLength(2);
    });

    it('A’s iPhone (chat with B) and B’s Android phone (chat with A), same key id: 1 chat, 1 message, 2 provenance rows', async () => {
      const aSide: Step = (store, root) =>
        ingest(
          store,
          chatStorage(join(root, 'a-ios'), OWNER_B, [
            { fromMe: true, keyId: '3EB0SYNTHETIC0F01', at: MINUTE + 17_000, text: LINE },
          ]),
          { device: 'phone-A', owner: OWNER_A },
        );
      const bSide: Step = (store, root) =>
        ingest(
          store,
          msgstore(join(root, 'b-db'), OWNER_A, [
            { fromMe: false, keyId: '3EB0SYNTHETIC0F01', at: MINUTE + 17_000, text: LINE },
          ]),
          { device: 'phone-B', owner: OWNER_B },
        );
      const s = await run(storeArg, ordered([aSide, bSide], reversed));
      expect(s.messages).toEqual([
        { chat: 'direct:phone:+34600000001|phone:+34600000002', text: LINE, provenance: 2 },
      ]);
    });

    it('a chat the owner’s phone holds under the partner’s LID (mapped by jid_map) meets the other side’s chat', async () => {
      const aSide: Step = (store, root) =>
        ingest(
          store,
          msgstore(
            join(root, 'a-db'),
            OWNER_B,
            [{ fromMe: false, keyId: '3EB0SYNTHETIC1001', at: MINUTE + 17_000, text: LINE }],
            '98765432100002',
          ),
          { device: 'phone-A', owner: OWNER_A },
        );
      const bSide: Step = (store, root) =>
        ingest(
          store,
          msgstore(join(root, 'b-db'), OWNER_A, [
            { fromMe: true, keyId: '3EB0SYNTHETIC1001', at: MINUTE + 17_000, text: LINE },
          ]),
          { device: 'phone-B', owner: OWNER_B },
        );
      const s = await run(storeArg, ordered([aSide, bSide], reversed));
      expect(s.messages).toEqual([
        { chat: 'direct:phone:+34600000001|phone:+34600000002', text: LINE, provenance: 2 },
      ]);
    });

    it('the owner’s export of a chat with a saved name and the owner’s database of it: 1 chat, 1 person', async () => {
      // Four lines in four minutes, two by each side; the export shows the partner as "Camila L.".
      const texts = ['synthetic one', 'synthetic two', 'synthetic three', 'synthetic four'];
      const exportSide: Step = (store, root) =>
        ingest(
          store,
          exportTxt(
            join(root, 'a'),
            'Camila L.',
            texts.map((t, i) => `14/03/2023, 21:0${5 + i} - ${i % 2 ? 'Ana' : 'Camila L.'}: ${t}`),
            '01',
          ),
          { device: 'phone-A', owner: OWNER_A, ownerName: 'Ana' },
        );
      const dbSide: Step = (store, root) =>
        ingest(
          store,
          msgstore(
            join(root, 'a-db'),
            PARTNER,
            texts.map((text, i) => ({
              fromMe: i % 2 === 1,
              keyId: `3EB0SYNTHETIC20${i}`,
              at: MINUTE + i * 60_000 + 9_000,
              text,
            })),
          ),
          { device: 'phone-A', owner: OWNER_A },
        );
      const root = tempDir('filet-direct-');
      const { store } = await initCase(join(root, 'case'), { store: storeArg });
      try {
        for (const step of ordered([exportSide, dbSide], reversed)) await step(store, root);
        const s = await summary(store);
        expect(s.chats).toEqual([{ key: 'direct:phone:+34600000001|phone:+34600000099', kind: 'direct' }]);
        expect(s.messages.map((m) => [m.text, m.provenance])).toEqual(texts.map((t) => [t, 2]));
        const accounts = await store.accounts();
        const camila = accounts.find((a) => a.key === 'name:phone-A:Camila L.')!;
        expect(accounts.find((a) => a.id === camila.mergedInto)?.key).toBe('phone:+34600000099');
      } finally {
        await store.close();
      }
    });
  });
});
