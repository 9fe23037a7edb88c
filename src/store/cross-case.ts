import { hammingHex, isPdqHex } from '../hashing/pdq-bits.js';
import type { CaseStore } from './case-store.js';
import type { Param } from './driver.js';

/**
 * The installation's cross-case index (migration 14): which case holds which phone number, JID, media
 * SHA-256 or novel media PDQ. Rows live in the installation's scope; nothing here reads a case's own
 * tables (src/app/cross-case.ts gathers a case's keys and decides who may learn what).
 */
export type { CrossCaseKind } from '../model/vocabulary.js';
import type { CrossCaseKind } from '../model/vocabulary.js';

/** One key of a case: `ref` is the account (phone, jid) or media item (sha256, pdq) holding it there. */
export interface CrossCaseKey {
  kind: CrossCaseKind;
  value: string;
  ref: number;
}

/** A key of another case that meets one asked for; `distance` is the PDQ Hamming distance (0 otherwise). */
export interface CrossCaseHit {
  memberCase: string;
  kind: CrossCaseKind;
  ref: number;
  value: string;
  distance: number;
}

const SLOT = 'pdq-slot';
const SLOTS = 16;

/** The 16 slot rows of a PDQ hash: slot s is hex digits 4s..4s+3 (bits 16s..16s+15 of the hex string). */
function slotValues(hex: string): string[] {
  const out: string[] = [];
  for (let s = 0; s < SLOTS; s++) out.push(`${s.toString(16)}:${hex.slice(4 * s, 4 * s + 4)}`);
  return out;
}

/**
 * The slot values a PDQ hash within `threshold` of `hex` has in at least one slot. Pigeonhole: 16 slot
 * distances that sum to at most 31 leave some slot at distance 0 or 1, so probing each slot's value and
 * its 16 one-bit neighbours (272 values) finds every hash within 31, and verifying the candidates' full
 * distance keeps exactly those. A larger threshold needs more neighbours per slot.
 */
function slotProbes(hex: string, threshold: number): string[] {
  const t = Math.floor(threshold / SLOTS);
  if (t > 1) throw new Error(`cross-case PDQ lookup supports thresholds up to 31, not ${threshold}`);
  const out: string[] = [];
  for (let s = 0; s < SLOTS; s++) {
    const v = parseInt(hex.slice(4 * s, 4 * s + 4), 16);
    const at = (x: number) => `${s.toString(16)}:${x.toString(16).padStart(4, '0')}`;
    out.push(at(v));
    if (t === 1) for (let b = 0; b < 16; b++) out.push(at(v ^ (1 << b)));
  }
  return out;
}

const BATCH = 500;

