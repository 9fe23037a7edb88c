/**
 * Writes one synthetic iPhone: `<outDir>/ChatStorage.sqlite` and `<outDir>/Message/Media/<group>/…`
 * holding a fraction of the pictures (the rest known only by their hash). ZSTANZAID is the operation's
 * key id, so the same message from an Android and an iOS phone meets in the case. System rows carry the
 * actor in ZGROUPMEMBER and the people concerned as JIDs in ZTEXT (the reading the iOS reader documents).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { APPLE_EPOCH_S, IOS_EVENT_CODE } from '../../evidence/ios-chatstorage/codes.js';
import type { Device, Operation } from '../operation.js';
import { rngFor } from '../random.js';
import { IOS_DDL } from './schemas.js';
import { deviceView, hexToBase64, personJid, type DeviceDbSummary } from './view.js';

export interface IosWriterOptions {
  mediaBytes: (mediaId: number) => Buffer | Promise<Buffer>;
  presentFraction: number;
}

const apple = (ms: number) => ms / 1000 - APPLE_EPOCH_S;

export async function writeIosChatStorage(
  op: Operation,
  device: Device,
  outDir: string,
  opts: IosWriterOptions,
): Promise<DeviceDbSummary> {
  const view = deviceView(op, device);
  const rng = rngFor(op.seed, `ios-db:${device.label}`);
  const mediaRng = rngFor(op.seed, `ios-media:${device.label}`);
  const mediaById = new Map(op.media.map((m) => [m.id, m]));
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'ChatStorage.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = DELETE');
  const files: Array<{ rel: string; id: number }> = [];
  const placed = new Map<number, { rel: string; present: boolean }>();
  let messages = 0;
  let events = 0;
  let present = 0;
  let hashOnly = 0;

  db.transaction(() => {
    db.exec(IOS_DDL);
    const insSession = db.prepare(
      'INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE, ZGROUPINFO, ZARCHIVED) VALUES (?, 6, ?, ?, 1, ?, 0)',
    );
    const insInfo = db.prepare(
      'INSERT INTO ZWAGROUPINFO (Z_PK, ZCHATSESSION, ZCREATORJID, ZCREATIONDATE, ZOWNERJID) VALUES (?, ?, ?, ?, ?)',
    );
    const insMember = db.prepare(
      'INSERT INTO ZWAGROUPMEMBER (Z_PK, ZCHATSESSION, ZMEMBERJID, ZISADMIN, ZISACTIVE) VALUES (?, ?, ?, ?, ?)',
    );
    const insMsg = db.prepare(
      `INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZMESSAGETYPE, ZGROUPEVENTTYPE, ZFLAGS, ZGROUPMEMBER,
         ZMEDIAITEM, ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZTOJID, ZSTANZAID, ZTEXT, ZMESSAGESTATUS)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insMedia = db.prepare(
      `INSERT INTO ZWAMEDIAITEM (Z_PK, ZMESSAGE, ZMEDIALOCALPATH, ZFILESIZE, ZVCARDNAME, ZVCARDSTRING)
       VALUES (?, ?, ?, ?, ?, 'image/jpeg')`,
    );
    let memberPk = 0;
    let msgPk = 0;
    let mediaPk = 0;
    view.groups.forEach((gv, i) => {
      const g = gv.group;
      const session = i + 1;
      insSession.run(session, g.jid, gv.subject, session);
      insInfo.run(session, session, personJid(g.creator), apple(g.createdAt), personJid(g.creator));
      // One member row per person this phone knows in the group; active ones are the current list.
      const members = new Map<string, number>();
      const current = new Map(gv.participants.map((p) => [p.phone, p.rank]));
      const people = new Set<string>([
        ...gv.participants.map((p) => p.phone),
        ...gv.messages.map((m) => m.sender),
        ...gv.events.flatMap((e) => (e.actor ? [e.actor] : [])),
      ]);
      for (const phone of people) {
        if (phone === device.owner && !current.has(phone)) continue;
        const rank = current.get(phone);
        insMember.run(++memberPk, session, personJid(phone), rank ? 1 : 0, rank === undefined ? 0 : 1);
        members.set(phone, memberPk);
      }
      const timeline = [
        ...gv.messages.map((m) => ({ at: m.at, m, e: null })),
        ...gv.events.map((e) => ({ at: e.at, m: null, e })),
      ].sort((a, b) => a.at - b.at);
      for (const { m, e } of timeline) {
        if (e) {
          const code = IOS_EVENT_CODE[e.type];
          if (code === undefined) continue;
          const fromMe = e.actor === device.owner;
          const text =
            e.type === 'created'
              ? g.subjects[0].subject
              : e.type === 'subject_changed'
                ? e.value
                : e.targets.length
                  ? e.targets.map(personJid).join(',')
                  : null;
          insMsg.run(
            ++msgPk,
            session,
            fromMe ? 1 : 0,
            6,
            code,
            0,
            fromMe || !e.actor ? null : (members.get(e.actor) ?? null),
            null,
            apple(e.at),
            apple(e.at),
            g.jid,
            null,
            rng.hex(16),
            text,
            6,
          );
          events++;
          continue;
        }
        const fromMe = m!.sender === device.owner;
        let mediaItem: number | null = null;
        const pk = ++msgPk;
        if (m!.mediaId !== null) {
          let place = placed.get(m!.mediaId);
          if (!place) {
            const rel = `Media/${g.jid}/${rng.hex(1).toLowerCase()}/${rng.hex(1).toLowerCase()}/${rng.hex(8)}-${rng.hex(4)}.jpg`;
            place = { rel, present: mediaRng.chance(opts.presentFraction) };
            placed.set(m!.mediaId, place);
            if (place.present) {
              present++;
              files.push({ rel: `Message/${rel}`, id: m!.mediaId });
            } else hashOnly++;
          }
          const md = mediaById.get(m!.mediaId)!;
          mediaItem = ++mediaPk;
          insMedia.run(mediaItem, pk, place.rel, md.size, hexToBase64(md.sha256));
        }
        insMsg.run(
          pk,
          session,
          fromMe ? 1 : 0,
          m!.kind === 'image' ? 1 : 0,
          0,
          m!.forwarded ? 0x180 : 0,
          fromMe ? null : (members.get(m!.sender) ?? null),
          mediaItem,
          apple(m!.at),
          apple(m!.at),
          fromMe ? null : g.jid,
          fromMe ? g.jid : null,
          m!.id,
          m!.text,
          fromMe ? 8 : 0,
        );
        messages++;
      }
    });
  })();
  db.close();
  for (const f of files) {
    const p = join(outDir, f.rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, await opts.mediaBytes(f.id));
  }
  return {
    path,
    schema: 'ios',
    groups: view.groups.length,
    messages,
    events,
    mediaPresent: present,
    mediaHashOnly: hashOnly,
    presentMediaIds: [...new Set(files.map((f) => f.id))].sort((a, b) => a - b),
  };
}
