import type { TermHits } from '../store/keyword-store.js';

/**
 * The keyword facts of each account for the priority score (score.ts `keywords`, docs/keywords.md): its
 * messages in flagged groups that match a term of the case's keyword lists. A sender is the person (merged
 * accounts count as one); a message matching several terms counts once. O(Σ hits).
 */
export interface KeywordFacts {
  /** Distinct matching messages, ascending. */
  messageIds: number[];
  groupIds: number[];
  /** Per term: its list, the term as written, and how many of the account's messages it matched. */
  terms: { listId: number; list: string; termId: number; term: string; messages: number }[];
}

export function keywordFacts(
  hits: TermHits[],
  canon: (id: number) => number,
  flagged: (groupId: number) => boolean,
): Map<number, KeywordFacts> {
  const acc = new Map<number, { messages: Set<number>; groups: Set<number>; terms: Map<number, number> }>();
  const termOf = new Map(hits.map((h) => [h.term.id, h]));
  for (const h of hits)
    for (const m of h.messages) {
      if (m.senderId === null || !flagged(m.chatId)) continue;
      const who = canon(m.senderId);
      const a =
        acc.get(who) ?? acc.set(who, { messages: new Set(), groups: new Set(), terms: new Map() }).get(who)!;
      a.messages.add(m.id);
      a.groups.add(m.chatId);
      a.terms.set(h.term.id, (a.terms.get(h.term.id) ?? 0) + 1);
    }
  const out = new Map<number, KeywordFacts>();
  for (const [id, a] of acc)
    out.set(id, {
      messageIds: [...a.messages].sort((x, y) => x - y),
      groupIds: [...a.groups].sort((x, y) => x - y),
      terms: [...a.terms]
        .map(([termId, messages]) => {
          const h = termOf.get(termId)!;
          return { listId: h.list.id, list: h.list.name, termId, term: h.term.term, messages };
        })
        .sort((x, y) => y.messages - x.messages || x.termId - y.termId),
    });
  return out;
}

const TERMS_SHOWN = 10;

/** The reason's sentence: the count, then the lists with their terms and how often each matched. */
export function keywordText(k: KeywordFacts): string {
  const byList = new Map<string, string[]>();
  const shown = k.terms.slice(0, TERMS_SHOWN);
  for (const t of shown)
    (byList.get(t.list) ?? byList.set(t.list, []).get(t.list)!).push(`${t.term} ×${t.messages}`);
  const lists = [...byList].map(([list, terms]) => `list "${list}": ${terms.join(', ')}`).join('; ');
  const more = k.terms.length - shown.length;
  return `${k.messageIds.length} message(s) in ${k.groupIds.length} flagged group(s) match keyword terms (${lists}${more > 0 ? `; and ${more} more term(s)` : ''})`;
}
