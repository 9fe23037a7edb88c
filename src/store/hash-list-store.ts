import type { HashListEntry } from '../matching/lists/types.js';
import { listsFingerprint } from '../model/media-status.js';
import type { CaseStore } from './case-store.js';
import type { Param } from './driver.js';

export interface HashListInfo {
  id: number;
  name: string;
  format: string;
  sourcePath: string;
  sourceSha256: string;
  categoryScheme: string | null;
  importedAt: number;
  entryCount: number;
}

export interface StoredEntry {
  listId: number;
  id: number;
  entryId: string | null;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  pdq: string | null;
  category: string | null;
}

export interface MatchInsert {
  mediaId: number;
  listId: number;
  entryId: number;
  hashType: string;
  distance: number;
  variant: string | null;
  category: string | null;
}

const ENTRY_COLS = [
  'case_id',
  'list_id',
  'id',
  'entry_id',
  'md5',
  'sha1',
  'sha256',
  'pdq',
  'photodna',
  'category',
  'category_label',
  'label',
  'extra',
];

/** Hash lists, their entries and the matches against them: the store side of src/matching. */
export class HashListStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get caseId() {
    return this.store.caseId;
  }

  /** The fingerprint of the lists in the case now (src/model/media-status.ts); null when there is none. */
  async fingerprint(): Promise<string | null> {
    return listsFingerprint(await this.lists());
  }

  async lists(): Promise<HashListInfo[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT * FROM hash_lists WHERE case_id = ? ORDER BY id',
      [this.caseId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      format: String(r.format),
      sourcePath: String(r.source_path),
      sourceSha256: String(r.source_sha256),
      categoryScheme: (r.category_scheme as string | null) ?? null,
      importedAt: Number(r.imported_at),
      entryCount: Number(r.entry_count),
    }));
  }

  /**
   * Imports a list atomically: an existing list of the same name is replaced (its entries and matches
   * go with it) in the same transaction, so a failed import leaves the old list in place.
   */
  async replaceList(
    meta: Omit<HashListInfo, 'id' | 'entryCount' | 'importedAt'>,
    entries: AsyncIterable<HashListEntry>,
  ): Promise<HashListInfo> {
    return this.store.transaction(async (s) => {
      await s.bumpGeneration();
      const old = await s.db.get<{ id: number }>('SELECT id FROM hash_lists WHERE case_id = ? AND name = ?', [
        this.caseId,
        meta.name,
      ]);
      if (old) {
        for (const t of ['hash_entries', 'matches'])
          await s.db.run(`DELETE FROM ${t} WHERE case_id = ? AND list_id = ?`, [this.caseId, old.id]);
        await s.db.run('DELETE FROM hash_lists WHERE case_id = ? AND id = ?', [this.caseId, old.id]);
      }
      const r = await s.db.get<{ m: number | null }>(
        'SELECT MAX(id) AS m FROM hash_lists WHERE case_id = ?',
        [this.caseId],
      );
      const id = (r?.m ?? 0) + 1;
      const importedAt = Date.now();
      let n = 0;
      let batch: Param[][] = [];
      for await (const e of entries) {
        n++;
        batch.push([
          this.caseId,
          id,
          n,
          e.entryId,
          e.md5,
          e.sha1,
          e.sha256,
          e.pdq,
          e.photoDna,
          e.category,
          e.categoryLabel,
          e.label,
          JSON.stringify(e.extra ?? {}),
        ]);
        if (batch.length >= 5000) {
          await s.db.insertMany('hash_entries', ENTRY_COLS, batch);
          batch = [];
        }
      }
      await s.db.insertMany('hash_entries', ENTRY_COLS, batch);
      await s.db.run(
        `INSERT INTO hash_lists (case_id, id, name, format, source_path, source_sha256, category_scheme, imported_at,
           entry_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          this.caseId,
          id,
          meta.name,
          meta.format,
          meta.sourcePath,
          meta.sourceSha256,
          meta.categoryScheme,
          importedAt,
          n,
        ],
      );
      return { ...meta, id, importedAt, entryCount: n };
    });
  }

  async *entries(pageSize = 50_000): AsyncGenerator<StoredEntry[]> {
    let afterList = 0;
    let afterId = 0;
    while (true) {
      const rows = await this.db.all<Record<string, unknown>>(
        `SELECT list_id, id, entry_id, md5, sha1, sha256, pdq, category FROM hash_entries
          WHERE case_id = ? AND (list_id > ? OR (list_id = ? AND id > ?)) ORDER BY list_id, id LIMIT ?`,
        [this.caseId, afterList, afterList, afterId, pageSize],
      );
      if (!rows.length) return;
      const last = rows[rows.length - 1]!;
      afterList = Number(last.list_id);
      afterId = Number(last.id);
      yield rows.map((r) => ({
        listId: Number(r.list_id),
        id: Number(r.id),
        entryId: (r.entry_id as string | null) ?? null,
        md5: (r.md5 as string | null) ?? null,
        sha1: (r.sha1 as string | null) ?? null,
        sha256: (r.sha256 as string | null) ?? null,
        pdq: (r.pdq as string | null) ?? null,
        category: (r.category as string | null) ?? null,
      }));
    }
  }

  async setMediaHashes(
    rows: {
      id: number;
      md5: string;
      sha1: string;
      pdq: string | null;
      quality: number | null;
      dihedral: unknown;
    }[],
  ): Promise<void> {
    await this.store.transaction(async (s) => {
      await s.bumpGeneration();
      for (const r of rows) {
        await s.db.run(
          `UPDATE media SET md5 = COALESCE(md5, ?), sha1 = COALESCE(sha1, ?), pdq = ?, pdq_quality = ?,
             pdq_dihedral = ?, hashed_at = ? WHERE case_id = ? AND id = ?`,
          [
            r.md5,
            r.sha1,
            r.pdq,
            r.quality,
            r.dihedral ? JSON.stringify(r.dihedral) : null,
            Date.now(),
            this.caseId,
            r.id,
          ],
        );
      }
    });
  }

  async mediaDihedral(): Promise<Map<number, Record<string, string>>> {
    const rows = await this.db.all<{ id: number; d: string }>(
      'SELECT id, pdq_dihedral AS d FROM media WHERE case_id = ? AND pdq_dihedral IS NOT NULL',
      [this.caseId],
    );
    return new Map(rows.map((r) => [Number(r.id), JSON.parse(r.d) as Record<string, string>]));
  }

  /**
   * Replaces every match in one transaction (matching is idempotent and re-runnable) and marks the media in
   * `checked` as compared with the lists whose fingerprint was `listsUsed`. If the lists changed since the
   * comparison started (another process imported one), nothing is written and `false` is returned: marking
   * media as checked against lists they were not compared with would let known material pass as novel.
   */
  async replaceMatches(
    matches: MatchInsert[],
    summary: Record<string, unknown>,
    checked: { listsUsed: string | null; mediaIds: number[] },
    inTransaction?: (s: CaseStore) => Promise<void>,
  ): Promise<boolean> {
    return this.store.transaction(async (s) => {
      const lists = new HashListStore(s);
      if ((await lists.fingerprint()) !== checked.listsUsed) return false;
      await s.bumpGeneration();
      await s.db.run('DELETE FROM matches WHERE case_id = ?', [this.caseId]);
      await s.db.insertMany(
        'matches',
        ['case_id', 'media_id', 'list_id', 'entry_id', 'hash_type', 'distance', 'variant', 'category'],
        matches.map((m) => [
          this.caseId,
          m.mediaId,
          m.listId,
          m.entryId,
          m.hashType,
          m.distance,
          m.variant,
          m.category,
        ]),
      );
      await s.db.run('UPDATE media SET checked_lists = NULL WHERE case_id = ?', [this.caseId]);
      for (let i = 0; i < checked.mediaIds.length; i += 500) {
        const ids = checked.mediaIds.slice(i, i + 500);
        await s.db.run(
          `UPDATE media SET checked_lists = ? WHERE case_id = ? AND id IN (${ids.map(() => '?').join(',')})`,
          [checked.listsUsed, this.caseId, ...ids],
        );
      }
      await s.setMeta('matched_at', String(Date.now()));
      await s.setMeta('match_summary', JSON.stringify(summary));
      await inTransaction?.(s);
      return true;
    });
  }
}
