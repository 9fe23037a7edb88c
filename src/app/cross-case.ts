import { dirname, resolve } from 'node:path';
import { pdqSignal } from '../hashing/signal-types.js';
import type { CaseStore } from '../store/case-store.js';
import {
  CrossCaseStore,
  type CrossCaseHit,
  type CrossCaseKey,
  type CrossCaseKind,
} from '../store/cross-case.js';
import { HashListStore } from '../store/hash-list-store.js';
import type { InstallationStore } from '../store/installation-store.js';
import { UserStore } from '../store/user-store.js';
import { isWorkspace, Workspace } from '../store/workspace.js';
import { UserError } from '../util/errors.js';
import { actor } from './audited.js';
import type { FollowUp } from './case-actions.js';

/**
 * Cross-case links (docs/cross-case.md). When a phone number, JID or media SHA-256 of one case, or a PDQ
 * hash within the match threshold of a novel media item, is held by another case of the installation, the
 * account or media page says so: with a link for a member of that other case, and otherwise only which
 * users lead it, never anything of its content. The index (src/store/cross-case.ts) is kept up per
 * evidence item after each ingest and per case after each comparison with the lists, never by reading
 * every case.
 */
export type CrossCaseSubject = { account: number } | { media: number };

export type { CrossCaseLink, CrossCaseLinks, CrossCaseNotice } from '../api/contract.js';
import type { CrossCaseLink, CrossCaseLinks, CrossCaseNotice } from '../api/contract.js';

export interface IndexSummary {
  case: string;
  /** Evidence items whose keys were (re)indexed. */
  items: number[];
  /** Keys those items hold (after removing repeats); most are already in the index after a re-index. */
  keys: number;
  /** PDQ keys added and removed because media became novel, or stopped being novel. */
  pdq: { added: number; removed: number };
}

const PDQ_THRESHOLD = pdqSignal.matchThreshold;

/** Media of the case novel now with a PDQ hash good enough to compare: media id → hash. */
async function novelPdq(store: CaseStore, only?: number[]): Promise<Map<number, string>> {
  const fingerprint = await new HashListStore(store).fingerprint();
  const out = new Map<number, string>();
  // No list: nothing is novel (src/model/media-status.ts).
  if (fingerprint === null) return out;
  const rows = await store.db.all<{ id: number; pdq: string }>(
    `SELECT m.id, m.pdq FROM media m WHERE m.case_id = ? AND m.pdq IS NOT NULL AND m.pdq_quality >= ?
       AND m.checked_lists = ?
       AND NOT EXISTS (SELECT 1 FROM matches x WHERE x.case_id = m.case_id AND x.media_id = m.id)`,
    [store.caseId, pdqSignal.minQuality, fingerprint],
  );
  const wanted = only ? new Set(only) : null;
  for (const r of rows) if (!wanted || wanted.has(Number(r.id))) out.set(Number(r.id), r.pdq.toLowerCase());
  return out;
}

/**
 * The keys one evidence item brings: phone numbers and JIDs of the accounts it names (every reader emits
 * an account record for each identity it meets, so the item's account provenance names them all) and the
 * SHA-256 of the media it names, with the PDQ hash of those of them that are novel now.
 */
async function itemKeys(store: CaseStore, evidenceId: number): Promise<CrossCaseKey[]> {
  const ofItem = (type: string) =>
    `SELECT fact_id FROM provenance WHERE case_id = ? AND fact_type = '${type}' AND evidence_id = ?`;
  const p = [store.caseId, store.caseId, evidenceId];
  const keys: CrossCaseKey[] = [];
  for (const r of await store.db.all<{ id: number; phone: string }>(
    `SELECT id, phone FROM accounts WHERE case_id = ? AND phone IS NOT NULL AND id IN (${ofItem('account')})`,
    p,
  ))
    keys.push({ kind: 'phone', value: r.phone, ref: Number(r.id) });
  for (const r of await store.db.all<{ account_id: number; jid: string }>(
    `SELECT account_id, jid FROM account_jids WHERE case_id = ? AND account_id IN (${ofItem('account')})`,
    p,
  ))
    keys.push({ kind: 'jid', value: r.jid, ref: Number(r.account_id) });
  const media = await store.db.all<{ id: number; sha256: string }>(
    `SELECT id, sha256 FROM media WHERE case_id = ? AND id IN (${ofItem('media')})`,
    p,
  );
  for (const r of media) keys.push({ kind: 'sha256', value: r.sha256, ref: Number(r.id) });
  for (const [id, pdq] of await novelPdq(
    store,
    media.map((m) => Number(m.id)),
  ))
    keys.push({ kind: 'pdq', value: pdq, ref: id });
  return keys;
}

