import type { EvidenceItem, ParsedRecord } from '../model/types.js';
import {
  type AuditEntry,
  type AuditHead,
  type AuditVerification,
  GENESIS_ACTION,
  GENESIS_HASH,
  MAC_SCHEME,
  type StoredAuditEntry,
  entryMac,
  formatHead,
  storedValue,
  verifyChain,
} from './audit-chain.js';
import { auditKeyPath, loadAuditKey, type AuditKey } from './audit-key.js';
import { canonicalJson } from './canonical-json.js';
import type { Param, SqlDriver } from './driver.js';
import { databaseLineages, linkDatabaseState, type Lineage } from './database-states.js';
import { IngestWriter, type IngestStats } from './ingest-writer.js';
import { MIGRATIONS } from './migrations.js';
import { joinCopiesInChats, linkChatsAfterIngest } from './chat-links.js';
import { resolveAfterIngest } from './identity-resolution.js';
import { UserError } from '../util/errors.js';

export interface CaseInfo {
  caseId: string;
  name: string;
  createdAt: number;
  synthetic: boolean;
  toolVersion: string;
}

/** Rows as the store returns them to services (snake_case columns mapped to the model's names). */
export interface AccountRow {
  id: number;
  key: string;
  kind: string;
  phone: string | null;
  mergedInto: number | null;
}
export interface ChatRow {
  id: number;
  key: string;
  kind: 'group' | 'direct';
  jid: string | null;
  subject: string | null;
  createdAt: number | null;
  creatorId: number | null;
}
export interface EventRow {
  id: number;
  chatId: number;
  type: string;
  actorId: number | null;
  targets: number[];
  at: number;
  value: string | null;
  raw: string | null;
  /** As MessageRow.deletedLater. */
  deletedLater: number | null;
}
export interface MediaRow {
  id: number;
  sha256: string;
  md5: string | null;
  sha1: string | null;
  pdq: string | null;
  pdqQuality: number | null;
  mime: string | null;
  size: number | null;
  present: boolean;
  fileEvidenceId: number | null;
  fileRef: string | null;
  /** Fingerprint of the lists it was last compared with (src/model/media-status.ts); null: never compared. */
  checkedLists: string | null;
}
export interface MessageRow {
  id: number;
  key: string;
  chatId: number;
  senderId: number | null;
  at: number;
  tz: string;
  kind: string;
  text: string | null;
  forwarded: boolean;
  forwardScore: number | null;
  waKeyId: string | null;
  mediaSha256: string | null;
  mediaName: string | null;
  mediaStatus: string | null;
  /**
   * Read from an older state of a device database and absent from its newest state: the id of that newest
   * state's evidence item (src/store/database-states.ts). Null: not deleted.
   */
  deletedLater: number | null;
}
export interface MatchRow {
  mediaId: number;
  listId: number;
  listName: string;
  entryId: string | null;
  hashType: string;
  distance: number;
  variant: string | null;
  category: string | null;
}
export interface ProvenanceRow {
  factType: string;
  factId: number;
  factAux: number | null;
  evidenceId: number;
  kind: string;
  table: string | null;
  rowId: number | null;
  line: number | null;
  entry: string | null;
}

function mediaFromRow(r: Record<string, unknown>): MediaRow {
  return {
    id: Number(r.id),
    sha256: String(r.sha256),
    md5: (r.md5 as string | null) ?? null,
    sha1: (r.sha1 as string | null) ?? null,
    pdq: (r.pdq as string | null) ?? null,
    pdqQuality: r.pdq_quality === null ? null : Number(r.pdq_quality),
    mime: (r.mime as string | null) ?? null,
    size: r.size === null ? null : Number(r.size),
    present: Number(r.present) === 1,
    fileEvidenceId: r.file_evidence_id === null ? null : Number(r.file_evidence_id),
    fileRef: (r.file_ref as string | null) ?? null,
    checkedLists: (r.checked_lists as string | null) ?? null,
  };
}

export function messageFromRow(r: Record<string, unknown>): MessageRow {
  return {
    id: Number(r.id),
    key: String(r.key),
    chatId: Number(r.chat_id),
    senderId: r.sender_id === null ? null : Number(r.sender_id),
    at: Number(r.at),
    tz: String(r.tz),
    kind: String(r.kind),
    text: (r.text as string | null) ?? null,
    forwarded: Number(r.forwarded) === 1,
    forwardScore: r.forward_score === null ? null : Number(r.forward_score),
    waKeyId: (r.wa_key_id as string | null) ?? null,
    mediaSha256: (r.media_sha256 as string | null) ?? null,
    mediaName: (r.media_name as string | null) ?? null,
    mediaStatus: (r.media_status as string | null) ?? null,
    deletedLater: r.deleted_later == null ? null : Number(r.deleted_later),
  };
}

