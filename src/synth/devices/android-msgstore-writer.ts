/**
 * Writes one synthetic Android phone: `<outDir>/databases/msgstore.db` in the new schema, the legacy
 * schema, or both (a transitional database: legacy rows before a cut-over, new rows after it, with an
 * overlap of rows present in both), plus `<outDir>/Media/WhatsApp Images/…` holding a fraction of the
 * pictures — the rest are known to the database only by their hash, as on a phone whose media was
 * cleaned. Same key ids as the operation, so the same message seized on two phones meets in the case.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { ACTION_CODE } from '../../evidence/android-msgstore/codes.js';
import type { Device, Message, OpEvent, Operation } from '../operation.js';
import { rngFor, type Rng } from '../random.js';
import { ANDROID_LEGACY_DDL, ANDROID_NEW_DDL } from './schemas.js';
import { deviceView, hexToBase64, personJid, type DeviceDbSummary, type GroupView } from './view.js';

export interface AndroidWriterOptions {
  schema: 'new' | 'legacy' | 'both';
  mediaBytes: (mediaId: number) => Buffer | Promise<Buffer>;
  /** Share of the referenced pictures written into the media folder (0…1). */
  presentFraction: number;
  /**
   * Write one state of the phone's database (msgstore-states.ts): only what `holds` keeps, under
   * `fileName` (e.g. `msgstore-2017-03-01.1.db`). Media names and presence are decided over the whole
   * timeline first, so every state names a picture alike.
   */
  state?: MsgstoreStateFilter;
}

export interface MsgstoreStateFilter {
  fileName: string;
  message(m: Message): boolean;
  event(e: OpEvent): boolean;
  member(groupJid: string, phone: string): boolean;
  /** Write the media files too (the current state does; older copies share its media folder). */
  writeMedia: boolean;
}

type Db = Database.Database;

/** Names and presence of each picture on this phone, decided once so both schemas agree. */
class MediaPlan {
  private readonly names = new Map<number, { rel: string; present: boolean }>();
  private readonly perDay = new Map<string, number>();
  present = 0;
  hashOnly = 0;

  constructor(
    private readonly rng: Rng,
    private readonly fraction: number,
  ) {}

  entry(m: Message, fromMe: boolean): { rel: string; present: boolean } {
    let e = this.names.get(m.mediaId!);
    if (!e) {
      const day = new Date(m.at).toISOString().slice(0, 10).replace(/-/g, '');
      const n = (this.perDay.get(day) ?? 0) + 1;
      this.perDay.set(day, n);
      const name = `IMG-${day}-WA${String(n).padStart(4, '0')}.jpg`;
      e = {
        rel: `Media/WhatsApp Images/${fromMe ? 'Sent/' : ''}${name}`,
        present: this.rng.chance(this.fraction),
      };
      this.names.set(m.mediaId!, e);
      if (e.present) this.present++;
      else this.hashOnly++;
    }
    return e;
  }
}

export async function writeAndroidMsgstore(
  op: Operation,
  device: Device,
  outDir: string,
  opts: AndroidWriterOptions,
): Promise<DeviceDbSummary> {
  const view = deviceView(op, device);
  const rng = rngFor(op.seed, `android-db:${device.label}`);
  const path = join(outDir, 'databases', opts.state?.fileName ?? 'msgstore.db');
  const keep = opts.state;
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = DELETE');
  const media = new MediaPlan(rngFor(op.seed, `android-media:${device.label}`), opts.presentFraction);
  const mediaById = new Map(op.media.map((m) => [m.id, m]));
  const files: Array<{ rel: string; id: number }> = [];
  const localIds = new Set<string>();
  const localKey = () => {
    let k: string;
    do k = rng.hex(16);
    while (localIds.has(k));
    localIds.add(k);
    return k;
  };

  // Transitional: legacy rows end at the cut-over, new rows start a little before it (overlap).
  let cut = Infinity;
  let overlap = 0;
  if (opts.schema === 'both') {
    const times = view.groups.flatMap((g) => g.messages.map((m) => m.at)).sort((a, b) => a - b);
    cut = times.length ? times[Math.floor(times.length * 0.6)] : op.end;
    overlap = 7 * 86_400_000;
  }
  const inLegacy = (t: number) => opts.schema === 'legacy' || (opts.schema === 'both' && t < cut);
  const inNew = (t: number) => opts.schema === 'new' || (opts.schema === 'both' && t >= cut - overlap);
  const evInLegacy = (t: number) => opts.schema === 'legacy' || (opts.schema === 'both' && t < cut);
  const evInNew = (t: number) => !evInLegacy(t);

  let messages = 0;
  let events = 0;
  db.transaction(() => {
    if (opts.schema !== 'legacy') db.exec(ANDROID_NEW_DDL);
    if (opts.schema !== 'new') db.exec(ANDROID_LEGACY_DDL);
    const newW = opts.schema !== 'legacy' ? new NewSchema(db, device, rng) : null;
    const legW = opts.schema !== 'new' ? new LegacySchema(db, device) : null;
    for (const full of view.groups) {
      const gv = keep
        ? { ...full, participants: full.participants.filter((p) => keep.member(full.group.jid, p.phone)) }
        : full;
      newW?.group(gv);
      legW?.group(gv);
      const timeline: Array<{ at: number; m?: Message; e?: OpEvent }> = [
        ...gv.messages.map((m) => ({ at: m.at, m })),
        ...gv.events.map((e) => ({ at: e.at, e })),
      ].sort((a, b) => a.at - b.at);
      for (const item of timeline) {
        if (item.e) {
          const key = localKey();
          if (keep && !keep.event(item.e)) continue;
          if (newW && evInNew(item.at)) newW.event(gv, item.e, key);
          if (legW && evInLegacy(item.at)) legW.event(gv, item.e, key);
          events++;
          continue;
        }
        const m = item.m!;
        const fromMe = m.sender === device.owner;
        let file: { rel: string; present: boolean; sha256: string; size: number } | null = null;
        if (m.mediaId !== null) {
          const e = media.entry(m, fromMe);
          const md = mediaById.get(m.mediaId)!;
          file = { ...e, sha256: md.sha256, size: md.size };
          if (e.present && !files.some((f) => f.rel === e.rel)) files.push({ rel: e.rel, id: m.mediaId });
        }
        if (keep && !keep.message(m)) continue;
        if (newW && inNew(m.at)) newW.message(gv, m, file);
        if (legW && inLegacy(m.at)) legW.message(gv, m, file);
        messages++;
      }
    }
  })();
  db.close();
  for (const f of keep && !keep.writeMedia ? [] : files) {
    const p = join(outDir, f.rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, await opts.mediaBytes(f.id));
  }
  return {
    path,
    schema: opts.schema,
    groups: view.groups.length,
    messages,
    events,
    mediaPresent: media.present,
    mediaHashOnly: media.hashOnly,
    presentMediaIds: [...new Set(files.map((f) => f.id))].sort((a, b) => a - b),
  };
}

