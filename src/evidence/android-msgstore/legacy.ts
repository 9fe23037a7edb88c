/**
 * The pre-2021 schema (media_wa_type is a TEXT column there, hence the cast): one `messages` table keyed by JID strings, members in `group_participants`,
 * group names in `chat_list` (when present). System rows are `media_wa_type = 0 AND status = 6` with the
 * action code in `media_size`; the actor is `remote_resource` (the owner when key_from_me), and the JIDs
 * concerned, when recorded, are read from `data` (comma- or space-separated); for subject, creation and
 * description rows `data` is the new text. In a transitional database holding both schemas, only rows
 * whose key_id is absent from the new `message` table are read here.
 */
import type { MediaStatus, ParsedRecord } from '../../model/types.js';
import { base64ToHex } from '../../hashing/digests.js';
import { messageKey } from '../../model/keys.js';
import { accountKeyOfJid, jidKind, jidString, parseJid } from '../wa-db/jids.js';
import { colOr, columnsOf, iterateRows } from '../wa-db/sqlite.js';
import { MEDIA_KINDS, messageKind } from './codes.js';
import type { Ctx } from './context.js';
import { legacyMediaPaths } from './layout.js';
import { groupRecord } from './new-schema.js';

interface LegacyRow {
  id: number;
  chat: string | null;
  fromMe: number | null;
  keyId: string | null;
  res: string | null;
  status: number | null;
  ts: number | null;
  data: string | null;
  wtype: number | null;
  mediaName: string | null;
  mediaHash: string | null;
  mediaSize: number | null;
  mime: string | null;
  fwd: number | null;
}

const VALUE_EVENTS = new Set([1, 11, 27]);