/**
 * Brings the index up to date for one case: the keys of the evidence items named (or of those not yet
 * indexed), and with `pdq` the case's PDQ keys set to its novel media now. The case is read first, then
 * the index is written in one transaction of the installation with its audit entry. Only rows of this case
 * are written; other cases' rows are neither read nor touched.
 */
async function updateIndex(
  inst: InstallationStore,
  store: CaseStore,
  opts: { items: number[] | 'pending' | 'all'; pdq: boolean; after: string; alwaysRecord?: boolean },
): Promise<IndexSummary> {
  const caseId = store.caseId;
  if (!(await inst.getCase(caseId))) throw new UserError(`case ${caseId} is not a case of this workspace`);
  const index = new CrossCaseStore(inst.scope);
  let items: number[];
  if (Array.isArray(opts.items)) {
    for (const id of opts.items)
      if (!(await store.evidenceById(id))) throw new UserError(`no evidence item #${id} in case ${caseId}`);
    items = opts.items;
  } else {
    const all = (await store.listEvidence()).map((e) => e.id);
    const done = opts.items === 'pending' ? await index.indexedItems(caseId) : new Set<number>();
    items = all.filter((id) => !done.has(id));
  }
  const keysOf = new Map<number, CrossCaseKey[]>();
  for (const id of items) keysOf.set(id, await itemKeys(store, id));
  const novel = opts.pdq ? await novelPdq(store) : null;

  return inst.scope.transaction(async (s) => {
    const tx = new CrossCaseStore(s);
    const at = Date.now();
    let keys = 0;
    for (const [id, ks] of keysOf) {
      const n = await tx.addKeys(caseId, id, ks, at);
      await tx.markIndexed(caseId, id, n, at);
      keys += n;
    }
    const pdq = { added: 0, removed: 0 };
    if (novel) {
      const held = await tx.pdqKeys(caseId);
      const stale = [...held].filter(([ref, hex]) => novel.get(ref) !== hex).map(([ref]) => ref);
      const fresh = [...novel].filter(([ref, hex]) => held.get(ref) !== hex);
      await tx.removePdq(caseId, stale);
      await tx.addKeys(
        caseId,
        0,
        fresh.map(([ref, value]) => ({ kind: 'pdq', value, ref })),
        at,
      );
      pdq.removed = stale.filter((ref) => !novel.has(ref)).length;
      pdq.added = fresh.filter(([ref]) => !held.has(ref)).length;
    }
    const summary: IndexSummary = { case: caseId, items, keys, pdq };
    if (opts.alwaysRecord || items.length || pdq.added || pdq.removed)
      await s.appendAudit(
        actor(),
        'crosscase.index',
        { case: caseId, after: opts.after, items },
        {
          ok: true,
          keys,
          pdq,
        },
      );
    return summary;
  });
}

async function caseStoreOf(ws: Workspace, caseId: string): Promise<CaseStore> {
  const opened = await ws.openCase(caseId);
  if (!opened) throw new UserError(`no case "${caseId}" in this workspace`);
  return opened.store;
}

/** Adds the keys of one evidence item of a case (only that item's: nothing else is read or written). */
export async function indexEvidenceItem(
  ws: Workspace,
  caseId: string,
  evidenceId: number,
): Promise<IndexSummary> {
  return updateIndex(ws.installation, await caseStoreOf(ws, caseId), {
    items: [evidenceId],
    pdq: false,
    after: 'item',
  });
}

/**
 * Indexes a whole case: every evidence item's keys again (what is there already stays as it was) and its
 * novel media's PDQ. Idempotent; for cases ingested before they were indexed, or to repair the index.
 */
