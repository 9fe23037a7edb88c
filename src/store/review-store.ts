import type { ReviewStatus } from '../model/vocabulary.js';
import { messageFromRow, type CaseStore, type MessageRow } from './case-store.js';
import type { Param } from './driver.js';
import { joinFactsAfterMerge, restoreJoins } from './fact-joins.js';

/**
 * What analysts add to a case through the web server: identity merges (reversible, with a reason), review
 * marks on media, evidence re-verifications, and the paged message reads the pages need.
 */
export interface MergeRow {
  id: number;
  from: number;
  into: number;
  by: string;
  reason: string;
  at: number;
  undoneAt: number | null;
  undoneBy: string | null;
  /** Copies the merge joined into one fact (an undo: restored); absent when listed. */
  joined?: { messages: number; events: number };
}

/** An analyst's rejection of an identity pair (migration 10): the pair is not suggested or merged again. */
export interface RejectionRow {
  id: number;
  /** Account keys, as the suggestion named them. */
  from: string;
  into: string;
  by: string;
  reason: string;
  at: number;
  undoneAt: number | null;
  undoneBy: string | null;
}

export interface ReviewRow {
  mediaId: number;
  status: ReviewStatus;
  note: string | null;
  by: string;
  at: number;
  /** A normalized category (src/triage/categories.ts) and the case's scheme when it was set; null: none. */
  category?: string | null;
  scheme?: string | null;
  /** The triage series the review was set through (docs/triage.md); null: the item alone. */
  seriesId?: number | null;
}

export interface EvidenceCheckRow {
  evidenceId: number;
  at: number;
  by: string;
  ok: boolean;
  actual: string | null;
}