type FileRef = { rel: string; sha256: string; size: number } | null;

/** The 2021+ tables. Some senders appear under a LID mapped by jid_map, some under a device JID. */
class NewSchema {
  private readonly jidIds = new Map<string, number>();
  private readonly chatIds = new Map<string, number>();
  private readonly senderRows = new Map<string, number>();
  private readonly insJid: Database.Statement;
  private readonly insMsg: Database.Statement;
  private readonly insMedia: Database.Statement;
  private readonly insFwd: Database.Statement;
  private readonly insSys: Database.Statement;
  private readonly insPart: Database.Statement;
  private readonly insOld: Database.Statement;
  private readonly setSort: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly device: Device,
    private readonly rng: Rng,
  ) {
    this.insJid = db.prepare(
      'INSERT INTO jid (user, server, agent, device, type, raw_string) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insMsg = db.prepare(
      `INSERT INTO message (chat_row_id, from_me, key_id, sender_jid_row_id, status, origination_flags, timestamp,
         received_timestamp, message_type, text_data, sort_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    this.insMedia = db.prepare(
      `INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type, media_name, file_hash)
       VALUES (?, ?, ?, ?, 'image/jpeg', ?, ?)`,
    );
    this.insFwd = db.prepare('INSERT INTO message_forwarded (message_row_id, forward_score) VALUES (?, ?)');
    this.insSys = db.prepare('INSERT INTO message_system (message_row_id, action_type) VALUES (?, ?)');
    this.insPart = db.prepare(
      'INSERT INTO message_system_chat_participant (message_row_id, user_jid_row_id) VALUES (?, ?)',
    );
    this.insOld = db.prepare(
      'INSERT INTO message_system_value_change (message_row_id, old_data) VALUES (?, ?)',
    );
    this.setSort = db.prepare('UPDATE message SET sort_id = ? WHERE _id = ?');
  }

  private jidRow(user: string, server: string, type: number, device = 0): number {
    const raw = device ? `${user}.0:${device}@${server}` : `${user}@${server}`;
    let id = this.jidIds.get(raw);
    if (id === undefined) {
      id = Number(this.insJid.run(user, server, 0, device, type, raw).lastInsertRowid);
      this.jidIds.set(raw, id);
    }
    return id;
  }

  private phoneRow(phone: string): number {
    return this.jidRow(phone.slice(1), 's.whatsapp.net', 0);
  }

  /** How a sender is addressed on this phone: phone JID (most), mapped LID (some), device JID (a few). */
  private senderRow(phone: string): number {
    let id = this.senderRows.get(phone);
    if (id === undefined) {
      const r = this.rng.float();
      if (r < 0.15) {
        const lid = this.jidRow(String(10 ** 13 + this.rng.int(0, 899_999_999_999)), 'lid', 18);
        this.db
          .prepare('INSERT OR IGNORE INTO jid_map (lid_row_id, jid_row_id) VALUES (?, ?)')
          .run(lid, this.phoneRow(phone));
        id = lid;
      } else if (r < 0.25) id = this.jidRow(phone.slice(1), 's.whatsapp.net', 17, this.rng.int(1, 20));
      else id = this.phoneRow(phone);
      this.senderRows.set(phone, id);
    }
    return id;
  }

  group(gv: GroupView): void {
    const g = gv.group;
    const gj = this.jidRow(g.jid.slice(0, -'@g.us'.length), 'g.us', 1);
    const chat = this.db
      .prepare(
        'INSERT INTO chat (jid_row_id, subject, created_timestamp, hidden, archived) VALUES (?, ?, ?, 0, 0)',
      )
      .run(gj, gv.subject, g.createdAt);
    this.chatIds.set(g.jid, Number(chat.lastInsertRowid));
    const ins = this.db.prepare(
      'INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending) VALUES (?, ?, ?, 0)',
    );
    for (const p of gv.participants) ins.run(gj, this.phoneRow(p.phone), p.rank);
  }

  private insert(
    gv: GroupView,
    sender: string | null,
    key: string,
    at: number,
    type: number,
    text: string | null,
    flags: number,
  ): number {
    const fromMe = sender === this.device.owner;
    const r = this.insMsg.run(
      this.chatIds.get(gv.group.jid)!,
      fromMe ? 1 : 0,
      key,
      fromMe || sender === null ? null : this.senderRow(sender),
      fromMe ? 13 : 0,
      flags,
      at,
      at + 1500,
      type,
      text,
    );
    const id = Number(r.lastInsertRowid);
    this.setSort.run(id, id);
    return id;
  }

  message(gv: GroupView, m: Message, file: FileRef): void {
    const id = this.insert(gv, m.sender, m.id, m.at, m.kind === 'image' ? 1 : 0, m.text, m.forwarded ? 1 : 0);
    if (m.forwarded) this.insFwd.run(id, m.forwardScore);
    if (file)
      this.insMedia.run(
        id,
        this.chatIds.get(gv.group.jid)!,
        file.rel,
        file.size,
        file.rel.split('/').pop()!,
        hexToBase64(file.sha256),
      );
  }

  event(gv: GroupView, e: OpEvent, key: string): void {
    const code = ACTION_CODE[e.type];
    if (code === undefined) return;
    const text =
      e.type === 'created' ? gv.group.subjects[0].subject : e.type === 'subject_changed' ? e.value : null;
    const id = this.insert(gv, e.actor, key, e.at, 7, text, 0);
    this.insSys.run(id, code);
    const concerned =
      e.type === 'left' || e.type === 'joined_via_link' ? (e.actor ? [e.actor] : []) : e.targets;
    for (const t of concerned) this.insPart.run(id, this.phoneRow(t));
    if (e.type === 'subject_changed' && e.old) this.insOld.run(id, e.old);
  }
}

/** The pre-2021 tables, JIDs as strings; the owner's own participant row has an empty jid. */
class LegacySchema {
  private readonly insMsg: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly device: Device,
  ) {
    this.insMsg = db.prepare(
      `INSERT INTO messages (key_remote_jid, key_from_me, key_id, remote_resource, status, timestamp, data,
         media_wa_type, media_name, media_hash, media_size, media_mime_type, forwarded, received_timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  group(gv: GroupView): void {
    const g = gv.group;
    this.db
      .prepare('INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES (?, ?, ?)')
      .run(g.jid, gv.subject, g.createdAt);
    const ins = this.db.prepare(
      'INSERT INTO group_participants (gjid, jid, admin, pending) VALUES (?, ?, ?, 0)',
    );
    for (const p of gv.participants)
      ins.run(g.jid, p.phone === this.device.owner ? '' : personJid(p.phone), p.rank);
  }

  message(gv: GroupView, m: Message, file: FileRef): void {
    const fromMe = m.sender === this.device.owner;
    this.insMsg.run(
      gv.group.jid,
      fromMe ? 1 : 0,
      m.id,
      fromMe ? null : personJid(m.sender),
      fromMe ? 13 : 0,
      m.at,
      m.text,
      m.kind === 'image' ? '1' : '0',
      file ? file.rel.split('/').pop()! : null,
      file ? hexToBase64(file.sha256) : null,
      file ? file.size : null,
      file ? 'image/jpeg' : null,
      m.forwarded ? 1 : 0,
      m.at + 1500,
    );
  }

  event(gv: GroupView, e: OpEvent, key: string): void {
    const code = ACTION_CODE[e.type];
    if (code === undefined) return;
    const fromMe = e.actor === this.device.owner;
    const data =
      e.type === 'created'
        ? gv.group.subjects[0].subject
        : e.type === 'subject_changed'
          ? e.value
          : e.targets.length
            ? e.targets.map(personJid).join(',')
            : null;
    this.insMsg.run(
      gv.group.jid,
      fromMe ? 1 : 0,
      key,
      fromMe || !e.actor ? null : personJid(e.actor),
      6,
      e.at,
      data,
      '0',
      null,
      null,
      code,
      null,
      0,
      e.at,
    );
  }
}