export async function indexCase(ws: Workspace, caseId: string): Promise<IndexSummary> {
  return updateIndex(ws.installation, await caseStoreOf(ws, caseId), {
    items: 'all',
    pdq: true,
    after: 'command',
    alwaysRecord: true,
  });
}

/**
 * What keeps a workspace's index up after changes of one of its cases: after an ingest, the items not
 * indexed yet; after matching, the case's PDQ keys.
 */
export function crossCaseFollowUp(inst: InstallationStore, store: CaseStore): FollowUp {
  return {
    ingested: async () =>
      void (await updateIndex(inst, store, { items: 'pending', pdq: false, after: 'ingest' })),
    matched: async () => void (await updateIndex(inst, store, { items: [], pdq: true, after: 'match' })),
  };
}

/**
 * The workspace a case folder belongs to (`WORKSPACE/cases/<id>`, registered there), opened, with the
 * follow-up that keeps its index; null for a case of its own. Close it when the command ends.
 */
export async function workspaceOfCase(
  caseDir: string,
  store: CaseStore,
  opts: { store?: string } = {},
): Promise<{ workspace: Workspace; followUp: FollowUp } | null> {
  const dir = resolve(caseDir);
  const root = dirname(dirname(dir));
  if (!isWorkspace(root)) return null;
  const ws = await Workspace.open(root, opts);
  const info = await ws.installation.getCase(store.caseId);
  if (!info || resolve(root, info.folder) !== dir) {
    await ws.close();
    return null;
  }
  return { workspace: ws, followUp: crossCaseFollowUp(ws.installation, store) };
}

/** Runs `fn` with the follow-up of the case's workspace (undefined for a case of its own). */
export async function withCrossCase<T>(
  caseDir: string,
  store: CaseStore,
  opts: { store?: string },
  fn: (followUp: FollowUp | undefined) => Promise<T>,
): Promise<T> {
  const found = await workspaceOfCase(caseDir, store, opts);
  try {
    return await fn(found?.followUp);
  } finally {
    await found?.workspace.close();
  }
}

/** The keys of an account (with the accounts merged into it) or of a media item, read from its case. */
async function subjectKeys(store: CaseStore, subject: CrossCaseSubject): Promise<CrossCaseKey[]> {
  const keys: CrossCaseKey[] = [];
  if ('account' in subject) {
    const a = await store.db.get<{ id: number; merged_into: number | null }>(
      'SELECT id, merged_into FROM accounts WHERE case_id = ? AND id = ?',
      [store.caseId, subject.account],
    );
    if (!a) throw new UserError(`no account ${subject.account} in case ${store.caseId}`);
    // One person: the account and those merged into it (merges are one level deep).
    const root = a.merged_into === null ? Number(a.id) : Number(a.merged_into);
    const group = 'SELECT id FROM accounts WHERE case_id = ? AND (id = ? OR merged_into = ?)';
    const p = [store.caseId, store.caseId, root, root];
    for (const r of await store.db.all<{ id: number; phone: string }>(
      `SELECT id, phone FROM accounts WHERE case_id = ? AND phone IS NOT NULL AND id IN (${group})`,
      p,
    ))
      keys.push({ kind: 'phone', value: r.phone, ref: Number(r.id) });
    for (const r of await store.db.all<{ account_id: number; jid: string }>(
      `SELECT account_id, jid FROM account_jids WHERE case_id = ? AND account_id IN (${group})`,
      p,
    ))
      keys.push({ kind: 'jid', value: r.jid, ref: Number(r.account_id) });
    return keys;
  }
  const m = await store.mediaById(subject.media);
  if (!m) throw new UserError(`no media item ${subject.media} in case ${store.caseId}`);
  keys.push({ kind: 'sha256', value: m.sha256, ref: m.id });
  const pdq = (await novelPdq(store, [m.id])).get(m.id);
  if (pdq) keys.push({ kind: 'pdq', value: pdq, ref: m.id });
  return keys;
}