export function chatFromRow(r: Record<string, unknown>): ChatRow {
  return {
    id: Number(r.id),
    key: String(r.key),
    kind: r.kind as 'group' | 'direct',
    jid: (r.jid as string | null) ?? null,
    subject: (r.subject as string | null) ?? null,
    createdAt: r.created_at === null ? null : Number(r.created_at),
    creatorId: r.creator_id === null ? null : Number(r.creator_id),
  };
}

export function eventFromRow(r: Record<string, unknown>): EventRow {
  return {
    id: Number(r.id),
    chatId: Number(r.chat_id),
    type: String(r.type),
    actorId: r.actor_id === null ? null : Number(r.actor_id),
    targets: JSON.parse(String(r.targets)) as number[],
    at: Number(r.at),
    value: (r.value as string | null) ?? null,
    raw: (r.raw as string | null) ?? null,
    deletedLater: r.deleted_later == null ? null : Number(r.deleted_later),
  };
}

function evidenceFromRow(r: Record<string, unknown>): EvidenceItem {
  return {
    id: Number(r.id),
    path: String(r.path),
    sha256: String(r.sha256),
    size: Number(r.size),
    kind: r.kind as EvidenceItem['kind'],
    deviceLabel: String(r.device_label),
    examiner: (r.examiner as string | null) ?? null,
    acquiredAt: r.acquired_at === null ? null : Number(r.acquired_at),
    ingestedAt: Number(r.ingested_at),
    toolVersion: String(r.tool_version),
    notes: JSON.parse(String(r.notes)) as Record<string, unknown>,
  };
}

/**
 * The case store: every read and write of a case goes through here (nothing else writes SQL). It runs on
 * any `SqlDriver` — SQLite for one laptop, PostgreSQL for a team — with the same SQL and the same behaviour.
 */
export class CaseStore {
  constructor(
    readonly db: SqlDriver,
    readonly caseId: string,
    /** The case folder, when known: the audit key must not be inside it. */
    readonly caseDir: string | null = null,
  ) {}

  get dialect(): 'sqlite' | 'postgres' {
    return this.db.dialect;
  }

  /**
   * Runs `fn` in one transaction of this case, with a store bound to it: everything `fn` does through that
   * store (and the stores built on it) commits together or not at all. On a store that is already bound to
   * a transaction, `fn` joins it.
   */
  transaction<T>(fn: (s: CaseStore) => Promise<T>): Promise<T> {
    return this.db.transaction(this.caseId, (tx) =>
      fn(tx === this.db ? this : new CaseStore(tx, this.caseId, this.caseDir)),
    );
  }

