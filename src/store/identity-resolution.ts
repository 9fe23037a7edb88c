import { canonicalizer } from '../model/canonical.js';
import { toE164 } from '../evidence/wa-db/jids.js';
import {
  coOccurrences,
  combineCandidates,
  numberChanges,
  decideIdentities,
  identityPairKey,
  type IdentityDecisions,
  type SourcedEvent,
  type SourcedMessage,
} from '../model/identity.js';
import type { CaseStore } from './case-store.js';
import { messageContent } from './ingest-writer.js';
import { ReviewStore } from './review-store.js';

/**
 * Reads a case and applies the identity rules of src/model/identity.ts to it: which saved names and numbers
 * the evidence shows to be one person. Read only: nothing is merged here (`filet identity merge` does that,
 * audited). Each message and event is taken once per device whose evidence holds it (a fact already read
 * as one from two devices has one sender and pairs nobody). Chats are taken as the store joined them.
 */
export async function identitySuggestions(
  store: CaseStore,
  opts: { minSupport: number; rejected?: Set<string> },
): Promise<IdentityDecisions & { accounts: Map<string, number>; groups: Set<number> }> {
  const accounts = await store.accounts();
  const canon = canonicalizer(accounts);
  const keyOf = new Map(accounts.map((a) => [a.id, a.key]));
  const key = (id: number | null) => (id === null ? null : keyOf.get(canon(id))!);
  const devicesOf = async (factType: string) => {
    const out = new Map<number, string[]>();
    const rows = await store.db.all<{ id: number; device: string }>(
      // A source is a phone and a kind of source: a phone's export (saved names) and its own database
      // (numbers) hold the same messages and confirm each other like two phones do.
      `SELECT DISTINCT p.fact_id AS id, e.device_label ||
           CASE WHEN e.kind LIKE 'chat-export%' THEN '|export' ELSE '|database' END AS device
         FROM provenance p JOIN evidence e ON e.case_id = p.case_id AND e.id = p.evidence_id
       WHERE p.case_id = ? AND p.fact_type = ?`,
      [store.caseId, factType],
    );
    for (const r of rows)
      (out.get(Number(r.id)) ?? out.set(Number(r.id), []).get(Number(r.id))!).push(r.device);
    return out;
  };
  const messageDevices = await devicesOf('message');
  const messages: SourcedMessage[] = [];
  for await (const page of store.messages())
    for (const m of page) {
      const content = messageContent(m.kind, m.text);
      if (content === null) continue;
      for (const device of messageDevices.get(m.id) ?? [])
        messages.push({
          id: m.id,
          chat: m.chatId,
          device,
          sender: key(m.senderId),
          minute: Math.floor(m.at / 60000),
          content,
        });
    }
  const eventDevices = await devicesOf('event');
  const events: SourcedEvent[] = [];
  for (const e of await store.events())
    for (const device of eventDevices.get(e.id) ?? [])
      events.push({
        id: e.id,
        chat: e.chatId,
        device,
        type: e.type,
        actor: key(e.actorId),
        targets: e.targets.map((t) => key(t)!),
        minute: Math.floor(e.at / 60000),
        value: e.type === 'subject_changed' || e.type === 'description_changed' ? e.value : null,
      });
  const decisions = decideIdentities(
    combineCandidates(coOccurrences(messages, events), numberChanges(events, toE164)),
    opts,
  );
  const groups = new Set((await store.chats()).filter((c) => c.kind === 'group').map((c) => c.id));
  return { ...decisions, accounts: new Map(accounts.map((a) => [a.key, a.id])), groups };
}

/**
 * The pairs that are never suggested or merged automatically again: those whose merge was undone (by
 * anyone) and those an analyst rejected (`identity_rejections`, not undone). Each pair is given in both
 * orders, so a rejection of "A B" holds whichever way the rules name the pair. Used by every read of the
 * suggestions (CLI, API) and by `applyIdentityMerges`.
 */
