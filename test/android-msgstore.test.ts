import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ParsedEvent,
  ParsedMedia,
  ParsedMember,
  ParsedMessage,
  ParsedRecord,
  ReaderNotes,
} from '../src/model/types.js';
import { androidMsgstoreReader as reader } from '../src/evidence/android-msgstore/index.js';
import { ANDROID_LEGACY_DDL, ANDROID_NEW_DDL, WA_DB_DDL } from '../src/synth/devices/schemas.js';
import { UserError } from '../src/util/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'filet-msgstore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const newRoot = () => {
  const root = join(tmp, `dev${++n}`);
  mkdirSync(join(root, 'databases'), { recursive: true });
  return root;
};

const b64 = (buf: Buffer) => createHash('sha256').update(buf).digest('base64');
const hex = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

async function readAll(path: string, owner?: string, device = 'D1') {
  const notes: ReaderNotes = {};
  const recs: ParsedRecord[] = [];
  for await (const r of reader.read(path, { deviceLabel: device, tz: 'Europe/Madrid', owner }, notes))
    recs.push(r);
  const of = <T extends ParsedRecord['type']>(t: T) =>
    recs.filter((r) => r.type === t) as Extract<ParsedRecord, { type: T }>[];
  return {
    recs,
    notes,
    of,
    messages: of('message') as ParsedMessage[],
    events: of('event') as ParsedEvent[],
  };
}

