import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParsedMember, ParsedRecord, ReaderNotes } from '../src/model/types.js';
import { iosChatStorageReader as reader } from '../src/evidence/ios-chatstorage/index.js';
import { IOS_DDL } from '../src/synth/devices/schemas.js';
import { UserError } from '../src/util/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'filet-ios-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const b64 = (buf: Buffer) => createHash('sha256').update(buf).digest('base64');
const hex = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
const apple = (ms: number) => ms / 1000 - 978307200;

async function readAll(path: string, owner?: string) {
  const notes: ReaderNotes = {};
  const recs: ParsedRecord[] = [];
  for await (const r of reader.read(path, { deviceLabel: 'IPHONE-1', tz: 'UTC', owner }, notes)) recs.push(r);
  const of = <T extends ParsedRecord['type']>(t: T) =>
    recs.filter((r) => r.type === t) as Extract<ParsedRecord, { type: T }>[];
  return { notes, of, messages: of('message'), events: of('event') };
}

const G = '120363222222222222@g.us';
const t0 = Date.UTC(2016, 6, 1, 12, 0, 0);
const present = Buffer.from('ios benign bytes: present');
const stored = Buffer.from('ios benign bytes: recorded');
const other = Buffer.from('ios benign bytes: other');
const absent = Buffer.from('ios benign bytes: absent');

