import { createHash } from 'node:crypto';

/** One entry of a case's audit log. `hash` = SHA-256(prev_hash ‖ canonical JSON of the body). */
export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  args: unknown;
  result: unknown;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the same entry always hashes the same way in both stores. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export function entryHash(
  prevHash: string,
  e: Pick<AuditEntry, 'at' | 'actor' | 'action' | 'args' | 'result'>,
) {
  const body = canonicalJson({ at: e.at, actor: e.actor, action: e.action, args: e.args, result: e.result });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export interface AuditProblem {
  seq: number;
  problem: 'edited' | 'removed' | 'reordered' | 'truncated';
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: string;
  problems: AuditProblem[];
}

/**
 * Checks a chain read in `seq` order. Each entry must (1) hash to its stored hash — else it was edited —
 * (2) point at the previous entry's hash — else an entry was removed before it or entries were reordered —
 * and (3) the sequence must have no gaps. `expectedHead` (kept apart from the log) catches removal of the tail.
 */
export function verifyChain(
  entries: AuditEntry[],
  expectedHead?: { seq: number; hash: string } | null,
): AuditVerification {
  const problems: AuditProblem[] = [];
  const byHash = new Map(entries.map((e) => [e.hash, e.seq]));
  let prev: AuditEntry | null = null;
  for (const e of entries) {
    if (entryHash(e.prevHash, e) !== e.hash) {
      problems.push({
        seq: e.seq,
        problem: 'edited',
        detail: `entry ${e.seq} (${e.action}) does not match its hash`,
      });
    }
    const expectedSeq = prev ? prev.seq + 1 : 1;
    const expectedPrev = prev ? prev.hash : GENESIS_HASH;
    if (e.seq !== expectedSeq) {
      problems.push({
        seq: e.seq,
        problem: 'removed',
        detail: `entries ${expectedSeq}..${e.seq - 1} are missing before entry ${e.seq}`,
      });
    } else if (e.prevHash !== expectedPrev) {
      const from = byHash.get(e.prevHash);
      problems.push(
        from !== undefined
          ? {
              seq: e.seq,
              problem: 'reordered',
              detail: `entry ${e.seq} follows entry ${from} in the chain, not ${expectedSeq - 1}`,
            }
          : {
              seq: e.seq,
              problem: 'removed',
              detail: `the entry before ${e.seq} is not the one it was chained to`,
            },
      );
    }
    prev = e;
  }
  const last = entries[entries.length - 1];
  if (expectedHead && (!last || last.seq < expectedHead.seq)) {
    problems.push({
      seq: last ? last.seq + 1 : 1,
      problem: 'truncated',
      detail: `the log ends at entry ${last?.seq ?? 0} but the case recorded ${expectedHead.seq} entries`,
    });
  } else if (expectedHead && last && last.seq === expectedHead.seq && last.hash !== expectedHead.hash) {
    problems.push({
      seq: last.seq,
      problem: 'edited',
      detail: `the last entry's hash differs from the recorded head`,
    });
  }
  return { ok: problems.length === 0, entries: entries.length, head: last?.hash ?? GENESIS_HASH, problems };
}