/** A small new-schema database with a group, LIDs, a device JID, media, system rows and a status chat. */
function buildNew(root: string) {
  const path = join(root, 'databases', 'msgstore.db');
  const db = new Database(path);
  db.exec(ANDROID_NEW_DDL);
  const jid = db.prepare(
    'INSERT INTO jid (_id, user, server, agent, device, type, raw_string) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  jid.run(1, '34600000001-1465000000', 'g.us', 0, 0, 1, '34600000001-1465000000@g.us');
  jid.run(2, '34600000001', 's.whatsapp.net', 0, 0, 0, '34600000001@s.whatsapp.net'); // A
  jid.run(3, '34600000002', 's.whatsapp.net', 0, 0, 0, '34600000002@s.whatsapp.net'); // B
  jid.run(4, '98765432100011', 'lid', 0, 0, 18, '98765432100011@lid'); // C's LID, mapped
  jid.run(5, '34600000003', 's.whatsapp.net', 0, 0, 0, '34600000003@s.whatsapp.net'); // C
  jid.run(6, '34600000004', 's.whatsapp.net', 0, 3, 17, '34600000004.0:3@s.whatsapp.net'); // D device
  jid.run(7, '55555555500022', 'lid', 0, 0, 18, '55555555500022@lid'); // E, unmapped
  jid.run(8, 'status', 'broadcast', 0, 0, 11, 'status@broadcast');
  jid.run(9, '34600000099', 's.whatsapp.net', 0, 0, 0, '34600000099@s.whatsapp.net'); // owner's own
  db.prepare('INSERT INTO jid_map (lid_row_id, jid_row_id) VALUES (4, 5)').run();
  const chat = db.prepare(
    'INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (?, ?, ?, ?)',
  );
  chat.run(1, 1, 'Blue Hour', null);
  chat.run(2, 8, null, null);
  const gp = db.prepare(
    'INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending) VALUES (1, ?, ?, 0)',
  );
  gp.run(2, 2);
  gp.run(3, 1);
  gp.run(4, 0);
  gp.run(6, 0);
  gp.run(9, 0);
  const msg = db.prepare(
    `INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp, message_type, text_data, origination_flags)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const t0 = Date.UTC(2016, 5, 12, 10, 0);
  msg.run(1, 1, 0, 'SYS-CREATED', 2, t0 - 60_000, 7, 'Blue Hour', 0);
  msg.run(2, 1, 0, 'AAAA000000000001', 2, t0, 0, 'hello', 0);
  msg.run(3, 1, 0, 'AAAA000000000002', 3, t0 + 1000, 1, null, 1);
  msg.run(4, 1, 0, 'AAAA000000000003', 4, t0 + 2000, 1, null, 0);
  msg.run(5, 1, 0, 'AAAA000000000004', 6, t0 + 3000, 3, null, 0);
  msg.run(6, 1, 1, 'AAAA000000000005', null, t0 + 4000, 0, 'from me', 0);
  msg.run(7, 1, 0, 'SYS-ADDED', 2, t0 + 5000, 7, null, 0);
  msg.run(8, 1, 0, 'SYS-LEFT', 7, t0 + 6000, 7, null, 0);
  msg.run(9, 1, 0, 'SYS-SUBJECT', 3, t0 + 7000, 7, 'Green Hour', 0);
  msg.run(10, 2, 0, 'STATUS0000000001', 2, t0 + 8000, 0, 'a status', 0);
  msg.run(11, 1, 0, 'AAAA000000000006', 2, t0 + 9000, 55, null, 0);
  db.prepare('INSERT INTO message_forwarded (message_row_id, forward_score) VALUES (3, 5)').run();
  const sys = db.prepare('INSERT INTO message_system (message_row_id, action_type) VALUES (?, ?)');
  sys.run(1, 11);
  sys.run(7, 12);
  sys.run(8, 5);
  sys.run(9, 1);
  const part = db.prepare(
    'INSERT INTO message_system_chat_participant (message_row_id, user_jid_row_id) VALUES (?, ?)',
  );
  part.run(7, 3);
  part.run(7, 4);
  part.run(8, 7);
  db.prepare('INSERT INTO message_system_value_change (message_row_id, old_data) VALUES (9, ?)').run(
    'Blue Hour',
  );

  const present = Buffer.from('benign test bytes: present');
  const stored = Buffer.from('benign test bytes: as recorded');
  const tampered = Buffer.from('benign test bytes: something else');
  const absent = Buffer.from('benign test bytes: absent');
  mkdirSync(join(root, 'Media', 'WhatsApp Images'), { recursive: true });
  writeFileSync(join(root, 'Media', 'WhatsApp Images', 'IMG-20160612-WA0001.jpg'), present);
  writeFileSync(join(root, 'Media', 'WhatsApp Images', 'IMG-20160612-WA0002.jpg'), tampered);
  const mm = db.prepare(
    'INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type, file_hash) VALUES (?, 1, ?, ?, ?, ?)',
  );
  mm.run(3, 'Media/WhatsApp Images/IMG-20160612-WA0001.jpg', present.length, 'image/jpeg', b64(present));
  mm.run(4, 'Media/WhatsApp Images/IMG-20160612-WA0002.jpg', stored.length, 'image/jpeg', b64(stored));
  mm.run(5, 'Media/WhatsApp Video/VID-20160612-WA0001.mp4', absent.length, 'video/mp4', b64(absent));
  db.close();
  return { path, t0, present, stored, tampered, absent };
}

describe('android msgstore reader — new schema', () => {
  const root = newRoot();
  const fx = buildNew(root);

  it('detects the new schema with high confidence', async () => {
    expect(await reader.detect(fx.path)).toBeGreaterThan(0.9);
  });

  it('reads groups, members (LID mapped, device folded), senders and the owner from --owner', async () => {
    const { of, messages, notes } = await readAll(fx.path, '+34 600 000 099');
    const [g] = of('group');
    expect(g).toMatchObject({
      key: 'jid:34600000001-1465000000@g.us',
      subject: 'Blue Hour',
      createdAt: 1465000000 * 1000,
      creatorKey: 'phone:+34600000001',
      loc: { kind: 'row', table: 'chat', rowId: 1 },
    });
    const members = of('member') as ParsedMember[];
    expect(members.map((m) => [m.accountKey, m.rank]).sort()).toEqual(
      [
        ['phone:+34600000001', 2],
        ['phone:+34600000002', 1],
        ['phone:+34600000003', 0],
        ['phone:+34600000004', 0],
        ['phone:+34600000099', 0],
      ].sort(),
    );
    const bySender = Object.fromEntries(messages.map((m) => [m.waKeyId, m.senderKey]));
    expect(bySender['AAAA000000000003']).toBe('phone:+34600000003'); // LID → phone via jid_map
    expect(bySender['AAAA000000000004']).toBe('phone:+34600000004'); // device JID folded
    expect(bySender['AAAA000000000005']).toBe('phone:+34600000099'); // from_me → --owner
    const c = of('account').find((a) => a.key === 'phone:+34600000003');
    expect(
      of('account')
        .filter((a) => a.key === 'phone:+34600000003')
        .flatMap((a) => a.jids)
        .sort(),
    ).toEqual(['34600000003@s.whatsapp.net', '98765432100011@lid']);
    expect(c).toBeDefined();
    expect(of('account').some((a) => a.key === 'lid:55555555500022@lid')).toBe(true);
    expect(notes.owner).toMatchObject({ source: 'command line (--owner)' });
    expect(notes.lid).toMatchObject({ mapped: 1, unmapped: 1, deviceJidsFolded: 1 });
    expect(notes.skippedChats).toEqual({ status: 1 });
    expect(messages.every((m) => m.chatKey === 'jid:34600000001-1465000000@g.us')).toBe(true);
    expect(messages.find((m) => m.waKeyId === 'AAAA000000000001')).toMatchObject({
      key: 'id:jid:34600000001-1465000000@g.us:AAAA000000000001',
      at: fx.t0,
      kind: 'text',
      text: 'hello',
      loc: { kind: 'row', table: 'message', rowId: 2 },
    });
    expect(messages.find((m) => m.waKeyId === 'AAAA000000000006')!.kind).toBe('other');
  });

  it('reads forwarded flags, scores, base64 hashes and the three media outcomes', async () => {
    const { messages, of, notes } = await readAll(fx.path);
    const m3 = messages.find((m) => m.waKeyId === 'AAAA000000000002')!;
    expect(m3).toMatchObject({ kind: 'image', forwarded: true, forwardScore: 5, mediaStatus: 'present' });
    expect(m3.mediaSha256).toBe(hex(fx.present));
    expect(messages.find((m) => m.waKeyId === 'AAAA000000000001')!.forwarded).toBe(false);
    const media = of('media') as ParsedMedia[];
    const present = media.find((x) => x.present)!;
    expect(present).toMatchObject({
      sha256: hex(fx.present),
      md5: createHash('md5').update(fx.present).digest('hex'),
      fileRef: 'Media/WhatsApp Images/IMG-20160612-WA0001.jpg',
      mime: 'image/jpeg',
    });
    // Mismatch: the recorded hash is kept, the file is not linked, the analyst is told.
    const m4 = messages.find((m) => m.waKeyId === 'AAAA000000000003')!;
    expect(m4.mediaStatus).toBe('mismatch');
    expect(m4.mediaSha256).toBe(hex(fx.stored));
    const mm = media.find((x) => x.sha256 === hex(fx.stored))!;
    expect(mm.present).toBe(false);
    expect(mm.fileRef).toBeNull();
    expect(media.some((x) => x.sha256 === hex(fx.tampered))).toBe(false);
    expect(notes.mediaMismatches).toEqual([
      {
        path: 'Media/WhatsApp Images/IMG-20160612-WA0002.jpg',
        stored: hex(fx.stored),
        actual: hex(fx.tampered),
      },
    ]);
    const m5 = messages.find((m) => m.waKeyId === 'AAAA000000000004')!;
    expect(m5).toMatchObject({ kind: 'video', mediaStatus: 'hash-only', mediaSha256: hex(fx.absent) });
  });

  it('maps system rows to events with actors, targets, values and raw codes', async () => {
    const { events } = await readAll(fx.path, '+34600000099');
    const by = Object.fromEntries(events.map((e) => [e.eventType, e]));
    expect(by.created).toMatchObject({
      actorKey: 'phone:+34600000001',
      value: 'Blue Hour',
      raw: expect.stringContaining('action_type=11'),
    });
    expect(by.added.actorKey).toBe('phone:+34600000001');
    expect(by.added.targetKeys.sort()).toEqual(['phone:+34600000002', 'phone:+34600000003']);
    expect(by.left).toMatchObject({ actorKey: 'lid:55555555500022@lid', targetKeys: [] });
    expect(by.subject_changed).toMatchObject({ actorKey: 'phone:+34600000002', value: 'Green Hour' });
    expect(by.subject_changed.raw).toContain('old=Blue Hour');
    expect(by.added.loc).toEqual({ kind: 'row', table: 'message', rowId: 7 });
  });

  it('uses the owner number from the device prefs file, else an owner:<device> identity', async () => {
    const unknown = await readAll(fx.path, undefined, 'PHONE-7');
    expect(unknown.messages.find((m) => m.waKeyId === 'AAAA000000000005')!.senderKey).toBe('owner:PHONE-7');
    expect(String((unknown.notes.owner as { source: string }).source)).toMatch(/unknown/);
    mkdirSync(join(root, 'shared_prefs'), { recursive: true });
    writeFileSync(
      join(root, 'shared_prefs', 'com.whatsapp_preferences_light.xml'),
      `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n  <string name="registration_jid">34600000099</string>\n</map>\n`,
    );
    try {
      const fromPrefs = await readAll(fx.path);
      expect(fromPrefs.messages.find((m) => m.waKeyId === 'AAAA000000000005')!.senderKey).toBe(
        'phone:+34600000099',
      );
      expect(String((fromPrefs.notes.owner as { source: string }).source)).toContain(
        'com.whatsapp_preferences_light.xml',
      );
    } finally {
      rmSync(join(root, 'shared_prefs'), { recursive: true });
    }
  });
});

function buildLegacy(path: string, withNew = false) {
  const db = new Database(path);
  db.exec(ANDROID_LEGACY_DDL);
  if (withNew) db.exec(ANDROID_NEW_DDL);
  const g = '120363111111111111@g.us';
  db.prepare('INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES (?, ?, ?)').run(
    g,
    'Old Times',
    1466000000000,
  );
  const gp = db.prepare('INSERT INTO group_participants (gjid, jid, admin, pending) VALUES (?, ?, ?, 0)');
  gp.run(g, '', 2);
  gp.run(g, '34600000011@s.whatsapp.net', 1);
  gp.run(g, '34600000012@s.whatsapp.net', 0);
  const m = db.prepare(
    `INSERT INTO messages (key_remote_jid, key_from_me, key_id, remote_resource, status, timestamp, data, media_wa_type,
      media_name, media_hash, media_size, media_mime_type, forwarded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const img = Buffer.from('legacy benign bytes');
  m.run('-1', 0, '-1', null, -1, 0, null, '0', null, null, null, null, 0);
  m.run(
    g,
    0,
    'LEG0000000000001',
    '34600000011@s.whatsapp.net',
    0,
    1466000100000,
    'hola',
    '0',
    null,
    null,
    null,
    null,
    0,
  );
  m.run(
    g,
    1,
    'LEG0000000000002',
    null,
    13,
    1466000200000,
    null,
    '1',
    'IMG-20160615-WA0000.jpg',
    b64(img),
    img.length,
    'image/jpeg',
    1,
  );
  m.run(
    g,
    0,
    'LEG0000000000003',
    '34600000011@s.whatsapp.net',
    6,
    1466000300000,
    '34600000012@s.whatsapp.net',
    '0',
    null,
    null,
    12,
    null,
    0,
  );
  m.run(
    'status@broadcast',
    0,
    'LEG0000000000004',
    '34600000011@s.whatsapp.net',
    0,
    1466000400000,
    'st',
    '0',
    null,
    null,
    null,
    null,
    0,
  );
  m.run(
    '34600000012@s.whatsapp.net',
    0,
    'LEG0000000000005',
    null,
    0,
    1466000500000,
    'direct hi',
    '0',
    null,
    null,
    null,
    null,
    0,
  );
  db.close();
  return { g, img };
}

describe('android msgstore reader — legacy and transitional schemas', () => {
  it('reads the legacy schema: chat_list, group_participants, system rows (status 6) and legacy media paths', async () => {
    const root = newRoot();
    const path = join(root, 'databases', 'msgstore.db');
    const { g, img } = buildLegacy(path);
    mkdirSync(join(root, 'Media', 'WhatsApp Images', 'Sent'), { recursive: true });
    writeFileSync(join(root, 'Media', 'WhatsApp Images', 'Sent', 'IMG-20160615-WA0000.jpg'), img);
    expect(await reader.detect(path)).toBeGreaterThan(0.9);
    const { of, messages, events, notes } = await readAll(path, '+34600000010');
    expect(notes.schema).toBe('legacy');
    expect(of('group')[0]).toMatchObject({
      key: `jid:${g}`,
      subject: 'Old Times',
      createdAt: 1466000000000,
      creatorKey: null,
    });
    expect((of('member') as ParsedMember[]).map((m) => [m.accountKey, m.rank])).toEqual([
      ['phone:+34600000010', 2],
      ['phone:+34600000011', 1],
      ['phone:+34600000012', 0],
    ]);
    expect(messages.map((m) => m.waKeyId)).toEqual([
      'LEG0000000000001',
      'LEG0000000000002',
      'LEG0000000000005',
    ]);
    const im = messages[1];
    expect(im).toMatchObject({
      kind: 'image',
      senderKey: 'phone:+34600000010',
      forwarded: true,
      mediaStatus: 'present',
    });
    expect(im.mediaSha256).toBe(hex(img));
    expect(messages[2]).toMatchObject({
      chatKind: 'direct',
      // The owner (+34600000010) and the partner, in sorted order.
      chatKey: 'direct:phone:+34600000010|phone:+34600000012',
      senderKey: 'phone:+34600000012',
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventType: 'added',
      actorKey: 'phone:+34600000011',
      targetKeys: ['phone:+34600000012'],
      raw: expect.stringContaining('media_size=12'),
      loc: { kind: 'row', table: 'messages', rowId: 4 },
    });
  });

  it('prefers the new tables in a database holding both, reading only legacy rows they lack', async () => {
    const root = newRoot();
    const path = join(root, 'databases', 'msgstore.db');
    const { g } = buildLegacy(path, true);
    const db = new Database(path);
    db.prepare(
      "INSERT INTO jid (_id, user, server, type, raw_string) VALUES (1, '120363111111111111', 'g.us', 1, ?)",
    ).run(g);
    db.prepare(
      "INSERT INTO jid (_id, user, server, type, raw_string) VALUES (2, '34600000011', 's.whatsapp.net', 0, '34600000011@s.whatsapp.net')",
    ).run();
    db.prepare("INSERT INTO chat (_id, jid_row_id, subject) VALUES (1, 1, 'Old Times')").run();
    db.prepare(
      "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp, message_type, text_data) VALUES (1, 1, 0, 'LEG0000000000001', 2, 1466000100000, 0, 'hola')",
    ).run();
    db.close();
    const { messages, notes } = await readAll(path);
    expect(notes.schema).toBe('both');
    const ids = messages.map((m) => m.waKeyId);
    expect(ids.filter((x) => x === 'LEG0000000000001')).toHaveLength(1);
    expect(messages.find((m) => m.waKeyId === 'LEG0000000000001')!.loc.table).toBe('message');
    expect(ids).toContain('LEG0000000000002');
    expect(ids).toContain('LEG0000000000005');
  });

  it('takes the creator of a new-style group from a sibling wa.db and says so', async () => {
    const root = newRoot();
    const path = join(root, 'databases', 'msgstore.db');
    const { g } = buildLegacy(path);
    const wa = new Database(join(root, 'databases', 'wa.db'));
    wa.exec(WA_DB_DDL);
    wa.prepare('INSERT INTO wa_group_admin_settings (jid, creator_jid) VALUES (?, ?)').run(
      g,
      '34600000011@s.whatsapp.net',
    );
    wa.close();
    const { of, notes } = await readAll(path);
    expect(of('group')[0].creatorKey).toBe('phone:+34600000011');
    expect(notes.waDb).toMatchObject({ used: true, creators: 1 });
  });
});

describe('android msgstore reader — damaged and foreign files', () => {
  const expectUserError = async (path: string, re: RegExp) => {
    const err = await readAll(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(re);
  };

  it('rejects a file with an SQLite header and garbage after it, naming the file', async () => {
    const path = join(tmp, 'corrupt.db');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4096, 0x5a)]),
    );
    expect(await reader.detect(path)).toBe(0);
    await expectUserError(path, /corrupt|not a database|malformed|SQLite/i);
  });

  it('rejects a truncated database, naming the file, without crashing', async () => {
    const root = newRoot();
    const { path } = buildNew(root);
    const db = new Database(path);
    const ins = db.prepare(
      'INSERT INTO message (chat_row_id, from_me, key_id, sender_jid_row_id, timestamp, message_type, text_data) VALUES (1, 0, ?, 2, 0, 0, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) ins.run(`PAD${i}`, 'x'.repeat(200));
    })();
    db.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    await expectUserError(path, /corrupt|truncated|malformed/i);
  });

  it('gives 0 for an unknown schema and read() names the missing tables', async () => {
    const path = join(tmp, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    expect(await reader.detect(path)).toBe(0);
    await expectUserError(path, /missing message, chat, jid/);
  });

  it('gives 0 for a file that is not SQLite', async () => {
    const path = join(tmp, 'plain.txt');
    writeFileSync(path, '06/03/2017, 00:45 - Ana: hola\n');
    expect(await reader.detect(path)).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('hola');
  });
});