/** Why a merge was refused; the server turns it into a 404 or 409. */
export class MergeConflict extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export class ReviewStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get c() {
    return this.store.caseId;
  }

  // ---- identity merges ------------------------------------------------------------------------------------

  async merges(): Promise<MergeRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM identity_merges WHERE case_id = ? ORDER BY id',
      [this.c],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      from: Number(r.from_account),
      into: Number(r.into_account),
      by: String(r.merged_by),
      reason: String(r.reason),
      at: Number(r.at),
      undoneAt: n(r.undone_at),
      undoneBy: (r.undone_by as string | null) ?? null,
    }));
  }

  /** Merges account `from` into `into` (sets `accounts.merged_into`), in one transaction. */
  async merge(from: number, into: number, by: string, reason: string, at: number): Promise<MergeRow> {
    return this.store.transaction(async (s) => {
      await s.bumpGeneration();
      const get = (id: number) =>
        s.db.get<{ id: number; merged_into: number | null }>(
          'SELECT id, merged_into FROM accounts WHERE case_id = ? AND id = ?',
          [this.c, id],
        );
      const a = await get(from);
      const b = await get(into);
      if (!a) throw new MergeConflict(`no account ${from}`, true);
      if (!b) throw new MergeConflict(`no account ${into}`, true);
      if (from === into) throw new MergeConflict('an account cannot be merged into itself');
      if (a.merged_into !== null)
        throw new MergeConflict(`account ${from} is already merged into ${a.merged_into}`);
      // Merging only into an unmerged account keeps the merge graph a forest (no cycles).
      if (b.merged_into !== null)
        throw new MergeConflict(`account ${into} is itself merged into ${b.merged_into}`);
      const last = await s.db.get<{ m: number | null }>(
        'SELECT MAX(id) AS m FROM identity_merges WHERE case_id = ?',
        [this.c],
      );
      const id = Number(last?.m ?? 0) + 1;
      await s.db.run(
        'INSERT INTO identity_merges (case_id, id, from_account, into_account, merged_by, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [this.c, id, from, into, by, reason, at],
      );
      await s.db.run('UPDATE accounts SET merged_into = ? WHERE case_id = ? AND id = ?', [
        into,
        this.c,
        from,
      ]);
      const joined = await joinFactsAfterMerge(s, id, into);
      return { id, from, into, by, reason, at, undoneAt: null, undoneBy: null, joined };
    });
  }

  /** Undoes a merge; null when there is no such merge. */
  async unmerge(id: number, by: string, at: number): Promise<MergeRow | null> {
    return this.store.transaction(async (s) => {
      await s.bumpGeneration();
      const m = (await new ReviewStore(s).merges()).find((x) => x.id === id);
      if (!m) return null;
      if (m.undoneAt !== null) throw new MergeConflict(`merge ${id} was already undone`);
      await s.db.run('UPDATE identity_merges SET undone_at = ?, undone_by = ? WHERE case_id = ? AND id = ?', [
        at,
        by,
        this.c,
        id,
      ]);
      await s.db.run(
        'UPDATE accounts SET merged_into = NULL WHERE case_id = ? AND id = ? AND merged_into = ?',
        [this.c, m.from, m.into],
      );
      const restored = await restoreJoins(s, id);
      return { ...m, undoneAt: at, undoneBy: by, joined: restored };
    });
  }

  // ---- identity rejections -------------------------------------------------------------------------------

  async rejections(): Promise<RejectionRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM identity_rejections WHERE case_id = ? ORDER BY id',
      [this.c],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      from: String(r.from_key),
      into: String(r.into_key),
      by: String(r.rejected_by),
      reason: String(r.reason),
      at: Number(r.at),
      undoneAt: n(r.undone_at),
      undoneBy: (r.undone_by as string | null) ?? null,
    }));
  }

  /** Records that the accounts keyed `from` and `into` are not one person (call inside the change's transaction). */
  async reject(from: string, into: string, by: string, reason: string, at: number): Promise<RejectionRow> {
    return this.store.transaction(async (s) => {
      await s.bumpGeneration();
      const last = await s.db.get<{ m: number | null }>(
        'SELECT MAX(id) AS m FROM identity_rejections WHERE case_id = ?',
        [this.c],
      );
      const id = Number(last?.m ?? 0) + 1;
      await s.db.run(
        'INSERT INTO identity_rejections (case_id, id, from_key, into_key, rejected_by, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [this.c, id, from, into, by, reason, at],
      );
      return { id, from, into, by, reason, at, undoneAt: null, undoneBy: null };
    });
  }

  // ---- media reviews --------------------------------------------------------------------------------------

  async reviews(): Promise<Map<number, ReviewRow>> {
    const rows = await this.db.all<Record<string, unknown>>('SELECT * FROM media_reviews WHERE case_id = ?', [
      this.c,
    ]);
    return new Map(
      rows.map((r) => [
        Number(r.media_id),
        {
          mediaId: Number(r.media_id),
          status: String(r.status) as ReviewStatus, // written only from REVIEW_STATUSES
          note: (r.note as string | null) ?? null,
          by: String(r.by_user),
          at: Number(r.at),
          category: (r.category as string | null) ?? null,
          scheme: (r.category_scheme as string | null) ?? null,
          seriesId: n(r.series_id),
        },
      ]),
    );
  }

  /** Sets (or with status `none`, clears) the review mark of one media item. */
  async setReview(r: ReviewRow): Promise<void> {
    await this.setReviews([r]);
  }

  /** Sets the reviews of several media items (a series) in one transaction. */
  async setReviews(rows: ReviewRow[]): Promise<void> {
    await this.store.transaction(async (s) => {
      await s.bumpGeneration();
      for (const r of rows) {
        await s.db.run('DELETE FROM media_reviews WHERE case_id = ? AND media_id = ?', [this.c, r.mediaId]);
        if (r.status !== 'none')
          await s.db.run(
            `INSERT INTO media_reviews (case_id, media_id, status, note, by_user, at, category, category_scheme, series_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              this.c,
              r.mediaId,
              r.status,
              r.note,
              r.by,
              r.at,
              r.category ?? null,
              r.scheme ?? null,
              r.seriesId ?? null,
            ],
          );
        await s.db.run('UPDATE media SET review_status = ? WHERE case_id = ? AND id = ?', [
          r.status === 'none' ? null : r.status,
          this.c,
          r.mediaId,
        ]);
      }
    });
  }

  // ---- evidence checks ------------------------------------------------------------------------------------

  async addEvidenceCheck(c: EvidenceCheckRow): Promise<void> {
    await this.db.run(
      'INSERT INTO evidence_checks (case_id, evidence_id, at, by_user, ok, actual) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [this.c, c.evidenceId, c.at, c.by, c.ok ? 1 : 0, c.actual],
    );
  }

  /** The latest check of each evidence item. */
  async latestEvidenceChecks(): Promise<Map<number, EvidenceCheckRow>> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM evidence_checks WHERE case_id = ? ORDER BY evidence_id, at',
      [this.c],
    );
    const out = new Map<number, EvidenceCheckRow>();
    for (const r of rows)
      out.set(Number(r.evidence_id), {
        evidenceId: Number(r.evidence_id),
        at: Number(r.at),
        by: String(r.by_user),
        ok: Number(r.ok) === 1,
        actual: (r.actual as string | null) ?? null,
      });
    return out;
  }

  // ---- paged message reads --------------------------------------------------------------------------------

  /** Messages of a chat or of a set of senders, oldest first, one page, with the total. */
  async messagePage(
    where: { chatId?: number; senderIds?: number[] },
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: MessageRow[] }> {
    const params: Param[] = [this.c];
    let sql = 'case_id = ?';
    if (where.chatId !== undefined) {
      sql += ' AND chat_id = ?';
      params.push(where.chatId);
    }
    if (where.senderIds) {
      if (!where.senderIds.length) return { total: 0, items: [] };
      sql += ` AND sender_id IN (${where.senderIds.map(() => '?').join(',')})`;
      params.push(...where.senderIds);
    }
    const t = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE ${sql}`, params);
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT * FROM messages WHERE ${sql} ORDER BY at, id LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    return { total: Number(t?.n ?? 0), items: rows.map(messageFromRow) };
  }

  /** Every message of these senders, in time order, as much as a timeline needs of each. */
  async postsBy(
    senderIds: number[],
  ): Promise<{ id: number; chatId: number; at: number; mediaSha256: string | null }[]> {
    if (!senderIds.length) return [];
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT id, chat_id, at, media_sha256 FROM messages WHERE case_id = ? AND sender_id IN (${senderIds
        .map(() => '?')
        .join(',')}) ORDER BY at, id`,
      [this.c, ...senderIds],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      chatId: Number(r.chat_id),
      at: Number(r.at),
      mediaSha256: (r.media_sha256 as string | null) ?? null,
    }));
  }
}
