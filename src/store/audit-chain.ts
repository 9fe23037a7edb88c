import { createHmac } from 'node:crypto';
import { canonicalJson, parseStrictJson } from './canonical-json.js';

/**
 * The audit chain (docs/audit.md). Entry n's `hash` is
 *
 *   HMAC-SHA-256(installation key, "filet-audit/2" \n caseId \n seq \n prevHash \n at \n
 *                JSON(actor) \n JSON(action) \n argsText \n resultText)
 *
 * where argsText and resultText are the canonical JSON stored in the row (canonical-json.ts) and prevHash
 * is entry n−1's hash (64 zeros for entry 1). Entry 1 is the genesis entry (`audit.genesis`), written when
 * the case is created; its arguments name the case id and the key id. Without the key nobody can compute
 * a hash, so an edited entry cannot be re-chained; the case id in every MAC ties the log to its case.
 */
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

/** An entry as stored: arguments and result as the exact text that was MACed. */
export interface StoredAuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  argsText: string;
  resultText: string;
  prevHash: string;
  hash: string;
}

/** The `prevHash` of entry 1 (the genesis entry). */
export const GENESIS_HASH = '0'.repeat(64);
export const GENESIS_ACTION = 'audit.genesis';
export const MAC_SCHEME = 'filet-audit/2';

export function macInput(caseId: string, e: Omit<StoredAuditEntry, 'hash'>): string {
  return [
    MAC_SCHEME,
    caseId,
    String(e.seq),
    e.prevHash,
    String(e.at),
    JSON.stringify(e.actor),
    JSON.stringify(e.action),
    e.argsText,
    e.resultText,
  ].join('\n');
}

export function entryMac(key: Buffer, caseId: string, e: Omit<StoredAuditEntry, 'hash'>): string {
  return createHmac('sha256', key).update(macInput(caseId, e)).digest('hex');
}