function build(root: string): string {
  mkdirSync(root, { recursive: true });
  const path = join(root, 'ChatStorage.sqlite');
  const db = new Database(path);
  db.exec(IOS_DDL);
  const s = db.prepare(
    'INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE, ZGROUPINFO) VALUES (?, ?, ?, ?, ?)',
  );
  s.run(1, G, 'Quiet Lake', 1, 1);
  s.run(2, 'status@broadcast', null, 3, null);
  s.run(3, '34600000021@s.whatsapp.net', 'Bea', 0, null);
  db.prepare(
    'INSERT INTO ZWAGROUPINFO (Z_PK, ZCHATSESSION, ZCREATORJID, ZCREATIONDATE) VALUES (1, 1, ?, ?)',
  ).run('34600000020@s.whatsapp.net', apple(t0 - 3_600_000));
  const gm = db.prepare(
    'INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZMEMBERJID, ZISADMIN, ZISACTIVE) VALUES (?, 1, ?, ?, ?)',
  );
  gm.run(1, '34600000020@s.whatsapp.net', 1, 1);
  gm.run(2, '34600000021@s.whatsapp.net', 0, 1);
  gm.run(3, '34600000022@s.whatsapp.net', 1, 0);
  const m = db.prepare(
    `INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZMESSAGETYPE, ZGROUPEVENTTYPE, ZFLAGS, ZGROUPMEMBER, ZMEDIAITEM,
      ZMESSAGEDATE, ZSTANZAID, ZTEXT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  m.run(1, 1, 0, 6, 12, 0, 1, null, apple(t0 - 3_600_000), 'SYS1', 'Quiet Lake');
  m.run(2, 1, 0, 6, 2, 0, 1, null, apple(t0 - 60_000), 'SYS2', '34600000021@s.whatsapp.net');
  m.run(3, 1, 0, 0, 0, 0, 1, null, apple(t0), '3EB0AAAA00000001', 'hi all');
  m.run(4, 1, 0, 1, 0, 0x180, 2, 1, apple(t0 + 1000), '3EB0AAAA00000002', null);
  m.run(5, 1, 1, 1, 0, 0x100, null, 2, apple(t0 + 2000), '3EB0AAAA00000003', null);
  m.run(6, 1, 0, 2, 0, 0, 2, 3, apple(t0 + 3000), '3EB0AAAA00000004', null);
  m.run(7, 2, 0, 0, 0, 0, null, null, apple(t0 + 4000), 'STATUS1', 'a status');
  m.run(8, 3, 0, 0, 0, 0, null, null, apple(t0 + 5000), 'DIRECT1', 'direct hi');
  m.run(9, 1, 0, 6, 3, 0, 3, null, apple(t0 + 6000), 'SYS3', null);
  const mi = db.prepare(
    'INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZMEDIALOCALPATH, ZFILESIZE, ZVCARDNAME, ZVCARDSTRING) VALUES (?, ?, ?, ?, ?, ?)',
  );
  mi.run(1, 4, `Media/${G}/a/1/p1.jpg`, present.length, b64(present), 'image/jpeg');
  mi.run(2, 5, `Media/${G}/a/1/p2.jpg`, stored.length, b64(stored), 'image/jpeg');
  mi.run(3, 6, `Media/${G}/a/1/v1.mp4`, absent.length, b64(absent), 'video/mp4');
  db.close();
  mkdirSync(join(root, 'Message', 'Media', G, 'a', '1'), { recursive: true });
  writeFileSync(join(root, 'Message', 'Media', G, 'a', '1', 'p1.jpg'), present);
  writeFileSync(join(root, 'Message', 'Media', G, 'a', '1', 'p2.jpg'), other);
  return path;
}

describe('iOS ChatStorage reader', () => {
  const path = build(join(tmp, 'phone'));

  it('detects ChatStorage and reads sessions, group info and members', async () => {
    expect(await reader.detect(path)).toBeGreaterThan(0.9);
    const { of, notes } = await readAll(path, '+34600000029');
    expect(of('group')).toEqual([
      expect.objectContaining({
        key: `jid:${G}`,
        subject: 'Quiet Lake',
        createdAt: t0 - 3_600_000,
        creatorKey: 'phone:+34600000020',
        loc: { kind: 'row', table: 'ZWACHATSESSION', rowId: 1 },
      }),
    ]);
    expect((of('member') as ParsedMember[]).map((m) => [m.accountKey, m.rank, m.active])).toEqual([
      ['phone:+34600000020', 2, true],
      ['phone:+34600000021', 0, true],
      ['phone:+34600000022', 1, false],
    ]);
    expect(notes.skippedChats).toEqual({ status: 1 });
  });

  it('reads messages: Apple dates, senders via ZGROUPMEMBER, owner, stanza ids, forwarded flags, media', async () => {
    const { messages, notes } = await readAll(path, '+34600000029');
    const by = Object.fromEntries(messages.map((m) => [m.waKeyId, m]));
    expect(by['3EB0AAAA00000001']).toMatchObject({
      key: `id:jid:${G}:3EB0AAAA00000001`,
      at: t0,
      senderKey: 'phone:+34600000020',
      kind: 'text',
      text: 'hi all',
      forwarded: false,
      loc: { kind: 'row', table: 'ZWAMESSAGE', rowId: 3 },
    });
    expect(by['3EB0AAAA00000002']).toMatchObject({
      senderKey: 'phone:+34600000021',
      kind: 'image',
      forwarded: true,
      mediaStatus: 'present',
      mediaSha256: hex(present),
    });
    expect(by['3EB0AAAA00000003']).toMatchObject({
      senderKey: 'phone:+34600000029',
      forwarded: false,
      mediaStatus: 'mismatch',
      mediaSha256: hex(stored),
    });
    expect(by['3EB0AAAA00000004']).toMatchObject({
      kind: 'video',
      mediaStatus: 'hash-only',
      mediaSha256: hex(absent),
    });
    expect(by.DIRECT1).toMatchObject({ chatKind: 'direct', senderKey: 'phone:+34600000021' });
    expect(by.STATUS1).toBeUndefined();
    expect(notes.mediaMismatches).toEqual([
      { path: `Message/Media/${G}/a/1/p2.jpg`, stored: hex(stored), actual: hex(other) },
    ]);
  });

  it('maps group event rows with actor, targets and values; the owner is owner:<device> without --owner', async () => {
    const { events, messages, of } = await readAll(path);
    expect(events.map((e) => [e.eventType, e.actorKey, e.targetKeys, e.value])).toEqual([
      ['created', 'phone:+34600000020', [], 'Quiet Lake'],
      ['added', 'phone:+34600000020', ['phone:+34600000021'], null],
      ['left', 'phone:+34600000022', [], null],
    ]);
    expect(messages.find((m) => m.waKeyId === '3EB0AAAA00000003')!.senderKey).toBe('owner:IPHONE-1');
    const present = of('media').find((m) => m.present)!;
    expect(present.fileRef).toBe(`Message/Media/${G}/a/1/p1.jpg`);
  });

  it('turns damaged and foreign files into UserErrors naming the file', async () => {
    const trunc = build(join(tmp, 'trunc'));
    const db = new Database(trunc);
    const ins = db.prepare(
      'INSERT INTO ZWAMESSAGE (ZCHATSESSION, ZMESSAGETYPE, ZMESSAGEDATE, ZSTANZAID, ZTEXT) VALUES (1, 0, 0, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) ins.run(`P${i}`, 'y'.repeat(200));
    })();
    db.close();
    truncateSync(trunc, Math.floor(statSync(trunc).size / 2));
    const other = join(tmp, 'foreign.sqlite');
    const o = new Database(other);
    o.exec('CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY)');
    o.close();
    expect(await reader.detect(other)).toBe(0);
    for (const [p, re] of [
      [trunc, /corrupt|truncated|malformed/i],
      [other, /missing ZWACHATSESSION, ZWAGROUPMEMBER/],
    ] as const) {
      const err = await readAll(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain(p);
      expect((err as Error).message).toMatch(re);
    }
  });
});