export async function* readLegacySchema(
  ctx: Ctx,
  tables: Set<string>,
  alsoNew: boolean,
): AsyncGenerator<ParsedRecord> {
  const { db, path, owner, options } = ctx;
  const person = function* (raw: string | null, table: string, rowId: number) {
    const j = parseJid(raw);
    const key = j ? accountKeyOfJid(j) : null;
    if (j && key) {
      const rec = ctx.accounts.see(key, jidString(j), { kind: 'row', table, rowId });
      if (rec) yield rec;
    }
    return key;
  };

  if (tables.has('chat_list')) {
    const cols = columnsOf(db, 'chat_list');
    for (const c of iterateRows<{
      id: number;
      jid: string | null;
      subject: string | null;
      creation: number | null;
    }>(
      db,
      path,
      'chat_list',
      `SELECT c._id AS id, c.key_remote_jid AS jid, ${colOr(cols, 'c', 'subject')}, ${colOr(cols, 'c', 'creation')}
       FROM chat_list c ORDER BY c._id`,
    )) {
      const ref = ctx.chatOfJid(c.jid);
      if (!ref) continue;
      if ('skipped' in ref) {
        if (!alsoNew) ctx.skipChat(ref.skipped);
        continue;
      }
      if (ref.kind === 'group' && !ctx.groups.has(ref.key))
        yield groupRecord(ctx, ref.key, c.subject, c.creation, { table: 'chat_list', rowId: c.id });
    }
  }

  if (tables.has('group_participants')) {
    const cols = columnsOf(db, 'group_participants');
    for (const p of iterateRows<{
      id: number;
      gjid: string | null;
      jid: string | null;
      admin: number | null;
      pending: number | null;
    }>(
      db,
      path,
      'group_participants',
      `SELECT p._id AS id, p.gjid AS gjid, p.jid AS jid, ${colOr(cols, 'p', 'admin')}, ${colOr(cols, 'p', 'pending')}
       FROM group_participants p ORDER BY p._id`,
    )) {
      const g = parseJid(p.gjid);
      if (!g || jidKind(g) !== 'group') continue;
      const groupKey = `jid:${jidString(g)}`;
      if (ctx.groupsWithMembers.has(groupKey) && alsoNew) continue;
      if (!ctx.groups.has(groupKey))
        yield groupRecord(ctx, groupKey, null, null, { table: 'group_participants', rowId: p.id });
      // The owner's own row has an empty jid.
      const accountKey = p.jid ? yield* person(p.jid, 'group_participants', p.id) : owner.key;
      if (!accountKey) continue;
      ctx.counts.members++;
      yield {
        type: 'member',
        groupKey,
        accountKey,
        rank: p.admin ?? 0,
        active: !p.pending,
        loc: { kind: 'row', table: 'group_participants', rowId: p.id },
      };
    }
  }

  const cols = columnsOf(db, 'messages');
  const where = alsoNew
    ? 'WHERE m.key_id IS NULL OR m.key_id NOT IN (SELECT key_id FROM message WHERE key_id IS NOT NULL)'
    : '';
  const sql = `SELECT m._id AS id, m.key_remote_jid AS chat, m.key_from_me AS fromMe, m.key_id AS keyId,
      ${colOr(cols, 'm', 'remote_resource', 'res')}, ${colOr(cols, 'm', 'status')}, m.timestamp AS ts,
      ${colOr(cols, 'm', 'data')}, ${cols.has('media_wa_type') ? 'CAST(m.media_wa_type AS INTEGER)' : 'NULL'} AS wtype, ${colOr(cols, 'm', 'media_name', 'mediaName')},
      ${colOr(cols, 'm', 'media_hash', 'mediaHash')}, ${colOr(cols, 'm', 'media_size', 'mediaSize')},
      ${colOr(cols, 'm', 'media_mime_type', 'mime')}, ${colOr(cols, 'm', 'forwarded', 'fwd')}
    FROM messages m ${where} ORDER BY m._id`;
  if (alsoNew) {
    const total = db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number };
    ctx.counts.legacyRowsAlsoInNewSchema = total.n;
  }
  let read = 0;
  for (const m of iterateRows<LegacyRow>(db, path, 'messages', sql)) {
    read++;
    const ref = ctx.chatOfJid(m.chat);
    if (!ref) {
      ctx.counts.rowsWithoutChat++;
      continue;
    }
    if ('skipped' in ref) {
      ctx.counts.rowsInSkippedChats++;
      continue;
    }
    const loc = { kind: 'row' as const, table: 'messages', rowId: m.id };
    if (ref.kind === 'group' && !ctx.groups.has(ref.key)) yield groupRecord(ctx, ref.key, null, null, loc);
    const fromMe = m.fromMe === 1;
    const at = m.ts ?? 0;
    const resKey: string | null = fromMe ? owner.key : yield* person(m.res, 'messages', m.id);
    if (m.wtype === 0 && m.status === 6) {
      if (ref.kind !== 'group') {
        ctx.counts.eventsOutsideGroups++;
        continue;
      }
      const code = m.mediaSize;
      const valueEvent = code !== null && VALUE_EVENTS.has(code);
      const targets: string[] = [];
      if (!valueEvent && m.data) {
        for (const tok of m.data.split(/[\s,;]+/)) {
          const k = yield* person(tok, 'messages', m.id);
          if (k) targets.push(k);
        }
      }
      const raw = `media_wa_type=0 status=6 media_size=${code ?? 'null'}` + (m.data ? ` data=${m.data}` : '');
      yield ctx.event(ref.key, code, resKey, targets, at, valueEvent ? m.data : null, raw, loc);
      continue;
    }
    const kind = messageKind(m.wtype);
    if (kind === 'other') ctx.noteKind(m.wtype);
    let mediaSha: string | null = null;
    let mediaStatus: MediaStatus | null = null;
    if (m.mediaHash || MEDIA_KINDS.has(kind)) {
      const stored = m.mediaHash ? base64ToHex(m.mediaHash) : null;
      const out = await ctx.media.check(
        legacyMediaPaths(m.wtype, m.mediaName, fromMe),
        stored,
        m.mime,
        m.mediaSize,
        loc,
      );
      if (out.media) yield out.media;
      mediaSha = out.sha256;
      mediaStatus = out.status;
    }
    const sender = fromMe ? owner.key : ref.kind === 'direct' ? ref.partnerKey : resKey;
    ctx.counts.messages++;
    yield {
      type: 'message',
      key: messageKey(ref.key, m.keyId, sender, at, m.data),
      chatKey: ref.key,
      chatKind: ref.kind,
      senderKey: sender,
      at,
      tz: options.tz,
      kind,
      text: MEDIA_KINDS.has(kind) ? null : m.data,
      forwarded: (m.fwd ?? 0) > 0,
      forwardScore: null,
      waKeyId: m.keyId,
      mediaSha256: mediaSha,
      mediaName: m.mediaName,
      mediaStatus,
      loc,
    };
  }
  ctx.counts.legacyRowsRead = read;
  if (alsoNew) ctx.counts.legacyRowsAlsoInNewSchema -= read;
}