/** A head as printed outside the case (report, export, referral packages): `seq:hash`. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export function formatHead(h: AuditHead): string {
  return `${h.seq}:${h.hash}`;
}

/** `seq:hash`, or the hash alone (then seq is null); null when the text is neither. */
export function parseHead(text: string): { seq: number | null; hash: string } | null {
  const m = /^(?:([1-9][0-9]*):)?([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!m) return null;
  return { seq: m[1] ? Number(m[1]) : null, hash: m[2]! };
}

export type AuditProblemKind =
  | 'edited'
  | 'removed'
  | 'reordered'
  | 'truncated'
  | 'wrong-key'
  | 'no-genesis'
  | 'foreign-case'
  | 'head-mismatch';

export interface AuditProblem {
  /** The entry concerned; 0 when the problem is the log as a whole (the key). */
  seq: number;
  problem: AuditProblemKind;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The last entry, `seq:hash`; null for an empty log. */
  head: string | null;
  /** The key id the case records (from its meta, else its genesis entry). */
  caseKeyId: string | null;
  /** The id of the key this installation verified with; null when it has none. */
  keyId: string | null;
  problems: AuditProblem[];
}

export interface VerifyContext {
  caseId: string;
  /** The installation key, or where it was looked for when there is none. */
  key: { bytes: Buffer; id: string; path: string } | { missing: string };
  /** The key id recorded in the case's meta. */
  recordedKeyId: string | null;
  /** The head recorded in the case's meta (inside the case: it moves with the log). */
  recordedHead: AuditHead | null;
  /** A head kept outside the case (--expect-head): the chain must hold it. */
  expectHead?: { seq: number | null; hash: string } | null;
}

function parseStored(text: string): { error: string | null } {
  try {
    return canonicalJson(parseStrictJson(text)) === text
      ? { error: null }
      : { error: 'are not in canonical form (re-encoded, they differ from the stored text)' };
  } catch (err) {
    return { error: `are not valid JSON: ${(err as Error).message}` };
  }
}

/** Why entry `e` is not as it was appended, or null: its stored text, then (given the key) its MAC. */
function editedDetail(e: StoredAuditEntry, key: Buffer | null, caseId: string): string | null {
  const args = parseStored(e.argsText);
  if (args.error) return `entry ${e.seq} (${e.action}): its stored arguments ${args.error}`;
  const result = parseStored(e.resultText);
  if (result.error) return `entry ${e.seq} (${e.action}): its stored result ${result.error}`;
  if (key && entryMac(key, caseId, e) !== e.hash)
    return `entry ${e.seq} (${e.action}) does not match its MAC: it was edited, or re-chained without the key`;
  return null;
}

/** The stored text as a value, for reading; the text itself when it does not parse strictly. */
export function storedValue(text: string): unknown {
  try {
    return parseStrictJson(text);
  } catch {
    return text;
  }
}

/**
 * Checks a chain read in `seq` order. The log must start with a genesis entry for this case; every entry's
 * stored text must be canonical JSON with no duplicate key and must match its MAC (else it was edited, or
 * re-chained without the key); each must point at the previous entry's hash with no gap in `seq` (else
 * entries were removed or reordered); and the log must reach the recorded head and the expected head.
 */
export function verifyChain(entries: StoredAuditEntry[], ctx: VerifyContext): AuditVerification {
  const problems: AuditProblem[] = [];
  const first = entries[0];
  const genesis = first && first.seq === 1 && first.action === GENESIS_ACTION ? first : null;
  const genesisArgs = genesis
    ? (storedValue(genesis.argsText) as { caseId?: unknown; keyId?: unknown })
    : null;
  const caseKeyId =
    ctx.recordedKeyId ?? (genesisArgs && typeof genesisArgs.keyId === 'string' ? genesisArgs.keyId : null);

  let macCaseId = ctx.caseId;
  let checkMacs = true;
  let legacy = false;
  if (!genesis) {
    problems.push({
      seq: 1,
      problem: 'no-genesis',
      detail: entries.length
        ? 'the log has no genesis entry (entry 1, audit.genesis): it was started by a filet without keyed chains, or its first entries were removed'
        : 'the log is empty and has no genesis entry: every case starts with one, so its entries were deleted',
    });
    // An older filet's unkeyed chain: it has neither MACs nor canonical text to check, and the missing
    // genesis already fails it (only its links and head are checked below).
    if (caseKeyId === null) legacy = true;
  } else if (
    genesisArgs &&
    typeof genesisArgs === 'object' &&
    typeof genesisArgs.caseId === 'string' &&
    genesisArgs.caseId !== ctx.caseId
  ) {
    problems.push({
      seq: 1,
      problem: 'foreign-case',
      detail: `the log was started for case ${genesisArgs.caseId}, not for this case (${ctx.caseId}): it was copied from another case`,
    });
    // Checked as the other case's log, so the copy is named once rather than as every entry edited.
    macCaseId = genesisArgs.caseId;
  }

  const key = 'bytes' in ctx.key ? ctx.key : null;
  if (!key && !legacy) {
    problems.push({
      seq: 0,
      problem: 'wrong-key',
      detail: `there is no audit key at ${(ctx.key as { missing: string }).missing}; this case was chained with key ${caseKeyId ?? '(unknown)'}: without that key the log can be read (filet audit show) but not verified`,
    });
    checkMacs = false;
  } else if (key && caseKeyId !== null && caseKeyId !== key.id) {
    problems.push({
      seq: 0,
      problem: 'wrong-key',
      detail: `this case was chained with key ${caseKeyId}, the key here (${key.path}) is ${key.id}: verify with the key file of the installation that wrote it (docs/audit.md)`,
    });
    checkMacs = false;
  }

  const byHash = new Map(entries.map((e) => [e.hash, e.seq]));
  let prev: StoredAuditEntry | null = null;
  for (const e of entries) {
    const edited = legacy ? null : editedDetail(e, checkMacs ? key!.bytes : null, macCaseId);
    if (edited) problems.push({ seq: e.seq, problem: 'edited', detail: edited });
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
  const head = ctx.recordedHead;
  if (!head && last) {
    problems.push({
      seq: last.seq,
      problem: 'truncated',
      detail: 'the head recorded in the case is missing: where the log should end cannot be checked',
    });
  } else if (head && (!last || last.seq < head.seq)) {
    problems.push({
      seq: last ? last.seq + 1 : 1,
      problem: 'truncated',
      detail: `the log ends at entry ${last?.seq ?? 0} but the case recorded ${head.seq} entries`,
    });
  } else if (head && last && (last.seq !== head.seq || last.hash !== head.hash)) {
    problems.push({
      seq: last.seq,
      problem: 'head-mismatch',
      detail: `the last entry (${formatHead(last)}) is not the head recorded in the case (${formatHead(head)})`,
    });
  }

  const want = ctx.expectHead;
  if (want) {
    const wanted = want.seq !== null ? formatHead({ seq: want.seq, hash: want.hash }) : want.hash;
    const at =
      want.seq !== null ? entries.find((e) => e.seq === want.seq) : entries.find((e) => e.hash === want.hash);
    if (want.seq !== null && !at && (!last || last.seq < want.seq)) {
      problems.push({
        seq: want.seq,
        problem: 'truncated',
        detail: `the log ends at entry ${last?.seq ?? 0}, before the expected head ${wanted}: entries were removed from its end`,
      });
    } else if (!at) {
      problems.push({
        seq: want.seq ?? 0,
        problem: 'head-mismatch',
        detail: `no entry of the log is the expected head ${wanted}: the log was truncated before it, or rewritten`,
      });
    } else if (at.hash !== want.hash) {
      problems.push({
        seq: at.seq,
        problem: 'head-mismatch',
        detail: `entry ${at.seq} has hash ${at.hash}, not the expected head's ${want.hash}: the log was rewritten at or before it`,
      });
    }
  }

  return {
    ok: problems.length === 0,
    entries: entries.length,
    head: last ? formatHead(last) : null,
    caseKeyId,
    keyId: key?.id ?? null,
    problems,
  };
}
