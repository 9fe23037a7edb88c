/**
 * The full-text index's schema, one per engine (docs/search.md). What is indexed of a message is its text
 * (a media message's caption is its text) and its media file name; of an account, each of its display
 * names; of a chat, its subject.
 *
 * The index is kept by triggers on the indexed tables, so it changes in the transaction that writes the
 * rows, whichever code writes them: an ingest's inserts, an identity merge or a chat link that joins two
 * copies of a message (the absorbed row is deleted), the undoing of a merge (the row comes back). A message
 * is one row, so a re-ingest or a second copy of it adds no second index entry.
 *
 * SQLite: FTS5, accent- and case-insensitive (`unicode61 remove_diacritics 2`). The message index is
 * contentless (the text is already in `messages`; the index holds only the terms) and its rowid is the
 * message id: the embedded store holds one case per file (case-dir.ts), so message ids are unique in it.
 * Names and subjects are few: a small FTS5 table with its own content.
 *
 * PostgreSQL: one store holds many cases. `search_messages` holds each message's tsvector keyed by
 * (case_id, message id), with a GIN index; names and subjects are matched through GIN expression indexes on
 * their own tables. The text search configuration `filet_search` is `simple` (no stemming: messages mix
 * languages) behind `unaccent`, so accents and case do not matter.
 */

/** The text search configuration of the PostgreSQL index (and of every query against it). */
export const PG_CONFIG = 'filet_search';

/**
 * ASCII punctuation, turned into spaces before PostgreSQL's parser reads a text: its parser keeps
 * `IMG-20240101-WA0001.jpg`, `a.b@c.de` or `foo_bar` as one token (file, email, host…), where FTS5 and the
 * query parser (src/search/query.ts) see words; replaced, all three split a text into the same words.
 */
const PG_PUNCTUATION = '[!-/:-@\\[-`{-~]+';

/** The tsvector of a text expression, as the index computes it (queries must compute it the same way). */
export function pgDocument(textExpr: string): string {
  return `to_tsvector('${PG_CONFIG}', regexp_replace(${textExpr}, '${PG_PUNCTUATION}', ' ', 'g'))`;
}

/** What of a message is indexed, as an SQL expression over the row `r` (both engines). */
export const messageBody = (r: string) => `coalesce(${r}.text, '') || ' ' || coalesce(${r}.media_name, '')`;

const FTS5_TOKENIZER = `tokenize = 'unicode61 remove_diacritics 2'`;

const SQLITE: string[] = [
  `CREATE VIRTUAL TABLE search_messages USING fts5(body, content = '', contentless_delete = 1, ${FTS5_TOKENIZER})`,
  `CREATE TRIGGER search_messages_insert AFTER INSERT ON messages BEGIN
     INSERT INTO search_messages (rowid, body) VALUES (new.id, ${messageBody('new')});
   END`,
  `CREATE TRIGGER search_messages_delete AFTER DELETE ON messages BEGIN
     DELETE FROM search_messages WHERE rowid = old.id;
   END`,
  `CREATE TRIGGER search_messages_update AFTER UPDATE OF id, text, media_name ON messages BEGIN
     DELETE FROM search_messages WHERE rowid = old.id;
     INSERT INTO search_messages (rowid, body) VALUES (new.id, ${messageBody('new')});
   END`,
  `INSERT INTO search_messages (rowid, body) SELECT id, ${messageBody('messages')} FROM messages`,
  // kind: 'account' (ref: account id) or 'chat' (ref: chat id).
  `CREATE VIRTUAL TABLE search_names USING fts5(name, kind UNINDEXED, ref UNINDEXED, ${FTS5_TOKENIZER})`,
  `CREATE TRIGGER search_names_account_insert AFTER INSERT ON account_names BEGIN
     INSERT INTO search_names (name, kind, ref) VALUES (new.name, 'account', new.account_id);
   END`,
  `CREATE TRIGGER search_names_account_delete AFTER DELETE ON account_names BEGIN
     DELETE FROM search_names WHERE kind = 'account' AND ref = old.account_id AND name = old.name;
   END`,
  `CREATE TRIGGER search_names_chat_insert AFTER INSERT ON chats WHEN new.subject IS NOT NULL BEGIN
     INSERT INTO search_names (name, kind, ref) VALUES (new.subject, 'chat', new.id);
   END`,
  `CREATE TRIGGER search_names_chat_update AFTER UPDATE OF subject ON chats
     WHEN old.subject IS NOT new.subject BEGIN
     DELETE FROM search_names WHERE kind = 'chat' AND ref = old.id;
     INSERT INTO search_names (name, kind, ref) SELECT new.subject, 'chat', new.id WHERE new.subject IS NOT NULL;
   END`,
  `CREATE TRIGGER search_names_chat_delete AFTER DELETE ON chats BEGIN
     DELETE FROM search_names WHERE kind = 'chat' AND ref = old.id;
   END`,
  `INSERT INTO search_names (name, kind, ref) SELECT name, 'account', account_id FROM account_names`,
  `INSERT INTO search_names (name, kind, ref) SELECT subject, 'chat', id FROM chats WHERE subject IS NOT NULL`,
];

const POSTGRES: string[] = [
  // A trusted extension: a database owner without superuser may create it.
  `CREATE EXTENSION IF NOT EXISTS unaccent`,
  `CREATE TEXT SEARCH CONFIGURATION ${PG_CONFIG} (COPY = pg_catalog.simple)`,
  `ALTER TEXT SEARCH CONFIGURATION ${PG_CONFIG} ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word,
     hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple`,
  `CREATE TABLE search_messages (case_id TEXT NOT NULL, message_id BIGINT NOT NULL, doc TSVECTOR NOT NULL,
     PRIMARY KEY (case_id, message_id))`,
  `CREATE INDEX search_messages_doc ON search_messages USING GIN (doc)`,
  // Statement-level triggers with transition tables: an ingest batch (one multi-row INSERT) is indexed by
  // one INSERT … SELECT, not a trigger call per row.
  `CREATE FUNCTION filet_search_messages_insert() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO search_messages (case_id, message_id, doc)
       SELECT r.case_id, r.id, ${pgDocument(messageBody('r'))} FROM new_rows r;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER search_messages_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION filet_search_messages_insert()`,
  `CREATE FUNCTION filet_search_messages_delete() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     DELETE FROM search_messages s USING old_rows r WHERE s.case_id = r.case_id AND s.message_id = r.id;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER search_messages_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
     FOR EACH STATEMENT EXECUTE FUNCTION filet_search_messages_delete()`,
  // Nothing updates these columns today; kept right if something does (transition tables cannot go with a
  // column list, so this one is per row).
  `CREATE FUNCTION filet_search_messages_update() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     DELETE FROM search_messages WHERE case_id = OLD.case_id AND message_id = OLD.id;
     INSERT INTO search_messages (case_id, message_id, doc)
       SELECT NEW.case_id, NEW.id, ${pgDocument(messageBody('NEW'))};
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER search_messages_update AFTER UPDATE OF id, text, media_name ON messages
     FOR EACH ROW EXECUTE FUNCTION filet_search_messages_update()`,
  `INSERT INTO search_messages (case_id, message_id, doc)
     SELECT m.case_id, m.id, ${pgDocument(messageBody('m'))} FROM messages m`,
  `CREATE INDEX account_names_search ON account_names USING GIN (${pgDocument('name')})`,
  `CREATE INDEX chats_search ON chats USING GIN (${pgDocument("coalesce(subject, '')")})`,
];

export const SEARCH_INDEX = { sqlite: SQLITE, postgres: POSTGRES };
