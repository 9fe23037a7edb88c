/**
 * Reader for iOS `ChatStorage.sqlite`. Layout searched for media (ZMEDIALOCALPATH is relative to the
 * `Message` folder of the app's shared container, sometimes to the container itself):
 *   <root>/ChatStorage.sqlite + <root>/Message/Media/…
 * The owner is `--owner`, else `owner:<device>` (ChatStorage does not hold the owner's number).
 * System rows (ZMESSAGETYPE 6): the actor is ZGROUPMEMBER's JID (the owner when ZISFROMME); the people
 * concerned are the JIDs listed in ZTEXT when it holds JIDs; for subject / creation / description rows
 * ZTEXT is the new text. The doc gathered from public tools is silent on where iOS keeps targets: this is
 * the reading filet uses, and the raw row is kept in `raw`.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type {
  EvidenceReader,
  MediaStatus,
  ParsedRecord,
  ReaderNotes,
  ReaderOptions,
} from '../../model/types.js';
import { base64ToHex } from '../../hashing/digests.js';
import { directChatKey, messageKey } from '../../model/keys.js';
import { UserError } from '../../util/errors.js';
import { AccountEmitter } from '../wa-db/accounts.js';
import { accountKeyOfJid, jidKind, jidString, oldGroupJidFacts, parseJid } from '../wa-db/jids.js';
import { MediaFolder } from '../wa-db/media.js';
import { resolveOwner } from '../wa-db/owner.js';
import { colOr, columnsOf, iterateRows, openDb, sqliteSignature } from '../wa-db/sqlite.js';
import { IOS_MEDIA_KINDS, IOS_VALUE_EVENTS, appleToMs, iosEvent, iosMessageKind } from './codes.js';

export const IOS_TABLES = ['ZWAMESSAGE', 'ZWACHATSESSION'];
const SELF_EVENTS = new Set(['left', 'joined_via_link']);

async function detect(path: string): Promise<number> {
  const sig = await sqliteSignature(path);
  return sig && IOS_TABLES.every((t) => sig.tables.has(t)) ? 0.95 : 0;
}

function mediaFolder(dbPath: string): MediaFolder {
  const root = dirname(resolve(dbPath));
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  const bases = [join(root, 'Message'), root].filter(
    (b) => isDir(join(b, 'Media')) || isDir(join(b, 'Message')),
  );
  return new MediaFolder(root, bases, ['Message']);
}

interface MsgRow {
  id: number;
  chat: number | null;
  fromMe: number | null;
  mtype: number | null;
  etype: number | null;
  flags: number | null;
  member: number | null;
  date: number | null;
  stanza: string | null;
  text: string | null;
  mediaPk: number | null;
  localPath: string | null;
  fileSize: number | null;
  vname: string | null;
  vstring: string | null;
}

async function* read(path: string, options: ReaderOptions, notes: ReaderNotes): AsyncGenerator<ParsedRecord> {
  const opened = await openDb(path, notes);
  const { db, tables } = opened;
  try {
    const missing = ['ZWAMESSAGE', 'ZWACHATSESSION', 'ZWAGROUPMEMBER'].filter((t) => !tables.has(t));
    if (missing.length) {
      throw new UserError(
        `SQLite database without the WhatsApp ChatStorage tables: missing ${missing.join(', ')}`,
        {
          file: path,
        },
      );
    }
    const media = options.mediaFolder
      ? new MediaFolder(options.mediaFolder.evidenceRoot, options.mediaFolder.bases, ['Message'])
      : mediaFolder(path);
    const owner = resolveOwner(options.deviceLabel, options.owner, [], options.ownerSource);
    const accounts = new AccountEmitter(owner.key);
    const counts = {
      groups: 0,
      members: 0,
      messages: 0,
      events: 0,
      eventsOutsideGroups: 0,
      rowsWithoutChat: 0,
    };
    const skipped: Record<string, number> = {};
    const unknownKinds: Record<string, number> = {};
    const unknownEvents: Record<string, number> = {};

    const person = function* (raw: string | null, table: string, rowId: number, name?: string | null) {
      const j = parseJid(raw);
      const key = j ? accountKeyOfJid(j) : null;
      if (j && key) {
        const rec = accounts.see(key, jidString(j), { kind: 'row', table, rowId }, name);
        if (rec) yield rec;
      }
      return key;
    };

    // Group info by session: creator and creation date.
    const info = new Map<number, { creator: string | null; created: number | null }>();
    if (tables.has('ZWAGROUPINFO')) {
      const cols = columnsOf(db, 'ZWAGROUPINFO');
      for (const g of iterateRows<{ s: number; c: string | null; d: number | null }>(
        db,
        path,
        'ZWAGROUPINFO',
        `SELECT g.ZCHATSESSION AS s, ${colOr(cols, 'g', 'ZCREATORJID', 'c')}, ${colOr(cols, 'g', 'ZCREATIONDATE', 'd')}
         FROM ZWAGROUPINFO g`,
      ))
        info.set(g.s, { creator: g.c, created: appleToMs(g.d) });
    }

    const chats = new Map<number, { key: string; kind: 'group' | 'direct'; partner: string | null }>();
    const creators = new Map<number, string>();
    const sCols = columnsOf(db, 'ZWACHATSESSION');
    for (const s of iterateRows<{ id: number; jid: string | null; name: string | null; type: number | null }>(
      db,
      path,
      'ZWACHATSESSION',
      `SELECT s.Z_PK AS id, s.ZCONTACTJID AS jid, ${colOr(sCols, 's', 'ZPARTNERNAME', 'name')},
        ${colOr(sCols, 's', 'ZSESSIONTYPE', 'type')} FROM ZWACHATSESSION s ORDER BY s.Z_PK`,
    )) {
      const j = parseJid(s.jid);
      if (!j) continue;
      const kind = jidKind(j);
      const loc = { kind: 'row' as const, table: 'ZWACHATSESSION', rowId: s.id };
      if (kind === 'group') {
        const jid = jidString(j);
        const key = `jid:${jid}`;
        const gi = info.get(s.id);
        const old = oldGroupJidFacts(jid);
        const creator =
          (gi?.creator ? yield* person(gi.creator, 'ZWAGROUPINFO', s.id) : null) ?? old?.creatorKey ?? null;
        if (creator) creators.set(s.id, creator);
        chats.set(s.id, { key, kind: 'group', partner: null });
        counts.groups++;
        yield {
          type: 'group',
          key,
          jid,
          subject: s.name,
          createdAt: gi?.created ?? old?.createdAt ?? null,
          creatorKey: creator,
          loc,
        };
      } else if (kind === 'person' || kind === 'lid') {
        // A person or LID JID always names an account.
        const key = (yield* person(s.jid, 'ZWACHATSESSION', s.id, s.name))!;
        chats.set(s.id, { key: directChatKey(owner.key, key), kind: 'direct', partner: key });
      } else skipped[kind] = (skipped[kind] ?? 0) + 1;
    }

    const members = new Map<number, string>();
    const gmCols = columnsOf(db, 'ZWAGROUPMEMBER');
    for (const m of iterateRows<{
      id: number;
      s: number | null;
      jid: string | null;
      admin: number | null;
      active: number | null;
      name: string | null;
    }>(
      db,
      path,
      'ZWAGROUPMEMBER',
      `SELECT m.Z_PK AS id, m.ZCHATSESSION AS s, m.ZMEMBERJID AS jid, ${colOr(gmCols, 'm', 'ZISADMIN', 'admin')},
        ${colOr(gmCols, 'm', 'ZISACTIVE', 'active')}, ${colOr(gmCols, 'm', 'ZCONTACTNAME', 'name')}
       FROM ZWAGROUPMEMBER m ORDER BY m.Z_PK`,
    )) {
      const key = yield* person(m.jid, 'ZWAGROUPMEMBER', m.id, m.name);
      if (!key) continue;
      members.set(m.id, key);
      const chat = m.s === null ? undefined : chats.get(m.s);
      if (!chat || chat.kind !== 'group') continue;
      const admin = m.admin ?? 0;
      counts.members++;
      yield {
        type: 'member',
        groupKey: chat.key,
        accountKey: key,
        rank: admin > 1 ? admin : admin === 1 ? (creators.get(m.s!) === key ? 2 : 1) : 0,
        active: m.active === null || m.active === 1,
        loc: { kind: 'row', table: 'ZWAGROUPMEMBER', rowId: m.id },
      };
    }

    const mCols = columnsOf(db, 'ZWAMESSAGE');
    const hasMedia = tables.has('ZWAMEDIAITEM');
    const sql = `SELECT m.Z_PK AS id, m.ZCHATSESSION AS chat, m.ZISFROMME AS fromMe, m.ZMESSAGETYPE AS mtype,
        ${colOr(mCols, 'm', 'ZGROUPEVENTTYPE', 'etype')}, ${colOr(mCols, 'm', 'ZFLAGS', 'flags')},
        ${colOr(mCols, 'm', 'ZGROUPMEMBER', 'member')}, m.ZMESSAGEDATE AS date, m.ZSTANZAID AS stanza,
        ${colOr(mCols, 'm', 'ZTEXT', 'text')},
        ${
          hasMedia
            ? 'mi.Z_PK AS mediaPk, mi.ZMEDIALOCALPATH AS localPath, mi.ZFILESIZE AS fileSize, mi.ZVCARDNAME AS vname, mi.ZVCARDSTRING AS vstring'
            : 'NULL AS mediaPk, NULL AS localPath, NULL AS fileSize, NULL AS vname, NULL AS vstring'
        }
      FROM ZWAMESSAGE m ${hasMedia && mCols.has('ZMEDIAITEM') ? 'LEFT JOIN ZWAMEDIAITEM mi ON mi.Z_PK = m.ZMEDIAITEM' : ''}
      ORDER BY m.Z_PK`;
    for (const m of iterateRows<MsgRow>(db, path, 'ZWAMESSAGE', sql)) {
      const chat = m.chat === null ? undefined : chats.get(m.chat);
      if (!chat) {
        counts.rowsWithoutChat++;
        continue;
      }
      const at = appleToMs(m.date) ?? 0;
      const loc = { kind: 'row' as const, table: 'ZWAMESSAGE', rowId: m.id };
      const memberKey = m.member === null ? null : (members.get(m.member) ?? null);
      const fromMe = m.fromMe === 1;
      if (m.mtype === 6) {
        if (chat.kind !== 'group') {
          counts.eventsOutsideGroups++;
          continue;
        }
        const eventType = iosEvent(m.etype);
        if (eventType === 'unknown')
          unknownEvents[String(m.etype)] = (unknownEvents[String(m.etype)] ?? 0) + 1;
        let actor = fromMe ? owner.key : memberKey;
        let targets: string[] = [];
        if (!IOS_VALUE_EVENTS.has(eventType) && m.text) {
          for (const tok of m.text.split(/[\s,;]+/)) {
            const k = yield* person(tok, 'ZWAMESSAGE', m.id);
            if (k) targets.push(k);
          }
        }
        targets = [...new Set(targets)];
        if (SELF_EVENTS.has(eventType)) {
          actor = actor ?? targets[0] ?? null;
          targets = targets.filter((t) => t !== actor);
        }
        counts.events++;
        yield {
          type: 'event',
          groupKey: chat.key,
          eventType,
          actorKey: actor,
          targetKeys: targets,
          at,
          value: IOS_VALUE_EVENTS.has(eventType) ? m.text : null,
          raw: `ZMESSAGETYPE=6 ZGROUPEVENTTYPE=${m.etype ?? 'null'}` + (m.text ? ` ZTEXT=${m.text}` : ''),
          loc,
        };
        continue;
      }
      const kind = iosMessageKind(m.mtype);
      if (kind === 'other') unknownKinds[String(m.mtype)] = (unknownKinds[String(m.mtype)] ?? 0) + 1;
      let mediaSha: string | null = null;
      let mediaStatus: MediaStatus | null = null;
      if (IOS_MEDIA_KINDS.has(kind) && (m.mediaPk !== null || m.localPath)) {
        // ZVCARDNAME is the SHA-256 only for media; for contact cards it is a name.
        const stored = m.vname ? base64ToHex(m.vname) : null;
        const out = await media.check([m.localPath], stored, m.vstring, m.fileSize, {
          kind: 'row',
          table: 'ZWAMEDIAITEM',
          rowId: m.mediaPk ?? m.id,
        });
        if (out.media) yield out.media;
        mediaSha = out.sha256;
        mediaStatus = out.status;
      }
      const sender = fromMe ? owner.key : chat.kind === 'direct' ? chat.partner : memberKey;
      counts.messages++;
      yield {
        type: 'message',
        key: messageKey(chat.key, m.stanza, sender, at, m.text),
        chatKey: chat.key,
        chatKind: chat.kind,
        senderKey: sender,
        at,
        tz: options.tz,
        kind,
        text: IOS_MEDIA_KINDS.has(kind) ? null : m.text,
        forwarded: ((m.flags ?? 0) & 0x180) === 0x180,
        forwardScore: null,
        waKeyId: m.stanza,
        mediaSha256: mediaSha,
        mediaName: m.localPath ? m.localPath.split('/').pop()! : null,
        mediaStatus,
        loc,
      };
    }
    notes.owner = { key: owner.key, number: owner.phone, source: owner.source };
    notes.skippedChats = skipped;
    notes.counts = { ...counts, accounts: accounts.size, unknownKinds, unknownEvents };
    media.writeNotes(notes);
  } finally {
    opened.close();
  }
}

export const iosChatStorageReader: EvidenceReader = {
  kind: 'ios-chatstorage',
  description: 'iOS WhatsApp ChatStorage.sqlite',
  detect,
  read,
  artifacts: {
    patterns: [
      '**/AppGroup/*/ChatStorage.sqlite',
      '**/group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite',
      '**/ChatStorage.sqlite',
    ],
    // IPED's signature.
    tables: [['ZWACHATSESSION'], ['ZWAMESSAGE'], ['ZWAMEDIAITEM'], ['ZWAGROUPMEMBER']],
  },
};
