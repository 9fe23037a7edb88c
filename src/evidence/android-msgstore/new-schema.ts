/** The 2021+ schema: message / chat / jid and their side tables. */
import { basename } from 'node:path';
import type { MediaStatus, ParsedGroup, ParsedRecord } from '../../model/types.js';
import { base64ToHex } from '../../hashing/digests.js';
import { messageKey } from '../../model/keys.js';
import { accountKeyOfJid, jidKind, jidString, oldGroupJidFacts, parseJid } from '../wa-db/jids.js';
import { allRows, colOr, columnsOf, iterateRows } from '../wa-db/sqlite.js';
import { MEDIA_KINDS, messageKind } from './codes.js';
import type { ChatRef, Ctx } from './context.js';

interface JidRow {
  _id: number;
  user: string | null;
  server: string | null;
  agent: number | null;
  device: number | null;
  raw_string: string | null;
}

interface MsgRow {
  id: number;
  chat: number | null;
  fromMe: number | null;
  keyId: string | null;
  sender: number | null;
  ts: number | null;
  mtype: number | null;
  text: string | null;
  oflags: number | null;
  fscore: number | null;
  fwdRow: number | null;
  filePath: string | null;
  fileSize: number | null;
  mime: string | null;
  mediaName: string | null;
  fileHash: string | null;
  action: number | null;
}

function rowJid(r: JidRow): string | null {
  if (r.raw_string) return r.raw_string;
  if (!r.user || !r.server) return null;
  return `${r.user}${r.agent ? '.' + r.agent : ''}${r.device ? ':' + r.device : ''}@${r.server}`;
}

/** JID rows → identities, with `jid_map` resolving LIDs to phone numbers and devices folded in. */
export class JidTable {
  private readonly raw = new Map<number, string | null>();
  private readonly keys = new Map<number, string | null>();
  private readonly lidToPhone = new Map<string, string>();
  lidsMapped = 0;
  lidsUnmapped = 0;
  devicesFolded = 0;

  constructor(private readonly ctx: Ctx) {
    const { db, path } = ctx;
    const cols = columnsOf(db, 'jid');
    const rows = allRows<JidRow>(
      db,
      path,
      'jid',
      `SELECT j._id AS _id, ${colOr(cols, 'j', 'user')}, ${colOr(cols, 'j', 'server')}, ${colOr(cols, 'j', 'agent')},
        ${colOr(cols, 'j', 'device')}, ${colOr(cols, 'j', 'raw_string')} FROM jid j`,
    );
    for (const r of rows) this.raw.set(r._id, rowJid(r));
  }

  loadJidMap(tables: Set<string>): void {
    if (!tables.has('jid_map')) return;
    const { db, path } = this.ctx;
    for (const m of allRows<{ lid: number; jid: number }>(
      db,
      path,
      'jid_map',
      'SELECT lid_row_id AS lid, jid_row_id AS jid FROM jid_map',
    )) {
      const lid = parseJid(this.raw.get(m.lid));
      const phone = parseJid(this.raw.get(m.jid));
      if (!lid || !phone || jidKind(lid) !== 'lid') continue;
      const key = accountKeyOfJid(phone);
      if (key?.startsWith('phone:')) this.lidToPhone.set(jidString(lid), key);
    }
  }

  jid(id: number | null): string | null {
    return id === null ? null : (this.raw.get(id) ?? null);
  }

  /** The identity of a JID row; the owner when the row is the phone's own (empty) JID. */
  key(id: number | null): string | null {
    if (id === null) return null;
    let k = this.keys.get(id);
    if (k !== undefined) return k;
    const raw = this.raw.get(id);
    const j = parseJid(raw);
    if (raw === undefined) k = null;
    else if (!raw || !j) k = raw === null || raw === '' ? this.ctx.owner.key : null;
    else {
      const s = jidString(j);
      k = jidKind(j) === 'lid' ? (this.lidToPhone.get(s) ?? accountKeyOfJid(j)) : accountKeyOfJid(j);
    }
    this.keys.set(id, k);
    return k;
  }

  /** One account record per identity, listing each JID (phone, LID) it appears under. */
  *accounts(): Generator<ParsedRecord> {
    for (const [id, raw] of this.raw) {
      const j = parseJid(raw);
      if (!j || !raw) continue;
      const kind = jidKind(j);
      if (kind !== 'person' && kind !== 'lid') continue;
      const key = this.key(id)!;
      if (kind === 'lid') {
        if (key.startsWith('phone:')) this.lidsMapped++;
        else this.lidsUnmapped++;
      }
      if (jidString(j) !== raw.toLowerCase() && raw.includes(':')) this.devicesFolded++;
      const rec = this.ctx.accounts.see(key, jidString(j), { kind: 'row', table: 'jid', rowId: id });
      if (rec) yield rec;
    }
  }
}

