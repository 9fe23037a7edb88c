/**
 * Reader for a decrypted Android `msgstore.db`: new schema (2021+), legacy schema, or both (transitional
 * databases: the new tables win, legacy rows whose key_id the new tables lack are read as well).
 * Rows are streamed with `.iterate()`, so a database of millions of messages never sits in memory; every
 * record's location is the table and row it came from. See codes.ts for the code tables and layout.ts for
 * the folder layouts searched for media, wa.db and the owner's registration files.
 */
import type { EvidenceReader, ParsedRecord, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { UserError } from '../../util/errors.js';
import { resolveOwner } from '../wa-db/owner.js';
import { openDb, openPrivateCopy, sqliteSignature, type PrivateDb } from '../wa-db/sqlite.js';
import { jidKind, jidString, parseJid } from '../wa-db/jids.js';
import { Ctx } from './context.js';
import { androidLayout } from './layout.js';
import { readLegacySchema } from './legacy.js';
import { readNewSchema } from './new-schema.js';

export const NEW_TABLES = ['message', 'chat', 'jid'];
export const LEGACY_TABLES = ['messages'];

function schemaOf(tables: Set<string>): { hasNew: boolean; hasLegacy: boolean } {
  return {
    hasNew: NEW_TABLES.every((t) => tables.has(t)),
    hasLegacy: LEGACY_TABLES.every((t) => tables.has(t)),
  };
}

async function detect(path: string): Promise<number> {
  const sig = await sqliteSignature(path, ['messages']);
  if (!sig) return 0;
  const { hasNew, hasLegacy } = schemaOf(sig.tables);
  if (hasLegacy) {
    // `messages` alone is a common name: require the WhatsApp key columns too.
    const cols = sig.columns.get('messages') ?? new Set();
    if (cols.has('key_remote_jid') && cols.has('key_id')) return 0.95;
  }
  return hasNew ? 0.95 : 0;
}

/** Creators of groups from a sibling wa.db (wa_group_admin_settings.creator_jid), when present. */
async function creatorsFromWaDb(path: string | null, notes: ReaderNotes): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!path) return out;
  let opened: PrivateDb | null = null;
  try {
    opened = await openPrivateCopy(path, notes, 'wa.db');
    const rows = opened.db.prepare('SELECT jid, creator_jid AS c FROM wa_group_admin_settings').all() as {
      jid: string | null;
      c: string | null;
    }[];
    for (const r of rows) {
      const g = parseJid(r.jid);
      const c = parseJid(r.c);
      if (g && c && jidKind(g) === 'group' && jidKind(c) === 'person')
        out.set(jidString(g), `phone:+${c.user}`);
    }
    notes.waDb = { path, used: true, creators: out.size };
  } catch (err) {
    notes.waDb = { path, used: false, reason: (err as Error).message };
  } finally {
    opened?.close();
  }
  return out;
}

async function* read(path: string, options: ReaderOptions, notes: ReaderNotes): AsyncGenerator<ParsedRecord> {
  const opened = await openDb(path, notes);
  const { db, tables } = opened;
  try {
    const { hasNew, hasLegacy } = schemaOf(tables);
    if (!hasNew && !hasLegacy) {
      const missing = NEW_TABLES.filter((t) => !tables.has(t));
      const hidden = [...missing, ...LEGACY_TABLES]
        .filter((t) => opened.notRead.has(t))
        .map((t) => `${t} is ${opened.notRead.get(t)}, which is never read`);
      throw new UserError(
        `SQLite database without the WhatsApp msgstore tables: missing ${missing.join(', ')} (new schema) ` +
          `or messages (legacy schema)${hidden.length ? ` (${hidden.join('; ')})` : ''}`,
        { file: path },
      );
    }
    const layout = androidLayout(options.layoutFrom ?? path, options.mediaFolder);
    const owner = resolveOwner(
      options.deviceLabel,
      options.owner,
      [layout.root, layout.dbDir],
      options.ownerSource,
    );
    notes.schema = hasNew && hasLegacy ? 'both' : hasNew ? 'new' : 'legacy';
    const ctx = new Ctx(
      db,
      path,
      options,
      notes,
      owner,
      layout.media,
      await creatorsFromWaDb(options.waDbPath ?? layout.waDb, notes),
    );
    if (owner.source.startsWith('device file')) {
      const rec = ctx.accounts.see(owner.key, `${owner.phone!.slice(1)}@s.whatsapp.net`, {
        kind: 'file',
        entry: owner.source.slice('device file '.length),
      });
      if (rec) yield rec;
    }
    if (hasNew) yield* readNewSchema(ctx, tables);
    if (hasLegacy) yield* readLegacySchema(ctx, tables, hasNew);
    ctx.writeNotes();
  } finally {
    opened.close();
  }
}

export const androidMsgstoreReader: EvidenceReader = {
  kind: 'android-msgstore',
  description: 'Android WhatsApp msgstore.db (decrypted), new and legacy schemas',
  detect,
  read,
  artifacts: {
    patterns: [
      '**/com.whatsapp/databases/msgstore.db',
      '**/com.whatsapp.w4b/databases/msgstore.db',
      '**/data/user/*/com.whatsapp/databases/msgstore.db',
      '**/databases/msgstore.db',
      '**/msgstore.db',
    ],
    // IPED's signature.
    tables: [
      ['chat_list', 'chat'],
      ['messages', 'message'],
      ['group_participants', 'group_participant_user'],
    ],
  },
};