/** Where each hit's account or media item is in its case now (an account merged since: the one it joined). */
async function targetsIn(
  store: CaseStore,
  subject: CrossCaseSubject,
  refs: number[],
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!refs.length) return out;
  const marks = refs.map(() => '?').join(', ');
  if ('account' in subject) {
    for (const r of await store.db.all<{ id: number; merged_into: number | null }>(
      `SELECT id, merged_into FROM accounts WHERE case_id = ? AND id IN (${marks})`,
      [store.caseId, ...refs],
    ))
      out.set(Number(r.id), r.merged_into === null ? Number(r.id) : Number(r.merged_into));
  } else {
    for (const r of await store.db.all<{ id: number }>(
      `SELECT id FROM media WHERE case_id = ? AND id IN (${marks})`,
      [store.caseId, ...refs],
    ))
      out.set(Number(r.id), Number(r.id));
  }
  return out;
}

/**
 * The other cases holding the same key as an account or media item of `caseId`, as `viewer` may learn of
 * them: a link into each case they are a member of (any role), and for the others only who leads them.
 * The viewer must be an active user and a member of `caseId`.
 */
export async function linksFor(
  ws: Workspace,
  caseId: string,
  viewer: string,
  subject: CrossCaseSubject,
): Promise<CrossCaseLinks> {
  const inst = ws.installation;
  const user = await new UserStore(inst.scope).getUser(viewer);
  if (!user || user.disabledAt !== null) throw new UserError(`no active user "${viewer}" in this workspace`);
  if ((await inst.roleIn(viewer, caseId)) === null)
    throw new UserError(`"${viewer}" is not a member of case ${caseId}: its pages are not theirs to see`);
  const store = await caseStoreOf(ws, caseId);
  const index = new CrossCaseStore(inst.scope);
  const hits: CrossCaseHit[] = [];
  const keys = await subjectKeys(store, subject);
  for (const kind of ['phone', 'jid', 'sha256'] as const) {
    const values = keys.filter((k) => k.kind === kind).map((k) => k.value);
    if (values.length) hits.push(...(await index.holders(kind, values, caseId)));
  }
  for (const k of keys)
    if (k.kind === 'pdq') hits.push(...(await index.pdqNear(k.value, PDQ_THRESHOLD, caseId)));

  const byCase = new Map<string, CrossCaseHit[]>();
  for (const h of hits) (byCase.get(h.memberCase) ?? byCase.set(h.memberCase, []).get(h.memberCase)!).push(h);
  const memberOf = new Set((await inst.membershipsOf(viewer)).map((m) => m.caseId));
  const links: CrossCaseLink[] = [];
  const elsewhere: string[] = [];
  for (const [other, hs] of byCase) {
    const info = await inst.getCase(other);
    const otherStore = info && (await ws.openCase(other))?.store;
    if (!info || !otherStore) continue;
    // The index may name a fact its case no longer has: only what is there now counts, for anyone.
    const targets = await targetsIn(otherStore, subject, [...new Set(hs.map((h) => h.ref))]);
    const live = hs.filter((h) => targets.has(h.ref));
    if (!live.length) continue;
    if (!memberOf.has(other)) {
      elsewhere.push(other);
      continue;
    }
    const byTarget = new Map<number, CrossCaseHit[]>();
    for (const h of live) {
      const t = targets.get(h.ref)!;
      (byTarget.get(t) ?? byTarget.set(t, []).get(t)!).push(h);
    }
    for (const [target, th] of byTarget) {
      const via = new Map<CrossCaseKind, number>();
      for (const h of th) via.set(h.kind, Math.min(via.get(h.kind) ?? Infinity, h.distance));
      links.push({
        caseId: other,
        caseName: info.name,
        ...('account' in subject ? { account: target } : { media: target }),
        via: [...via].map(([kind, distance]) => (kind === 'pdq' ? { kind, distance } : { kind })),
      });
    }
  }
  links.sort(
    (a, b) =>
      a.caseName.localeCompare(b.caseName) || (a.account ?? a.media ?? 0) - (b.account ?? b.media ?? 0),
  );
  const leads = await inst.leadsOf(elsewhere);
  const notices = new Map<string, CrossCaseNotice>();
  for (const c of elsewhere) {
    const names = [...(leads.get(c) ?? [])].sort();
    notices.set(JSON.stringify(names), { leads: names });
  }
  return {
    links,
    notices: [...notices.values()].sort((a, b) => a.leads.join().localeCompare(b.leads.join())),
  };
}