export async function* readNewSchema(ctx: Ctx, tables: Set<string>): AsyncGenerator<ParsedRecord> {
  const { db, path, owner, options } = ctx;
  const jids = new JidTable(ctx);
  jids.loadJidMap(tables);
  yield* jids.accounts();

  const chats = new Map<number, ChatRef>();
  const chatCols = columnsOf(db, 'chat');
  for (const c of iterateRows<{ id: number; jidRow: number; subject: string | null; created: number | null }>(
    db,
    path,
    'chat',
    `SELECT c._id AS id, c.jid_row_id AS jidRow, ${colOr(chatCols, 'c', 'subject')},
      ${colOr(chatCols, 'c', 'created_timestamp', 'created')} FROM chat c ORDER BY c._id`,
  )) {
    const ref = ctx.chatOfJid(jids.jid(c.jidRow), jids.key(c.jidRow));
    if (!ref) continue;
    if ('skipped' in ref) {
      ctx.skipChat(ref.skipped);
      continue;
    }
    chats.set(c.id, ref);
    if (ref.kind !== 'group') continue;
    yield groupRecord(ctx, ref.key, c.subject, c.created, { table: 'chat', rowId: c.id });
  }

  if (tables.has('group_participant_user')) {
    const gpCols = columnsOf(db, 'group_participant_user');
    for (const p of iterateRows<{
      id: number;
      g: number;
      u: number;
      rank: number | null;
      pending: number | null;
    }>(
      db,
      path,
      'group_participant_user',
      `SELECT p._id AS id, p.group_jid_row_id AS g, p.user_jid_row_id AS u, ${colOr(gpCols, 'p', 'rank')},
        ${colOr(gpCols, 'p', 'pending')} FROM group_participant_user p ORDER BY p._id`,
    )) {
      const g = parseJid(jids.jid(p.g));
      if (!g || jidKind(g) !== 'group') continue;
      const groupKey = `jid:${jidString(g)}`;
      const accountKey = jids.key(p.u) ?? (jids.jid(p.u) === null ? owner.key : null);
      if (!accountKey) continue;
      if (!ctx.groups.has(groupKey))
        yield groupRecord(ctx, groupKey, null, null, { table: 'group_participant_user', rowId: p.id });
      ctx.groupsWithMembers.add(groupKey);
      ctx.counts.members++;
      yield {
        type: 'member',
        groupKey,
        accountKey,
        rank: p.rank ?? 0,
        active: !p.pending,
        loc: { kind: 'row', table: 'group_participant_user', rowId: p.id },
      };
    }
  }

  const mCols = columnsOf(db, 'message');
  const has = (t: string) => tables.has(t);
  const sql = `SELECT m._id AS id, m.chat_row_id AS chat, m.from_me AS fromMe, m.key_id AS keyId,
      m.sender_jid_row_id AS sender, m.timestamp AS ts, m.message_type AS mtype, m.text_data AS text,
      ${colOr(mCols, 'm', 'origination_flags', 'oflags')},
      ${has('message_forwarded') ? 'mf.forward_score AS fscore, mf.message_row_id AS fwdRow' : 'NULL AS fscore, NULL AS fwdRow'},
      ${
        has('message_media')
          ? 'mm.file_path AS filePath, mm.file_size AS fileSize, mm.mime_type AS mime, mm.media_name AS mediaName, mm.file_hash AS fileHash'
          : 'NULL AS filePath, NULL AS fileSize, NULL AS mime, NULL AS mediaName, NULL AS fileHash'
      },
      ${has('message_system') ? 'ms.action_type AS action' : 'NULL AS action'}
    FROM message m
    ${has('message_forwarded') ? 'LEFT JOIN message_forwarded mf ON mf.message_row_id = m._id' : ''}
    ${has('message_media') ? 'LEFT JOIN message_media mm ON mm.message_row_id = m._id' : ''}
    ${has('message_system') ? 'LEFT JOIN message_system ms ON ms.message_row_id = m._id' : ''}
    ORDER BY m._id`;

  const targetsOf = has('message_system_chat_participant')
    ? db.prepare('SELECT user_jid_row_id AS u FROM message_system_chat_participant WHERE message_row_id = ?')
    : null;
  const oldValueOf = has('message_system_value_change')
    ? db.prepare('SELECT old_data AS old FROM message_system_value_change WHERE message_row_id = ?')
    : null;
  const numberOf = has('message_system_number_change')
    ? db.prepare(
        'SELECT old_jid_row_id AS o, new_jid_row_id AS n FROM message_system_number_change WHERE message_row_id = ?',
      )
    : null;

  for (const m of iterateRows<MsgRow>(db, path, 'message', sql)) {
    const chat = m.chat === null ? undefined : chats.get(m.chat);
    if (!chat) {
      ctx.counts.rowsWithoutChat++;
      continue;
    }
    const at = m.ts ?? 0;
    const fromMe = m.fromMe === 1;
    const loc = { kind: 'row' as const, table: 'message', rowId: m.id };
    if (m.action !== null || m.mtype === 7) {
      if (chat.kind !== 'group') {
        ctx.counts.eventsOutsideGroups++;
        continue;
      }
      let actor = fromMe ? owner.key : jids.key(m.sender);
      const targets: string[] = [];
      for (const t of (targetsOf?.all(m.id) ?? []) as { u: number }[]) {
        const k = jids.key(t.u) ?? (jids.jid(t.u) === null ? owner.key : null);
        if (k) targets.push(k);
      }
      let value = m.text;
      let raw = `action_type=${m.action ?? 'none'} message_type=${m.mtype ?? 'null'}`;
      const old = oldValueOf?.get(m.id) as { old: string | null } | undefined;
      if (old?.old) raw += ` old=${old.old}`;
      const num = numberOf?.get(m.id) as { o: number | null; n: number | null } | undefined;
      if (num) {
        actor = jids.key(num.o) ?? actor;
        value = jids.key(num.n) ?? jids.jid(num.n);
        raw += ` old_jid=${jids.jid(num.o) ?? ''} new_jid=${jids.jid(num.n) ?? ''}`;
      }
      yield ctx.event(chat.key, m.action, actor, targets, at, value, raw, loc);
      continue;
    }
    const kind = messageKind(m.mtype);
    if (kind === 'other') ctx.noteKind(m.mtype);
    let mediaSha: string | null = null;
    let mediaStatus: MediaStatus | null = null;
    if (m.fileHash || m.filePath || MEDIA_KINDS.has(kind)) {
      const stored = m.fileHash ? base64ToHex(m.fileHash) : null;
      const out = await ctx.media.check([m.filePath], stored, m.mime, m.fileSize, {
        kind: 'row',
        table: 'message_media',
        rowId: m.id,
      });
      if (out.media) yield out.media;
      mediaSha = out.sha256;
      mediaStatus = out.status;
    }
    const sender = fromMe ? owner.key : chat.kind === 'direct' ? chat.partnerKey : jids.key(m.sender);
    ctx.counts.messages++;
    yield {
      type: 'message',
      key: messageKey(chat.key, m.keyId, sender, at, m.text),
      chatKey: chat.key,
      chatKind: chat.kind,
      senderKey: sender,
      at,
      tz: options.tz,
      kind,
      text: m.text,
      forwarded: ((m.oflags ?? 0) & 1) === 1 || m.fwdRow !== null,
      forwardScore: m.fscore,
      waKeyId: m.keyId,
      mediaSha256: mediaSha,
      mediaName: m.mediaName ?? (m.filePath ? basename(m.filePath) : null),
      mediaStatus,
      loc,
    };
  }
  ctx.notes.lid = {
    mapped: jids.lidsMapped,
    unmapped: jids.lidsUnmapped,
    deviceJidsFolded: jids.devicesFolded,
  };
}

/** A group record; the creator comes from wa.db when it was found, else from an old-style JID. */
export function groupRecord(
  ctx: Ctx,
  key: string,
  subject: string | null,
  created: number | null,
  at: { table: string; rowId: number },
): ParsedGroup {
  const jid = key.slice(4);
  const old = oldGroupJidFacts(jid);
  const waDbCreator = ctx.creators.get(jid);
  ctx.groups.add(key);
  return {
    type: 'group',
    key,
    jid,
    subject,
    createdAt: created && created > 0 ? created : (old?.createdAt ?? null),
    creatorKey: waDbCreator ?? old?.creatorKey ?? null,
    loc: { kind: 'row', ...at },
  };
}
