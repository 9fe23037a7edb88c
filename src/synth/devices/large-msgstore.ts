/**
 * A large new-schema msgstore.db for the ingest benchmark: `messages` rows spread over `groups` groups of
 * people drawn from `members` fictitious numbers, with about 5 % pictures known by hash, 3 % forwarded
 * and 0.5 % membership events. One transaction and prepared statements: a million rows take seconds.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PhoneBook } from '../phones.js';
import { rngFor } from '../random.js';
import { ANDROID_NEW_DDL } from './schemas.js';

export interface LargeMsgstoreOptions {
  messages: number;
  groups: number;
  members: number;
  seed: number;
}

export function writeLargeMsgstore(
  path: string,
  opts: LargeMsgstoreOptions,
): { path: string; messages: number } {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) rmSync(path);
  const rng = rngFor(opts.seed, 'large-msgstore');
  const book = new PhoneBook(rngFor(opts.seed, 'large-msgstore-phones'));
  const countries = ['ES', 'IT', 'DE', 'MX', 'AR', 'FR'];
  const phones = Array.from(
    { length: opts.members },
    (_, i) => book.next(countries[i % countries.length]).e164,
  );
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const t0 = Date.UTC(2016, 5, 1);
  const span = 365 * 86_400_000;
  db.transaction(() => {
    db.exec(ANDROID_NEW_DDL);
    const insJid = db.prepare(
      'INSERT INTO jid (_id, user, server, agent, device, type, raw_string) VALUES (?, ?, ?, 0, 0, ?, ?)',
    );
    phones.forEach((p, i) =>
      insJid.run(i + 1, p.slice(1), 's.whatsapp.net', 0, `${p.slice(1)}@s.whatsapp.net`),
    );
    const insChat = db.prepare(
      'INSERT INTO chat (_id, jid_row_id, subject, created_timestamp) VALUES (?, ?, ?, ?)',
    );
    const insPart = db.prepare(
      'INSERT OR IGNORE INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending) VALUES (?, ?, ?, 0)',
    );
    const roster: number[][] = [];
    const size = Math.max(3, Math.min(opts.members, Math.round((opts.members / opts.groups) * 3)));
    for (let g = 0; g < opts.groups; g++) {
      const creator = rng.int(0, phones.length - 1);
      const created = t0 + rng.int(0, 30) * 86_400_000;
      const jidId = phones.length + g + 1;
      const jid = `${phones[creator].slice(1)}-${Math.floor(created / 1000) + g}@g.us`;
      insJid.run(jidId, jid.slice(0, -5), 'g.us', 1, jid);
      insChat.run(g + 1, jidId, `Synthetic group ${g + 1}`, created);
      const people = new Set<number>([creator + 1]);
      while (people.size < size) people.add(rng.int(1, phones.length));
      roster.push([...people]);
      for (const u of people) insPart.run(jidId, u, u === creator + 1 ? 2 : 0);
    }
    const insMsg = db.prepare(
      `INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, origination_flags, timestamp,
        received_timestamp, message_type, text_data, sort_id) VALUES (?, ?, 0, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    const insMedia = db.prepare(
      `INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type, file_hash)
       VALUES (?, ?, ?, ?, 'image/jpeg', ?)`,
    );
    const insFwd = db.prepare('INSERT INTO message_forwarded (message_row_id, forward_score) VALUES (?, ?)');
    const insSys = db.prepare('INSERT INTO message_system (message_row_id, action_type) VALUES (?, 12)');
    const insSysPart = db.prepare(
      'INSERT INTO message_system_chat_participant (message_row_id, user_jid_row_id) VALUES (?, ?)',
    );
    const hash = Buffer.alloc(32);
    const base = rng.u32().toString(16).toUpperCase().padStart(8, '0');
    for (let i = 1; i <= opts.messages; i++) {
      const g = rng.int(0, opts.groups - 1);
      const people = roster[g];
      const sender = people[rng.int(0, people.length - 1)];
      const at = t0 + Math.floor((span * i) / opts.messages);
      const r = rng.float();
      const keyId = base + i.toString(16).toUpperCase().padStart(10, '0');
      if (r < 0.005) {
        insMsg.run(i, g + 1, keyId, sender, 0, at, at, 7, null, i);
        insSys.run(i);
        insSysPart.run(i, people[rng.int(0, people.length - 1)]);
        continue;
      }
      const image = r < 0.055;
      const fwd = r > 0.97;
      insMsg.run(
        i,
        g + 1,
        keyId,
        sender,
        fwd ? 1 : 0,
        at,
        at + 900,
        image ? 1 : 0,
        image ? null : `synthetic text ${i}`,
        i,
      );
      if (image) {
        for (let k = 0; k < 32; k += 4) hash.writeUInt32LE(rng.u32(), k);
        insMedia.run(
          i,
          g + 1,
          `Media/WhatsApp Images/IMG-${i}.jpg`,
          50_000 + rng.int(0, 200_000),
          hash.toString('base64'),
        );
      }
      if (fwd) insFwd.run(i, rng.int(1, 10));
    }
  })();
  db.close();
  return { path, messages: opts.messages };
}