  /** Applies pending migrations; safe to call on every open, and from several processes at once. */
  static async migrate(db: SqlDriver): Promise<number> {
    await db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    let applied = 0;
    await db.transaction('__schema__', async (tx) => {
      const done = new Set(
        (await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) =>
          Number(r.version),
        ),
      );
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const s of [...m.statements, ...(m.dialect?.[db.dialect] ?? [])]) await tx.exec(s);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          Date.now(),
        ]);
        applied++;
      }
    });
    return applied;
  }

  async createCase(info: CaseInfo): Promise<void> {
    await this.db.run(
      'INSERT INTO cases (case_id, name, created_at, synthetic, tool_version) VALUES (?, ?, ?, ?, ?)',
      [info.caseId, info.name, info.createdAt, info.synthetic ? 1 : 0, info.toolVersion],
    );
  }

  async getCase(): Promise<CaseInfo | null> {
    const r = await this.db.get<Record<string, unknown>>('SELECT * FROM cases WHERE case_id = ?', [
      this.caseId,
    ]);
    if (!r) return null;
    return {
      caseId: String(r.case_id),
      name: String(r.name),
      createdAt: Number(r.created_at),
      synthetic: Number(r.synthetic) === 1,
      toolVersion: String(r.tool_version),
    };
  }

  async setSynthetic(flag: boolean): Promise<void> {
    await this.db.run('UPDATE cases SET synthetic = ? WHERE case_id = ?', [flag ? 1 : 0, this.caseId]);
  }

  async getMeta(key: string): Promise<string | null> {
    const r = await this.db.get<{ value: string | null }>(
      'SELECT value FROM case_meta WHERE case_id = ? AND key = ?',
      [this.caseId, key],
    );
    return r?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.run(
      'INSERT INTO case_meta (case_id, key, value) VALUES (?, ?, ?) ON CONFLICT (case_id, key) DO UPDATE SET value = excluded.value',
      [this.caseId, key, value],
    );
  }

  /**
   * The case generation: a counter bumped inside every transaction that changes what the case says (ingest,
   * list import, hashing, matching, merges, analysis, reviews). Readers that keep a view of the case in
   * memory key it on this number; one cheap read tells them whether it is still current.
   */
  async generation(): Promise<number> {
    return Number((await this.getMeta('generation')) ?? 0);
  }

  /** Bumps the generation (call it inside the transaction of the change). Returns the new value. */
  async bumpGeneration(): Promise<number> {
    await this.db.run(
      `INSERT INTO case_meta (case_id, key, value) VALUES (?, 'generation', '1')
       ON CONFLICT (case_id, key) DO UPDATE SET value = CAST(CAST(case_meta.value AS BIGINT) + 1 AS TEXT)`,
      [this.caseId],
    );
    return this.generation();
  }

  // ---- evidence -------------------------------------------------------------------------------------------

  async evidenceBySha256(sha256: string): Promise<EvidenceItem | null> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT * FROM evidence WHERE case_id = ? AND sha256 = ?',
      [this.caseId, sha256],
    );
    return r ? evidenceFromRow(r) : null;
  }

  async evidenceById(id: number): Promise<EvidenceItem | null> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT * FROM evidence WHERE case_id = ? AND id = ?',
      [this.caseId, id],
    );
    return r ? evidenceFromRow(r) : null;
  }

  async listEvidence(): Promise<EvidenceItem[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM evidence WHERE case_id = ? ORDER BY id',
      [this.caseId],
    );
    return rows.map(evidenceFromRow);
  }

  /**
   * Ingests one evidence item in one transaction: it lands whole or not at all. The reader's `notes`
   * object is filled while records stream and stored with the item at the end.
   */
  async ingestEvidence(
    item: Omit<EvidenceItem, 'id'>,
    records: AsyncIterable<ParsedRecord>,
    onRecord?: (n: number) => void,
    /** Runs inside the item's transaction, last (checks that must hold, the audit entry of the change). */
    beforeCommit?: (s: CaseStore, evidence: EvidenceItem, stats: IngestStats) => Promise<void>,
    /** `resolveIdentities: false` leaves saved names unmerged (for measuring the identity rules). */
    opts: { resolveIdentities?: boolean } = {},
  ): Promise<{ evidence: EvidenceItem; stats: IngestStats }> {
    return this.transaction(async (s) => {
      const r = await s.db.get<{ m: number | null }>('SELECT MAX(id) AS m FROM evidence WHERE case_id = ?', [
        this.caseId,
      ]);
      const id = (r?.m ?? 0) + 1;
      await s.db.run(
        `INSERT INTO evidence (case_id, id, path, sha256, size, kind, device_label, examiner, acquired_at,
           ingested_at, tool_version, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          this.caseId,
          id,
          item.path,
          item.sha256,
          item.size,
          item.kind,
          item.deviceLabel,
          item.examiner,
          item.acquiredAt,
          item.ingestedAt,
          item.toolVersion,
          '{}',
        ],
      );
      const writer = new IngestWriter(s.db, this.caseId, id);
      await writer.init();
      let n = 0;
      for await (const rec of records) {
        await writer.add(rec);
        if (++n % 1000 === 0) onRecord?.(1000);
      }
      await writer.flush();
      onRecord?.(n % 1000);
      // A reader that serves several kinds (an export .txt or .zip) names the one it found in its notes.
      const kind =
        typeof item.notes.kind === 'string' ? (item.notes.kind as EvidenceItem['kind']) : item.kind;
      // An older (or newer) state of a database already in the case: relate them, mark what was deleted.
      const state = await linkDatabaseState(s.db, this.caseId, id, { ...item, kind });
      if (state) item.notes.databaseState = state;
      await s.db.run('UPDATE evidence SET notes = ?, kind = ? WHERE case_id = ? AND id = ?', [
        JSON.stringify(item.notes),
        kind,
        this.caseId,
        id,
      ]);
      // One group read from several sources becomes one chat, then saved names the evidence pairs with
      // numbers become one person; both are recorded in the item's stats (its audit entry).
      const chatLinks = await linkChatsAfterIngest(s, id, item.ingestedAt);
      // Chats a link moved facts into were joined by the link; the others this item added to are joined here.
      await joinCopiesInChats(s, writer.existingChatsWritten, new Set(chatLinks.map((l) => l.into.id)));
      const identity =
        opts.resolveIdentities === false ? { merged: [] } : await resolveAfterIngest(s, item.ingestedAt);
      if (chatLinks.length || identity.merged.length)
        writer.stats.resolution = {
          chatLinks: chatLinks.map((l) => ({
            from: l.from.key,
            into: l.into.key,
            shared: l.shared,
            joined: l.joined,
          })),
          merged: identity.merged,
        };
      await s.bumpGeneration();
      const evidence = { ...item, kind, id };
      await beforeCommit?.(s, evidence, writer.stats);
      return { evidence, stats: writer.stats };
    });
  }

  // ---- audit ----------------------------------------------------------------------------------------------

  /**
   * Appends one entry to the keyed chain (audit-chain.ts) and moves the recorded head, in one transaction:
   * called on a store bound to a transaction, it joins it, so the entry commits with the change or not at
   * all. Arguments and result are stored as the canonical JSON that is MACed; a value with no JSON form
   * (NaN, Infinity, undefined in an array…) is refused before anything is written.
   */
  async appendAudit(actor: string, action: string, args: unknown, result: unknown): Promise<AuditEntry> {
    if (action === GENESIS_ACTION)
      throw new Error(`${GENESIS_ACTION} is written when the case is created, not appended`);
    return this.appendEntry(actor, action, args, result);
  }

  /** Writes entry 1, which binds the log to this case and to the installation's key (initCase). */
  async appendGenesis(): Promise<AuditEntry> {
    return this.appendEntry('filet', GENESIS_ACTION, null, null, true);
  }

  private auditKey(create: boolean): AuditKey | null {
    return loadAuditKey({ caseDir: this.caseDir, create });
  }

  private async appendEntry(
    actor: string,
    action: string,
    args: unknown,
    result: unknown,
    genesis = false,
  ): Promise<AuditEntry> {
    // Refused before anything is written: a value with no JSON form.
    const plainArgs = genesis ? null : canonicalJson(args ?? null);
    const resultText = canonicalJson(result ?? null);
    return this.transaction(async (s) => {
      const recorded = await s.getMeta('audit_key_id');
      // The key is created on first use only: for a case chained with a key, a missing key is an error,
      // not a reason to make another one.
      const key = this.auditKey(genesis || recorded === null);
      if (!key)
        throw new UserError(
          `there is no audit key at ${auditKeyPath()}, and the audit log of case ${this.caseId} is chained with key ${recorded}: nothing was appended; restore that key file (docs/audit.md)`,
        );
      if (recorded !== null && recorded !== key.id)
        throw new UserError(
          `the audit log of case ${this.caseId} is chained with key ${recorded}, the key here (${key.path}) is ${key.id}: nothing was appended; use the key file of the installation that wrote the case (docs/audit.md)`,
        );
      const argsText = plainArgs ?? canonicalJson({ caseId: this.caseId, keyId: key.id, scheme: MAC_SCHEME });
      const last = await s.db.get<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit WHERE case_id = ? ORDER BY seq DESC LIMIT 1',
        [this.caseId],
      );
      if (genesis && last) throw new Error(`case ${this.caseId} already has an audit log`);
      const entry: Omit<StoredAuditEntry, 'hash'> = {
        seq: Number(last?.seq ?? 0) + 1,
        at: Date.now(),
        actor,
        action,
        argsText,
        resultText,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const hash = entryMac(key.bytes, this.caseId, entry);
      await s.db.run(
        'INSERT INTO audit (case_id, seq, at, actor, action, args, result, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [this.caseId, entry.seq, entry.at, actor, action, argsText, resultText, entry.prevHash, hash],
      );
      await s.setMeta('audit_head', JSON.stringify({ seq: entry.seq, hash }));
      if (genesis) await s.setMeta('audit_key_id', key.id);
      return {
        seq: entry.seq,
        at: entry.at,
        actor,
        action,
        args: storedValue(argsText),
        result: storedValue(resultText),
        prevHash: entry.prevHash,
        hash,
      };
    });
  }

  private async storedAudit(opts: { offset?: number; limit?: number } = {}): Promise<StoredAuditEntry[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM audit WHERE case_id = ? ORDER BY seq LIMIT ? OFFSET ?',
      [this.caseId, opts.limit ?? 1e9, opts.offset ?? 0],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: Number(r.at),
      actor: String(r.actor),
      action: String(r.action),
      argsText: String(r.args),
      resultText: String(r.result),
      prevHash: String(r.prev_hash),
      hash: String(r.hash),
    }));
  }

  /** The log as values (no key needed: a log can always be read, even where it cannot be verified). */
  async readAudit(opts: { offset?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    return (await this.storedAudit(opts)).map(({ argsText, resultText, ...e }) => ({
      ...e,
      args: storedValue(argsText),
      result: storedValue(resultText),
    }));
  }

  /** The last entry of the log as `seq:hash` (what reports, exports and referral packages print). */
  async auditHead(): Promise<string | null> {
    const last = await this.db.get<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit WHERE case_id = ? ORDER BY seq DESC LIMIT 1',
      [this.caseId],
    );
    return last ? formatHead({ seq: Number(last.seq), hash: last.hash }) : null;
  }

  /**
   * Verifies the chain with this installation's key (never created here). `expectHead` is a head kept
   * outside the case (`seq:hash` or the hash, as a report or export printed it): the chain must hold it.
   */
  async verifyAudit(
    opts: { expectHead?: { seq: number | null; hash: string } | null } = {},
  ): Promise<AuditVerification> {
    const key = this.auditKey(false);
    const headText = await this.getMeta('audit_head');
    let recordedHead: AuditHead | null = null;
    try {
      const h = headText ? (JSON.parse(headText) as AuditHead) : null;
      if (h && Number.isInteger(h.seq) && typeof h.hash === 'string') recordedHead = h;
    } catch {
      recordedHead = null;
    }
    return verifyChain(await this.storedAudit(), {
      caseId: this.caseId,
      key: key ?? { missing: auditKeyPath() },
      recordedKeyId: await this.getMeta('audit_key_id'),
      recordedHead,
      expectHead: opts.expectHead ?? null,
    });
  }

  // ---- reads for services -----------------------------------------------------------------------------------

  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of [
      'evidence',
      'accounts',
      'chats',
      'events',
      'messages',
      'media',
      'provenance',
      'unclassified',
    ]) {
      const r = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t} WHERE case_id = ?`, [
        this.caseId,
      ]);
      out[t] = Number(r?.n ?? 0);
    }
    const g = await this.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM chats WHERE case_id = ? AND kind = 'group'",
      [this.caseId],
    );
    out.groups = Number(g?.n ?? 0);
    return out;
  }

  async accounts(): Promise<AccountRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT id, key, kind, phone, merged_into FROM accounts WHERE case_id = ? ORDER BY id',
      [this.caseId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      key: String(r.key),
      kind: String(r.kind),
      phone: (r.phone as string | null) ?? null,
      mergedInto: r.merged_into === null ? null : Number(r.merged_into),
    }));
  }

  async accountAliases(): Promise<{ jids: Map<number, string[]>; names: Map<number, string[]> }> {
    const jids = new Map<number, string[]>();
    const names = new Map<number, string[]>();
    for (const r of await this.db.all<{ account_id: number; jid: string }>(
      'SELECT account_id, jid FROM account_jids WHERE case_id = ? ORDER BY account_id, jid',
      [this.caseId],
    ))
      (jids.get(Number(r.account_id)) ?? jids.set(Number(r.account_id), []).get(Number(r.account_id))!).push(
        r.jid,
      );
    for (const r of await this.db.all<{ account_id: number; name: string }>(
      'SELECT account_id, name FROM account_names WHERE case_id = ? ORDER BY account_id, name',
      [this.caseId],
    ))
      (
        names.get(Number(r.account_id)) ?? names.set(Number(r.account_id), []).get(Number(r.account_id))!
      ).push(r.name);
    return { jids, names };
  }

  async chats(): Promise<ChatRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM chats WHERE case_id = ? ORDER BY id',
      [this.caseId],
    );
    return rows.map(chatFromRow);
  }

  async memberships(): Promise<
    { chatId: number; accountId: number; rank: number; active: boolean; deletedLater: number | null }[]
  > {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT chat_id, account_id, rank, active, deleted_later FROM memberships WHERE case_id = ? ORDER BY chat_id, account_id',
      [this.caseId],
    );
    return rows.map((r) => ({
      chatId: Number(r.chat_id),
      accountId: Number(r.account_id),
      rank: Number(r.rank),
      active: Number(r.active) === 1,
      deletedLater: r.deleted_later == null ? null : Number(r.deleted_later),
    }));
  }

  /** Messages deleted later (held by an older state of a database only), in time order, at most `limit`. */
  async deletedLaterMessages(limit: number): Promise<MessageRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM messages WHERE case_id = ? AND deleted_later IS NOT NULL ORDER BY at, id LIMIT ?',
      [this.caseId, limit],
    );
    return rows.map(messageFromRow);
  }

  /** Databases read in several states (older dated copies and the current one), with their states. */
  async databaseLineages(): Promise<Lineage[]> {
    return databaseLineages(this.db, this.caseId);
  }

  async events(): Promise<EventRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM events WHERE case_id = ? ORDER BY chat_id, at, id',
      [this.caseId],
    );
    return rows.map(eventFromRow);
  }

  async media(): Promise<MediaRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM media WHERE case_id = ? ORDER BY id',
      [this.caseId],
    );
    return rows.map(mediaFromRow);
  }

  /** The media items of `ids` that exist, in id order (a hash job's batch). */
  async mediaByIds(ids: number[]): Promise<MediaRow[]> {
    const out: MediaRow[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const rows = await this.db.all<Record<string, unknown>>(
        `SELECT * FROM media WHERE case_id = ? AND id IN (${part.map(() => '?').join(',')})`,
        [this.caseId, ...part],
      );
      out.push(...rows.map(mediaFromRow));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** One media item read now from the store (never from a view). */
  async mediaById(id: number): Promise<MediaRow | null> {
    const r = await this.db.get<Record<string, unknown>>('SELECT * FROM media WHERE case_id = ? AND id = ?', [
      this.caseId,
      id,
    ]);
    return r ? mediaFromRow(r) : null;
  }

  /** Messages in (chat, time) order, in pages, so a large case never sits in memory whole. */
  async *messages(pageSize = 10000): AsyncGenerator<MessageRow[]> {
    let after = -1;
    while (true) {
      const rows = await this.db.all<Record<string, unknown>>(
        'SELECT * FROM messages WHERE case_id = ? AND id > ? ORDER BY id LIMIT ?',
        [this.caseId, after, pageSize],
      );
      if (!rows.length) return;
      after = Number(rows[rows.length - 1]!.id);
      yield rows.map(messageFromRow);
    }
  }

  async provenance(factType?: string, factIds?: number[]): Promise<ProvenanceRow[]> {
    const params: Param[] = [this.caseId];
    let where = 'case_id = ?';
    if (factType) {
      where += ' AND fact_type = ?';
      params.push(factType);
    }
    if (factIds) {
      if (!factIds.length) return [];
      where += ` AND fact_id IN (${factIds.map(() => '?').join(',')})`;
      params.push(...factIds);
    }
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT * FROM provenance WHERE ${where} ORDER BY fact_type, fact_id, evidence_id`,
      params,
    );
    return rows.map((r) => ({
      factType: String(r.fact_type),
      factId: Number(r.fact_id),
      factAux: r.fact_aux === null ? null : Number(r.fact_aux),
      evidenceId: Number(r.evidence_id),
      kind: String(r.loc_kind),
      table: (r.loc_table as string | null) ?? null,
      rowId: r.loc_row === null ? null : Number(r.loc_row),
      line: r.loc_line === null ? null : Number(r.loc_line),
      entry: (r.loc_entry as string | null) ?? null,
    }));
  }

  async matches(): Promise<MatchRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT m.media_id, m.list_id, l.name AS list_name, e.entry_id, m.hash_type, m.distance, m.variant, m.category
         FROM matches m
         JOIN hash_lists l ON l.case_id = m.case_id AND l.id = m.list_id
         JOIN hash_entries e ON e.case_id = m.case_id AND e.list_id = m.list_id AND e.id = m.entry_id
        WHERE m.case_id = ? ORDER BY m.media_id, m.distance`,
      [this.caseId],
    );
    return rows.map((r) => ({
      mediaId: Number(r.media_id),
      listId: Number(r.list_id),
      listName: String(r.list_name),
      entryId: (r.entry_id as string | null) ?? null,
      hashType: String(r.hash_type),
      distance: Number(r.distance),
      variant: (r.variant as string | null) ?? null,
      category: (r.category as string | null) ?? null,
    }));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