function chunks<T>(xs: T[], n = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export class CrossCaseStore {
  /** `scope`: the installation's store, or one bound to a transaction of it. */
  constructor(readonly scope: CaseStore) {}

  private get id(): string {
    return this.scope.caseId;
  }

  /**
   * Adds keys of `memberCase` (already present ones stay as they were, with their first sighting). A PDQ
   * key is stored with its slot rows. Returns how many keys were given, after removing repeats.
   */
  async addKeys(memberCase: string, evidenceId: number, keys: CrossCaseKey[], at: number): Promise<number> {
    const seen = new Set<string>();
    const rows: Param[][] = [];
    for (const k of keys) {
      const value = k.kind === 'pdq' ? k.value.toLowerCase() : k.value;
      if (k.kind === 'pdq' && !isPdqHex(value)) throw new Error(`not a PDQ hash: ${k.value}`);
      const id = `${k.kind}\u0000${k.ref}\u0000${value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      rows.push([this.id, memberCase, k.kind, k.ref, value, evidenceId, at]);
      if (k.kind === 'pdq')
        for (const v of slotValues(value)) rows.push([this.id, memberCase, SLOT, k.ref, v, evidenceId, at]);
    }
    await this.scope.db.insertMany(
      'crosscase_keys',
      ['case_id', 'member_case', 'kind', 'ref', 'value', 'evidence_id', 'first_seen'],
      rows,
      true,
    );
    return seen.size;
  }

  /** Removes the PDQ keys (and their slot rows) of these media items of `memberCase`. */
  async removePdq(memberCase: string, refs: number[]): Promise<void> {
    for (const part of chunks(refs))
      await this.scope.db.run(
        `DELETE FROM crosscase_keys WHERE case_id = ? AND member_case = ? AND kind IN ('pdq', '${SLOT}')
           AND ref IN (${marks(part.length)})`,
        [this.id, memberCase, ...part],
      );
  }

  /** The PDQ keys of `memberCase`: media id → hash. */
  async pdqKeys(memberCase: string): Promise<Map<number, string>> {
    const rows = await this.scope.db.all<{ ref: number; value: string }>(
      `SELECT ref, value FROM crosscase_keys WHERE case_id = ? AND member_case = ? AND kind = 'pdq'`,
      [this.id, memberCase],
    );
    return new Map(rows.map((r) => [Number(r.ref), r.value]));
  }

  async markIndexed(memberCase: string, evidenceId: number, keys: number, at: number): Promise<void> {
    await this.scope.db.run(
      `INSERT INTO crosscase_items (case_id, member_case, evidence_id, at, keys) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (case_id, member_case, evidence_id) DO UPDATE SET keys = excluded.keys`,
      [this.id, memberCase, evidenceId, at, keys],
    );
  }

  /** The evidence items of `memberCase` already in the index. */
  async indexedItems(memberCase: string): Promise<Set<number>> {
    const rows = await this.scope.db.all<{ evidence_id: number }>(
      'SELECT evidence_id FROM crosscase_items WHERE case_id = ? AND member_case = ?',
      [this.id, memberCase],
    );
    return new Set(rows.map((r) => Number(r.evidence_id)));
  }

  /** Keys of other cases equal to one of `values` (phone, jid, sha256). */
  async holders(
    kind: Exclude<CrossCaseKind, 'pdq'>,
    values: string[],
    exceptCase: string,
  ): Promise<CrossCaseHit[]> {
    const out: CrossCaseHit[] = [];
    for (const part of chunks([...new Set(values)])) {
      const rows = await this.scope.db.all<{ member_case: string; ref: number; value: string }>(
        `SELECT member_case, ref, value FROM crosscase_keys
          WHERE case_id = ? AND kind = ? AND value IN (${marks(part.length)}) AND member_case <> ?
          ORDER BY member_case, ref`,
        [this.id, kind, ...part, exceptCase],
      );
      for (const r of rows)
        out.push({ memberCase: r.member_case, kind, ref: Number(r.ref), value: r.value, distance: 0 });
    }
    return out;
  }

  /** PDQ keys of other cases within `threshold` (at most 31) of `hex`, found through their slot rows. */
  async pdqNear(hex: string, threshold: number, exceptCase: string): Promise<CrossCaseHit[]> {
    const q = hex.toLowerCase();
    if (!isPdqHex(q)) throw new Error(`not a PDQ hash: ${hex}`);
    const probes = slotProbes(q, threshold);
    const rows = await this.scope.db.all<{ member_case: string; ref: number; value: string }>(
      `SELECT DISTINCT p.member_case, p.ref, p.value FROM crosscase_keys s
         JOIN crosscase_keys p ON p.case_id = s.case_id AND p.member_case = s.member_case
          AND p.kind = 'pdq' AND p.ref = s.ref
        WHERE s.case_id = ? AND s.kind = '${SLOT}' AND s.value IN (${marks(probes.length)})
          AND s.member_case <> ?
        ORDER BY p.member_case, p.ref`,
      [this.id, ...probes, exceptCase],
    );
    const out: CrossCaseHit[] = [];
    for (const r of rows) {
      const distance = hammingHex(q, r.value);
      if (distance <= threshold)
        out.push({ memberCase: r.member_case, kind: 'pdq', ref: Number(r.ref), value: r.value, distance });
    }
    return out;
  }
}
