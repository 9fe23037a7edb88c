import { parseQuery } from '../search/query.js';
import type { CaseStore } from './case-store.js';
import type { Param } from './driver.js';
import { SearchStore } from './search-store.js';

/**
 * Keyword lists and their terms (migration 20, docs/keywords.md): the store side of src/app/keywords.ts.
 * Hits are not stored (they are found through the full-text index when asked for).
 */
export interface KeywordListRow {
  id: number;
  name: string;
  category: string | null;
  language: string | null;
  sourcePath: string;
  sourceSha256: string;
  synthetic: boolean;
  importedBy: string;
  importedAt: number;
  termCount: number;
}

export interface KeywordTermRow {
  id: number;
  listId: number;
  term: string;
  category: string | null;
  language: string | null;
  line: number;
}

/** One term with its list and every message of the case it matches now. */
export interface TermHits {
  term: KeywordTermRow;
  list: KeywordListRow;
  messages: { id: number; chatId: number; senderId: number | null }[];
}

export type NewKeywordTerm = Omit<KeywordTermRow, 'id' | 'listId'>;

const BATCH = 200;

export class KeywordStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get caseId() {
    return this.store.caseId;
  }

  async lists(): Promise<KeywordListRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM keyword_lists WHERE case_id = ? ORDER BY name',
      [this.caseId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      category: (r.category as string | null) ?? null,
      language: (r.language as string | null) ?? null,
      sourcePath: String(r.source_path),
      sourceSha256: String(r.source_sha256),
      synthetic: Number(r.synthetic) === 1,
      importedBy: String(r.imported_by),
      importedAt: Number(r.imported_at),
      termCount: Number(r.term_count),
    }));
  }

  /** The terms of one list, or of every list; in list then file order. */
  async terms(listId?: number): Promise<KeywordTermRow[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT id, list_id, term, category, language, line FROM keyword_terms WHERE case_id = ?
       ${listId === undefined ? '' : 'AND list_id = ?'} ORDER BY list_id, line, id`,
      listId === undefined ? [this.caseId] : [this.caseId, listId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      listId: Number(r.list_id),
      term: String(r.term),
      category: (r.category as string | null) ?? null,
      language: (r.language as string | null) ?? null,
      line: Number(r.line),
    }));
  }

  /**
   * Every term of the lists (all, or the one given) with the messages it matches, each term run as a search
   * query through the full-text index (src/store/search-store.ts): one indexed query per term, never a scan.
   * The index is kept by triggers, so the hits are those of the case as it stands (after every ingest,
   * merge and chat link). O(terms · their hits).
   */
  async hits(listId?: number): Promise<TermHits[]> {
    const lists = new Map((await this.lists()).map((l) => [l.id, l]));
    const search = new SearchStore(this.store);
    const out: TermHits[] = [];
    for (const term of await this.terms(listId)) {
      // Terms were validated by the same parser on import.
      out.push({
        term,
        list: lists.get(term.listId)!,
        messages: await search.matchingMessages(parseQuery(term.term)),
      });
    }
    return out;
  }

  /**
   * Writes a list, replacing the one of the same name (and its terms). Call it on the store of the
   * transaction the audit entry commits with (src/app/audited.ts): a failure leaves the old list in place.
   * Returns the new list and the id of the list it replaced (null: none).
   */
  async replaceList(
    meta: Omit<KeywordListRow, 'id' | 'termCount'>,
    terms: NewKeywordTerm[],
  ): Promise<{ list: KeywordListRow; replaced: number | null }> {
    const c = this.caseId;
    const old = await this.db.get<{ id: number }>(
      'SELECT id FROM keyword_lists WHERE case_id = ? AND name = ?',
      [c, meta.name],
    );
    if (old) await this.deleteRows(Number(old.id));
    const max = async (table: string) =>
      Number(
        (await this.db.get<{ m: number | null }>(`SELECT MAX(id) AS m FROM ${table} WHERE case_id = ?`, [c]))
          ?.m ?? 0,
      );
    // Ids are never reused, so a term id named in a stored analysis's reasons never names another term.
    const id =
      Math.max(await max('keyword_lists'), Number((await this.store.getMeta('keywords.last_list')) ?? 0)) + 1;
    let termId = Math.max(
      await max('keyword_terms'),
      Number((await this.store.getMeta('keywords.last_term')) ?? 0),
    );
    await this.db.run(
      `INSERT INTO keyword_lists (case_id, id, name, category, language, source_path, source_sha256, synthetic,
         imported_by, imported_at, term_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        c,
        id,
        meta.name,
        meta.category,
        meta.language,
        meta.sourcePath,
        meta.sourceSha256,
        meta.synthetic ? 1 : 0,
        meta.importedBy,
        meta.importedAt,
        terms.length,
      ],
    );
    for (let i = 0; i < terms.length; i += BATCH) {
      const params: Param[] = [];
      const chunk = terms.slice(i, i + BATCH);
      for (const t of chunk) params.push(c, ++termId, id, t.term, t.category, t.language, t.line);
      await this.db.run(
        `INSERT INTO keyword_terms (case_id, id, list_id, term, category, language, line) VALUES ${chunk
          .map(() => '(?, ?, ?, ?, ?, ?, ?)')
          .join(', ')}`,
        params,
      );
    }
    await this.store.setMeta('keywords.last_list', String(id));
    await this.store.setMeta('keywords.last_term', String(termId));
    return { list: { ...meta, id, termCount: terms.length }, replaced: old ? Number(old.id) : null };
  }

  /** Deletes a list and its terms (inside the caller's transaction); false when there is no such list. */
  async deleteList(id: number): Promise<KeywordListRow | null> {
    const list = (await this.lists()).find((l) => l.id === id) ?? null;
    if (list) await this.deleteRows(id);
    return list;
  }

  private async deleteRows(id: number): Promise<void> {
    await this.db.run('DELETE FROM keyword_terms WHERE case_id = ? AND list_id = ?', [this.caseId, id]);
    await this.db.run('DELETE FROM keyword_lists WHERE case_id = ? AND id = ?', [this.caseId, id]);
  }
}
