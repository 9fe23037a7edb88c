import { checkEvidence, evidenceView } from '../../evidence/custody.js';
import type { CaseStore } from '../../store/case-store.js';
import { ReviewStore } from '../../store/review-store.js';
import { HttpError, iso, page } from './paging.js';

/** Chain of custody: evidence items and their re-verification, and the audit trail with its check. */

export async function listEvidence(store: CaseStore, offset: number, limit: number) {
  const checks = await new ReviewStore(store).latestEvidenceChecks();
  const items = (await store.listEvidence()).map((e) => {
    const c = checks.get(e.id);
    return {
      ...evidenceView(e),
      lastVerification: c ? { at: iso(c.at), by: c.by, ok: c.ok } : null,
    };
  });
  return page(items, offset, limit);
}

export async function verifyEvidence(store: CaseStore, id: number, user: string) {
  const e = (await store.listEvidence()).find((x) => x.id === id);
  if (!e) throw new HttpError(404, `no evidence item ${id}`);
  const { actual, error, status } = await checkEvidence(e);
  const ok = status === 'ok';
  await new ReviewStore(store).addEvidenceCheck({ evidenceId: id, at: Date.now(), by: user, ok, actual });
  return { id, ok, expected: e.sha256, actual, error };
}

export async function listAudit(
  store: CaseStore,
  q: { offset?: number; limit?: number; action?: string; actor?: string },
) {
  const all = (await store.readAudit()).filter(
    (a) => (!q.action || a.action === q.action) && (!q.actor || a.actor === q.actor),
  );
  const p = page(all, q.offset, q.limit);
  return {
    ...p,
    items: p.items.map((a) => ({ ...a, at: iso(a.at) })),
    verification: await store.verifyAudit(),
  };
}
