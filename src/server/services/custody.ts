import type { AuditPage, EvidenceCustody, EvidenceRow, Page, Verification } from '../../api/contract.js';
import { checkEvidence, custodyMetadata, evidenceView, type EvidenceCheck } from '../../evidence/custody.js';
import type { EvidenceItem } from '../../model/types.js';
import type { CaseStore } from '../../store/case-store.js';
import { ReviewStore, type EvidenceCheckRow } from '../../store/review-store.js';
import { iso, isoAt, page } from './paging.js';

/** Chain of custody: evidence items and their re-verification, and the audit trail with its check. */

const lastVerification = (c: EvidenceCheckRow | undefined) =>
  c ? { at: iso(c.at), by: c.by, ok: c.ok } : null;

/** What a role without `case.read` (the auditor) sees of an evidence item: custody metadata only. */
export function custodyView(e: EvidenceItem, check: EvidenceCheckRow | undefined): EvidenceCustody {
  return { ...custodyMetadata(e), lastVerification: lastVerification(check) };
}

/** Evidence items; `content` (the caller may read case content) adds the path and the reader's notes. */
export async function listEvidence(
  store: CaseStore,
  offset: number,
  limit: number,
  content: boolean,
): Promise<Page<EvidenceRow>> {
  const checks = await new ReviewStore(store).latestEvidenceChecks();
  const items = (await store.listEvidence()).map((e): EvidenceRow =>
    content
      ? { ...evidenceView(e), lastVerification: lastVerification(checks.get(e.id)) }
      : custodyView(e, checks.get(e.id)),
  );
  return page(items, offset, limit);
}

/** Re-hashes an evidence file (slow: run it outside any transaction); null when there is no such item. */
export async function checkEvidenceItem(store: CaseStore, id: number): Promise<EvidenceCheck | null> {
  const e = await store.evidenceById(id);
  return e ? checkEvidence(e) : null;
}

/** Records a check (on a store bound to the transaction that also audits it) and gives the answer. */
export async function recordEvidenceCheck(
  s: CaseStore,
  c: EvidenceCheck,
  user: string,
): Promise<Verification> {
  const ok = c.status === 'ok';
  await new ReviewStore(s).addEvidenceCheck({
    evidenceId: c.id,
    at: Date.now(),
    by: user,
    ok,
    actual: c.actual,
  });
  // The reader's message names the file's path; the answer and the audit trail (read by auditors) do not.
  const code = /: ([A-Z][A-Z0-9_]+)$/.exec(c.error ?? '')?.[1];
  const error =
    c.status === 'missing'
      ? `the evidence file cannot be read at its recorded path${code ? ` (${code})` : ''}`
      : c.error;
  return { id: c.id, ok, status: c.status, expected: c.expected, actual: c.actual, error };
}

export async function listAudit(
  store: CaseStore,
  q: { offset?: number; limit?: number; action?: string; actor?: string },
): Promise<AuditPage> {
  const all = (await store.readAudit()).filter(
    (a) => (!q.action || a.action === q.action) && (!q.actor || a.actor === q.actor),
  );
  const p = page(all, q.offset, q.limit);
  return {
    ...p,
    items: p.items.map((a) => ({ ...a, at: isoAt(a.at) })),
    verification: await store.verifyAudit(),
  };
}
