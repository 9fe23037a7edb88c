import { SEARCH_INDEX } from './search-schema.js';

/**
 * One set of migrations for both stores. SQL is written once in a portable subset: `BIGINT` has INTEGER
 * affinity in SQLite; booleans are 0/1 integers and JSON is TEXT in both, so both stores behave identically.
 * Every table carries `case_id` and every key starts with it (no cross-case foreign keys), so a Citus-style
 * deployment can distribute every table by `case_id`. Ids are allocated by the writer inside the case's
 * ingest transaction (which holds the case's write lock), not by sequences, for the same reason.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
  /**
   * Statements for one engine only, run after `statements`: for what has no portable form (full-text
   * search is FTS5 in SQLite, tsvector and GIN in PostgreSQL). Keep to what really differs.
   */
  dialect?: { sqlite?: string[]; postgres?: string[] };
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'case model',
    statements: [
      `CREATE TABLE cases (
        case_id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL,
        synthetic BIGINT NOT NULL DEFAULT 0, tool_version TEXT NOT NULL)`,
      `CREATE TABLE case_meta (case_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT, PRIMARY KEY (case_id, key))`,
      `CREATE TABLE evidence (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL,
        kind TEXT NOT NULL, device_label TEXT NOT NULL, examiner TEXT, acquired_at BIGINT, ingested_at BIGINT NOT NULL,
        tool_version TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (case_id, id), UNIQUE (case_id, sha256))`,
      `CREATE TABLE accounts (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, phone TEXT,
        merged_into BIGINT, PRIMARY KEY (case_id, id), UNIQUE (case_id, key))`,
      `CREATE TABLE account_jids (case_id TEXT NOT NULL, account_id BIGINT NOT NULL, jid TEXT NOT NULL,
        PRIMARY KEY (case_id, account_id, jid))`,
      `CREATE TABLE account_names (case_id TEXT NOT NULL, account_id BIGINT NOT NULL, name TEXT NOT NULL,
        PRIMARY KEY (case_id, account_id, name))`,
      `CREATE TABLE identity_merges (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, from_account BIGINT NOT NULL, into_account BIGINT NOT NULL,
        merged_by TEXT NOT NULL, reason TEXT NOT NULL, at BIGINT NOT NULL, undone_at BIGINT, undone_by TEXT,
        PRIMARY KEY (case_id, id))`,
      `CREATE TABLE chats (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, jid TEXT, subject TEXT,
        created_at BIGINT, creator_id BIGINT, PRIMARY KEY (case_id, id), UNIQUE (case_id, key))`,
      `CREATE TABLE memberships (
        case_id TEXT NOT NULL, chat_id BIGINT NOT NULL, account_id BIGINT NOT NULL, rank BIGINT NOT NULL,
        active BIGINT NOT NULL, PRIMARY KEY (case_id, chat_id, account_id))`,
      `CREATE TABLE events (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, key TEXT NOT NULL, chat_id BIGINT NOT NULL, type TEXT NOT NULL,
        actor_id BIGINT, targets TEXT NOT NULL DEFAULT '[]', at BIGINT NOT NULL, value TEXT, raw TEXT,
        PRIMARY KEY (case_id, id), UNIQUE (case_id, key))`,
      `CREATE INDEX events_chat ON events (case_id, chat_id, at)`,
      `CREATE TABLE messages (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, key TEXT NOT NULL, chat_id BIGINT NOT NULL, sender_id BIGINT,
        at BIGINT NOT NULL, tz TEXT NOT NULL, kind TEXT NOT NULL, text TEXT, forwarded BIGINT NOT NULL,
        forward_score BIGINT, wa_key_id TEXT, media_sha256 TEXT, media_name TEXT, media_status TEXT,
        PRIMARY KEY (case_id, id), UNIQUE (case_id, key))`,
      `CREATE INDEX messages_chat ON messages (case_id, chat_id, at)`,
      // Partial: most messages carry no media, and every index entry costs ingest time.
      `CREATE INDEX messages_media ON messages (case_id, media_sha256) WHERE media_sha256 IS NOT NULL`,
      `CREATE INDEX messages_sender ON messages (case_id, sender_id)`,
      `CREATE TABLE media (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, sha256 TEXT NOT NULL, md5 TEXT, sha1 TEXT, pdq TEXT,
        pdq_quality BIGINT, pdq_dihedral TEXT, mime TEXT, size BIGINT, present BIGINT NOT NULL,
        file_evidence_id BIGINT, file_ref TEXT, hashed_at BIGINT, review_status TEXT,
        PRIMARY KEY (case_id, id), UNIQUE (case_id, sha256))`,
      `CREATE TABLE provenance (
        case_id TEXT NOT NULL, fact_type TEXT NOT NULL, fact_id BIGINT NOT NULL, fact_aux BIGINT, evidence_id BIGINT NOT NULL,
        loc_kind TEXT NOT NULL, loc_table TEXT, loc_row BIGINT, loc_line BIGINT, loc_entry TEXT)`,
      `CREATE INDEX provenance_fact ON provenance (case_id, fact_type, fact_id)`,
      `CREATE TABLE unclassified (
        case_id TEXT NOT NULL, evidence_id BIGINT NOT NULL, chat_id BIGINT, raw TEXT NOT NULL, reason TEXT NOT NULL,
        loc_line BIGINT, loc_entry TEXT)`,
      `CREATE TABLE hash_lists (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, name TEXT NOT NULL, format TEXT NOT NULL, source_path TEXT NOT NULL,
        source_sha256 TEXT NOT NULL, category_scheme TEXT, imported_at BIGINT NOT NULL, entry_count BIGINT NOT NULL,
        PRIMARY KEY (case_id, id), UNIQUE (case_id, name))`,
      `CREATE TABLE hash_entries (
        case_id TEXT NOT NULL, list_id BIGINT NOT NULL, id BIGINT NOT NULL, entry_id TEXT, md5 TEXT, sha1 TEXT,
        sha256 TEXT, pdq TEXT, photodna TEXT, category TEXT, category_label TEXT, label TEXT,
        extra TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (case_id, list_id, id))`,
      `CREATE INDEX hash_entries_md5 ON hash_entries (case_id, md5)`,
      `CREATE INDEX hash_entries_sha1 ON hash_entries (case_id, sha1)`,
      `CREATE INDEX hash_entries_sha256 ON hash_entries (case_id, sha256)`,
      `CREATE TABLE matches (
        case_id TEXT NOT NULL, media_id BIGINT NOT NULL, list_id BIGINT NOT NULL, entry_id BIGINT NOT NULL,
        hash_type TEXT NOT NULL, distance BIGINT NOT NULL, variant TEXT, category TEXT,
        PRIMARY KEY (case_id, media_id, list_id, entry_id, hash_type))`,
      `CREATE TABLE audit (
        case_id TEXT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        args TEXT NOT NULL, result TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
        PRIMARY KEY (case_id, seq))`,
    ],
  },
  {
    version: 2,
    name: 'network analysis results',
    statements: [
      `CREATE TABLE analysis_runs (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, at BIGINT NOT NULL, tool_version TEXT NOT NULL,
        params TEXT NOT NULL, summary TEXT NOT NULL, PRIMARY KEY (case_id, id))`,
      `CREATE TABLE analysis_accounts (
        case_id TEXT NOT NULL, account_id BIGINT NOT NULL, roles TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
        points TEXT NOT NULL, reasons TEXT NOT NULL, country TEXT, country_reason TEXT, number_type TEXT,
        betweenness DOUBLE PRECISION NOT NULL, PRIMARY KEY (case_id, account_id))`,
      `CREATE TABLE analysis_groups (
        case_id TEXT NOT NULL, chat_id BIGINT NOT NULL, flagged BIGINT NOT NULL, rule TEXT, cluster BIGINT,
        component BIGINT, counts TEXT NOT NULL, PRIMARY KEY (case_id, chat_id))`,
      `CREATE TABLE analysis_clusters (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, component BIGINT NOT NULL, groups TEXT NOT NULL,
        bridges TEXT NOT NULL, links TEXT NOT NULL, member_count BIGINT NOT NULL, PRIMARY KEY (case_id, id))`,
      `CREATE TABLE analysis_countries (
        case_id TEXT NOT NULL, country TEXT NOT NULL, summary TEXT NOT NULL, PRIMARY KEY (case_id, country))`,
    ],
  },
  {
    version: 3,
    name: 'web server: users, sessions, media reviews, evidence checks',
    statements: [
      `CREATE TABLE users (
        case_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
        password_salt TEXT NOT NULL, password_params TEXT NOT NULL, created_at BIGINT NOT NULL, disabled_at BIGINT,
        failed_logins BIGINT NOT NULL DEFAULT 0, locked_until BIGINT, PRIMARY KEY (case_id, name))`,
      `CREATE TABLE sessions (
        case_id TEXT NOT NULL, id_hash TEXT NOT NULL, user_name TEXT NOT NULL, csrf TEXT NOT NULL,
        created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, last_seen BIGINT NOT NULL,
        PRIMARY KEY (case_id, id_hash))`,
      `CREATE TABLE media_reviews (
        case_id TEXT NOT NULL, media_id BIGINT NOT NULL, status TEXT NOT NULL, note TEXT, by_user TEXT NOT NULL,
        at BIGINT NOT NULL, PRIMARY KEY (case_id, media_id))`,
      `CREATE TABLE evidence_checks (
        case_id TEXT NOT NULL, evidence_id BIGINT NOT NULL, at BIGINT NOT NULL, by_user TEXT NOT NULL,
        ok BIGINT NOT NULL, actual TEXT, PRIMARY KEY (case_id, evidence_id, at))`,
    ],
  },
  {
    version: 4,
    name: 'cross-source deduplication: chat aliases, message fingerprints',
    statements: [
      // A chat can be known by several natural keys: a group's JID from a database and the subject an
      // export names it by. Every key of every chat lives here; chats.key stays the first one seen.
      `CREATE TABLE chat_keys (case_id TEXT NOT NULL, key TEXT NOT NULL, chat_id BIGINT NOT NULL,
        PRIMARY KEY (case_id, key))`,
      `INSERT INTO chat_keys (case_id, key, chat_id) SELECT case_id, key, id FROM chats`,
      // chat|sender|minute|content: lets an export line (no WhatsApp id) meet the database row of the same message.
      `ALTER TABLE messages ADD COLUMN fingerprint TEXT`,
      `CREATE INDEX messages_fingerprint ON messages (case_id, fingerprint)`,
    ],
  },
  {
    version: 6,
    name: 'media checked against a set of lists',
    statements: [
      // The fingerprint of the set of lists (ids, contents, import times) a media item was last compared
      // with. A media item is novel only when this equals the current lists' fingerprint and it matched
      // none of them; anything else is "unmatched" and never displayed.
      `ALTER TABLE media ADD COLUMN checked_lists TEXT`,
    ],
  },
  {
    version: 7,
    name: 'login-throttle',
    statements: [
      // Failed-login limits, shared by every server process on the case (src/store/user-store.ts). One row
      // per user name (scope 'user', whether or not such a user exists) and per client address (scope 'ip':
      // an IPv4 address or an IPv6 /64). `failures` counts attempts in the window that began at
      // `window_start`; `total` counts failed attempts since the last success (user) or ever (ip);
      // `lock_ms` is the length of the last lock, doubled for the next one; `last_refused` tells the
      // statement's caller whether the attempt it just counted was refused.
      `CREATE TABLE login_throttle (
        case_id TEXT NOT NULL, scope TEXT NOT NULL, subject TEXT NOT NULL, window_start BIGINT NOT NULL,
        failures BIGINT NOT NULL, total BIGINT NOT NULL, lock_ms BIGINT NOT NULL, locked_until BIGINT,
        last_refused BIGINT NOT NULL, PRIMARY KEY (case_id, scope, subject))`,
      // Failed logins not yet written to the audit log, per (user name, address): the audit gets at most one
      // login.failed entry per pair and minute, carrying how many failures it summarises.
      `CREATE TABLE login_failure_log (
        case_id TEXT NOT NULL, user_name TEXT NOT NULL, ip TEXT NOT NULL, pending BIGINT NOT NULL,
        unauthorized BIGINT NOT NULL, locked BIGINT NOT NULL, limited BIGINT NOT NULL, first_at BIGINT,
        last_at BIGINT, logged_at BIGINT, PRIMARY KEY (case_id, user_name, ip))`,
      // Locks in force when the store is upgraded survive it (users.failed_logins/locked_until are no
      // longer written).
      `INSERT INTO login_throttle (case_id, scope, subject, window_start, failures, total, lock_ms, locked_until,
        last_refused)
       SELECT case_id, 'user', name, 0, 0, failed_logins, 0, locked_until, 0 FROM users
       WHERE locked_until IS NOT NULL`,
    ],
  },
  {
    version: 8,
    name: 'older states of one database',
    statements: [
      // An evidence item that is one state of a device database (msgstore.db and its dated older copies
      // msgstore-YYYY-MM-DD.N.db[.cryptNN]). `identity` is app + owner; `instance` the database (lineage)
      // among those of that identity (src/store/database-states.ts says how it is decided); `state_date`
      // the backup day of an older copy, NULL for a current one; `newest_at` its latest message's time.
      `CREATE TABLE database_states (
        case_id TEXT NOT NULL, evidence_id BIGINT NOT NULL, identity TEXT NOT NULL, instance TEXT NOT NULL,
        state_date TEXT, newest_at BIGINT, PRIMARY KEY (case_id, evidence_id))`,
      `CREATE INDEX database_states_identity ON database_states (case_id, identity)`,
      // "Deleted later": the fact was read from an older state of a database and is absent from its newest
      // state; the value is the evidence item (the newest state) it is absent from. NULL: not deleted.
      `ALTER TABLE messages ADD COLUMN deleted_later BIGINT`,
      `ALTER TABLE events ADD COLUMN deleted_later BIGINT`,
      `ALTER TABLE memberships ADD COLUMN deleted_later BIGINT`,
    ],
  },
  {
    version: 9,
    name: 'messages joined by an identity merge',
    statements: [
      // Once two accounts are one person, an export line and a database row (or two exports' lines) of one
      // message become one message: the absorbed row and its provenance rows are kept here, as they were,
      // so that undoing the merge restores them exactly. `merge_id` is the identity_merges row that made it.
      `CREATE TABLE fact_joins (
        case_id TEXT NOT NULL, merge_id BIGINT NOT NULL, fact_type TEXT NOT NULL, kept_id BIGINT NOT NULL,
        absorbed_id BIGINT NOT NULL, absorbed_row TEXT NOT NULL, absorbed_provenance TEXT NOT NULL,
        PRIMARY KEY (case_id, fact_type, absorbed_id))`,
      `CREATE INDEX fact_joins_merge ON fact_joins (case_id, merge_id)`,
    ],
  },
  {
    version: 10,
    name: 'identity pairs rejected by an analyst',
    statements: [
      // An analyst's "these two are not one person": the pair (account keys, as the suggestion named them;
      // keys, unlike ids, are what the identity rules compare) is never suggested or merged automatically
      // again while `undone_at` is NULL. src/app/identity-suggestions.ts (rejectedPairs) reads it.
      `CREATE TABLE identity_rejections (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, from_key TEXT NOT NULL, into_key TEXT NOT NULL,
        rejected_by TEXT NOT NULL, reason TEXT NOT NULL, at BIGINT NOT NULL, undone_at BIGINT, undone_by TEXT,
        PRIMARY KEY (case_id, id))`,
    ],
  },
  {
    version: 11,
    name: 'chats linked by their messages',
    statements: [
      // One group read from several sources (a phone's export, another phone's database) is one chat once
      // their messages show it (src/store/chat-links.ts). The linked chat's facts moved into `into_chat` and
      // its row is gone; this row says which chat it was (its key and subject), why (the shared units), and
      // which evidence item's ingest linked it. Copies of one message joined then are in fact_joins with
      // merge_id 0 (a link is not undone).
      `CREATE TABLE chat_links (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, from_chat BIGINT NOT NULL, from_key TEXT NOT NULL,
        from_subject TEXT, into_chat BIGINT NOT NULL, shared BIGINT NOT NULL, same_subject BIGINT NOT NULL,
        reason TEXT NOT NULL, evidence_id BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (case_id, id))`,
    ],
  },
  {
    version: 12,
    name: 'installation: cases and per-case members',
    statements: [
      // An installation (src/store/installation-store.ts) is a scope of its own in these tables: its users,
      // sessions, login limits and audit log are rows whose case_id is the installation's id. Its cases and
      // who may do what in each live here; roles are per case, never installation-wide.
      `CREATE TABLE installation_cases (
        case_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, folder TEXT NOT NULL,
        created_at BIGINT NOT NULL, created_by TEXT NOT NULL, PRIMARY KEY (case_id, id))`,
      `CREATE TABLE case_members (
        case_id TEXT NOT NULL, member_case TEXT NOT NULL, user_name TEXT NOT NULL, role TEXT NOT NULL,
        added_at BIGINT NOT NULL, added_by TEXT NOT NULL, PRIMARY KEY (case_id, member_case, user_name))`,
      `CREATE INDEX case_members_user ON case_members (case_id, user_name)`,
    ],
  },
  {
    version: 13,
    name: 'jobs: long work in a queue, its units and its workers',
    statements: [
      // filet's record of each job (src/jobs): what it is, how far it got, who runs it, how it ended. On
      // SQLite the in-process queue delivers from this table; on PostgreSQL pg-boss delivers (its own schema
      // `pgboss`) and `queue_id` is the pg-boss job that carries this one. `run` groups the jobs of one
      // request (the hash batches of one `filet match --jobs`): the job named in a job's params as `then`
      // starts once every job of its run has finished. `start_done` is `done` when the current attempt
      // began, so a resumed job's rate counts only what this attempt did. `case_dir` is the case folder as
      // the enqueuing machine named it: where a PostgreSQL worker without the workspace finds the case.
      `CREATE TABLE jobs (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, kind TEXT NOT NULL, params TEXT NOT NULL, run TEXT NOT NULL,
        state TEXT NOT NULL, done BIGINT NOT NULL DEFAULT 0, total BIGINT NOT NULL DEFAULT 0,
        start_done BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, created_by TEXT NOT NULL,
        started_at BIGINT, finished_at BIGINT, attempts BIGINT NOT NULL DEFAULT 0, worker TEXT, error TEXT,
        result TEXT, queue_id TEXT, case_dir TEXT, PRIMARY KEY (case_id, id))`,
      `CREATE INDEX jobs_state ON jobs (case_id, state)`,
      // Each unit of a job's work (a media item hashed, an evidence file ingested), written in the same
      // transaction as the unit's result: a rerun skips the units found here, and `jobs.done` is their
      // count, so nothing is done or counted twice whoever resumes the job.
      `CREATE TABLE job_items (
        case_id TEXT NOT NULL, job_id BIGINT NOT NULL, item TEXT NOT NULL, outcome TEXT NOT NULL,
        at BIGINT NOT NULL, PRIMARY KEY (case_id, job_id, item))`,
      // The running worker's last sign of life, apart from `jobs`: a unit's transaction holds the job's row
      // until it commits (an evidence item can take minutes), and a heartbeat must never wait for it.
      `CREATE TABLE job_heartbeats (
        case_id TEXT NOT NULL, job_id BIGINT NOT NULL, worker TEXT NOT NULL, at BIGINT NOT NULL,
        PRIMARY KEY (case_id, job_id))`,
    ],
  },
  {
    version: 14,
    name: 'cross-case keys',
    statements: [
      // What makes two cases of an installation meet (src/store/cross-case.ts): phone numbers and JIDs of
      // accounts, SHA-256 of media, PDQ of novel media. Rows are in the installation's scope (case_id is
      // its id); `member_case` is the case holding the key, `ref` the account or media id there, and
      // `evidence_id` the item of that case whose indexing added it (0: added when matching made a media
      // item novel). A PDQ key also has 16 'pdq-slot' rows, one per 16-bit slot ('<slot hex>:<4 hex>'),
      // so near neighbours are found through this same index (multi-index hashing), never by a scan.
      `CREATE TABLE crosscase_keys (
        case_id TEXT NOT NULL, member_case TEXT NOT NULL, kind TEXT NOT NULL, ref BIGINT NOT NULL,
        value TEXT NOT NULL, evidence_id BIGINT NOT NULL, first_seen BIGINT NOT NULL,
        PRIMARY KEY (case_id, member_case, kind, ref, value))`,
      `CREATE INDEX crosscase_keys_value ON crosscase_keys (case_id, kind, value)`,
      // Which evidence items of each case are in the index: indexing after an ingest takes the items not
      // here yet, so an item committed by an ingest that failed later is indexed by the next one.
      `CREATE TABLE crosscase_items (
        case_id TEXT NOT NULL, member_case TEXT NOT NULL, evidence_id BIGINT NOT NULL, at BIGINT NOT NULL,
        keys BIGINT NOT NULL, PRIMARY KEY (case_id, member_case, evidence_id))`,
    ],
  },
  {
    // The full-text index of messages, display names and group subjects (src/store/search-schema.ts,
    // docs/search.md): kept by triggers in the transaction that writes the rows; filled here for the rows
    // already in the store.
    version: 15,
    name: 'full-text search',
    statements: [],
    dialect: SEARCH_INDEX,
  },
  {
    version: 17,
    name: 'annotations: notes, tags and bookmarks',
    statements: [
      // What analysts write on accounts, chats, messages and media (src/store/annotation-store.ts). `text` is
      // a note's body, a tag's name (as written, normalised) or a bookmark's optional label; `tag_key` is the
      // tag's name folded to lower case (null for notes and bookmarks). A deleted annotation keeps its row
      // (deleted_at/deleted_by): the record stays for the audit, and lists leave it out.
      `CREATE TABLE annotations (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, target_kind TEXT NOT NULL, target_id BIGINT NOT NULL,
        kind TEXT NOT NULL, text TEXT, tag_key TEXT, in_report BIGINT NOT NULL, by_user TEXT NOT NULL,
        at BIGINT NOT NULL, edited_at BIGINT, edited_by TEXT, deleted_at BIGINT, deleted_by TEXT,
        PRIMARY KEY (case_id, id))`,
      `CREATE INDEX annotations_target ON annotations (case_id, target_kind, target_id)`,
      // One live tag of a name per target, whatever its case: the store says so first, with a clear message.
      `CREATE UNIQUE INDEX annotations_tag ON annotations (case_id, target_kind, target_id, tag_key)
        WHERE kind = 'tag' AND deleted_at IS NULL`,
    ],
  },
  {
    version: 18,
    name: 'media reviews: category, scheme, series',
    statements: [
      // A review may categorise a novel media item (docs/triage.md): the category (a normalized name, as
      // list entries carry it), the case's category scheme when it was set, and the triage series it was
      // set through (null: the item alone). One column per statement: SQLite adds one at a time.
      `ALTER TABLE media_reviews ADD COLUMN category TEXT`,
      `ALTER TABLE media_reviews ADD COLUMN category_scheme TEXT`,
      `ALTER TABLE media_reviews ADD COLUMN series_id BIGINT`,
    ],
  },
  {
    version: 19,
    name: 'users: the language of their interface',
    statements: [
      // One of LANGUAGES (src/model/vocabulary.ts), chosen in the UI (PUT /api/session/language); NULL until
      // chosen, when the browser's languages decide. Kept with the account so it follows the user anywhere.
      `ALTER TABLE users ADD COLUMN language TEXT`,
    ],
  },
  {
    version: 20,
    name: 'keyword lists',
    statements: [
      // Investigators' term lists (docs/keywords.md): slang and code words, each term a search query
      // (src/search/query.ts). Hits are not stored: they are found through the full-text index when asked
      // for (src/app/keywords.ts), so they follow every ingest and identity merge the index follows.
      // `source_sha256` and `source_path` are the imported file's (an upload through the API has no file:
      // the SHA-256 of its terms, one a line, and the path '(upload)').
      `CREATE TABLE keyword_lists (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, name TEXT NOT NULL, category TEXT, language TEXT,
        source_path TEXT NOT NULL, source_sha256 TEXT NOT NULL, synthetic BIGINT NOT NULL,
        imported_by TEXT NOT NULL, imported_at BIGINT NOT NULL, term_count BIGINT NOT NULL,
        PRIMARY KEY (case_id, id), UNIQUE (case_id, name))`,
      // `line`: where the term is in the list's file (or its place in an upload), for the analyst to check.
      `CREATE TABLE keyword_terms (
        case_id TEXT NOT NULL, id BIGINT NOT NULL, list_id BIGINT NOT NULL, term TEXT NOT NULL,
        category TEXT, language TEXT, line BIGINT NOT NULL, PRIMARY KEY (case_id, id))`,
      `CREATE INDEX keyword_terms_list ON keyword_terms (case_id, list_id)`,
    ],
  },
];