export async function rejectedPairs(store: CaseStore): Promise<Set<string>> {
  const review = new ReviewStore(store);
  const keyOf = new Map((await store.accounts()).map((a) => [a.id, a.key]));
  const pairs: [string, string][] = [
    ...(await review.merges())
      .filter((m) => m.undoneAt !== null)
      .map((m) => [keyOf.get(m.from)!, keyOf.get(m.into)!] as [string, string]),
    ...(await review.rejections())
      .filter((r) => r.undoneAt === null)
      .map((r) => [r.from, r.into] as [string, string]),
  ];
  const out = new Set<string>();
  for (const [a, b] of pairs) {
    out.add(identityPairKey(a, b));
    out.add(identityPairKey(b, a));
  }
  return out;
}

/** The suggestions of a case as every reader sees them: with the rejected pairs left out. */
export async function currentSuggestions(store: CaseStore, minSupport: number) {
  return identitySuggestions(store, { minSupport, rejected: await rejectedPairs(store) });
}

/**
 * Units of evidence an automatic merge needs (docs/identity.md: measured on the synth operation, every
 * threshold from 1 to 5 merged only true pairs; 2 keeps a single coincidence from merging anyone).
 */
export const DEFAULT_MIN_SUPPORT = 2;

/**
 * Identity resolution as every ingest runs it, in the evidence item's transaction, after chats were linked:
 * the unambiguous pairs merged (`applyIdentityMerges`). Skipped when no saved name or owner placeholder is
 * left unmerged: a case of databases only has nothing to resolve and reads nothing.
 */
export async function resolveAfterIngest(
  s: CaseStore,
  at: number,
): Promise<Awaited<ReturnType<typeof applyIdentityMerges>>> {
  const local = await s.db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM accounts WHERE case_id = ? AND merged_into IS NULL
       AND (key LIKE 'name:%' OR key LIKE 'owner:%')`,
    [s.caseId],
  );
  if (!Number(local?.n)) return { merged: [], suggestions: 0, contradictions: 0 };
  return applyIdentityMerges(s, { minSupport: DEFAULT_MIN_SUPPORT, at });
}

/** Who an automatic merge is recorded as made by (a person's undo of it is what stops it coming back). */
export const AUTOMATIC = 'filet (automatic identity resolution)';

/**
 * Applies the unambiguous pairs as merges, each recorded with its reasons and reversible like a manual one
 * (`filet identity split`). A pair whose merge was undone is not merged again. `store` is the transaction
 * the caller's audit entry commits with.
 */
export async function applyIdentityMerges(
  store: CaseStore,
  opts: { minSupport: number; at: number },
): Promise<{
  merged: { id: number; from: string; into: string; support: number }[];
  suggestions: number;
  contradictions: number;
}> {
  const review = new ReviewStore(store);
  const accounts = await store.accounts();
  const d = await identitySuggestions(store, {
    minSupport: opts.minSupport,
    rejected: await rejectedPairs(store),
  });
  const merged: { id: number; from: string; into: string; support: number }[] = [];
  // This loop is the transaction's only writer of merges: its own map follows them, no re-reading.
  const into = new Map(accounts.map((a) => [a.id, a.mergedInto]));
  for (const c of d.merges) {
    let target = d.accounts.get(c.into)!;
    for (let hops = 0; into.get(target) != null && hops < 64; hops++) target = into.get(target)!;
    const from = d.accounts.get(c.from)!;
    if (into.get(from) != null || from === target) continue;
    const reason = `automatic: ${c.support} facts seen from two devices pair ${c.from} with ${c.into} (${c.reasons
      .slice(0, 5)
      .map((r) => `${r.kind} ${r.facts.join('/')}`)
      .join(', ')}${c.reasons.length > 5 ? ', …' : ''})`;
    const row = await review.merge(from, target, AUTOMATIC, reason, opts.at);
    into.set(from, target);
    merged.push({ id: row.id, from: c.from, into: c.into, support: c.support });
  }
  return { merged, suggestions: d.suggestions.length, contradictions: d.contradictions.length };
}
