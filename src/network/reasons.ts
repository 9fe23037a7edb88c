import type { CaseData } from './data.js';
import type { AccountFacts, Role } from './roles.js';
import { keywordText, type KeywordFacts } from './keywords.js';
import type { Factor, FactorValues } from './score.js';

/**
 * Explanations: every role and every score factor of an account, as a sentence plus the facts behind it —
 * message ids, event ids, group ids, times — and, filled afterwards from provenance, the evidence items
 * those facts were read from. Lists are capped at CAP ids (counts in the text are exact). O(facts).
 */
const CAP = 20;

export interface Reason {
  kind: 'role' | 'score';
  /** The role, or the score factor. */
  name: Role | Factor;
  points: number | null;
  text: string;
  messageIds: number[];
  eventIds: number[];
  groupIds: number[];
  times: string[];
  evidenceIds: number[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const uniq = (xs: number[]) => [...new Set(xs)];

function reason(
  kind: Reason['kind'],
  name: Reason['name'],
  text: string,
  refs: { messageIds?: number[]; eventIds?: number[]; groupIds?: number[]; times?: number[] },
  points: number | null = null,
): Reason {
  return {
    kind,
    name,
    points: points === null ? null : Math.round(points * 100) / 100,
    text,
    messageIds: uniq(refs.messageIds ?? []).slice(0, CAP),
    eventIds: uniq(refs.eventIds ?? []).slice(0, CAP),
    groupIds: uniq(refs.groupIds ?? []).slice(0, CAP),
    times: (refs.times ?? []).slice(0, CAP).map(iso),
    evidenceIds: [],
  };
}

function roleReasons(f: AccountFacts): Reason[] {
  const out: Reason[] = [];
  if (f.produced.length) {
    const reposts = f.produced.reduce((n, p) => n + p.reposts, 0);
    out.push(
      reason(
        'role',
        'producer',
        `first poster in the case of ${f.produced.length} novel media item(s), not forwarded, re-shared ${reposts} time(s) afterwards`,
        {
          messageIds: [...f.produced.map((p) => p.messageId), ...f.produced.flatMap((p) => p.repostIds)],
          groupIds: f.produced.map((p) => p.groupId),
          times: f.produced.map((p) => p.at),
        },
      ),
    );
  }
  if (f.distributed.length) {
    const groups = uniq(f.distributed.map((p) => p.groupId));
    const novel = f.distributed.filter((p) => p.status === 'novel').length;
    out.push(
      reason(
        'role',
        'distributor',
        `posted material ${f.distributed.length} time(s) (${f.distributed.length - novel} known, ${novel} novel) into ${groups.length} flagged group(s)`,
        {
          messageIds: f.distributed.map((p) => p.messageId),
          groupIds: groups,
          times: f.distributed.map((p) => p.at),
        },
      ),
    );
  }
  if (f.roles.includes('consumer')) {
    const seen = f.memberOf.filter((m) => m.materialSeen > 0);
    out.push(
      reason(
        'role',
        'consumer',
        `member of ${seen.length} flagged group(s) while ${seen.reduce((n, m) => n + m.materialSeen, 0)} material post(s) were made there; posted none`,
        {
          groupIds: seen.map((m) => m.groupId),
        },
      ),
    );
  }
  if (f.admin.length) {
    const created = f.admin.filter((a) => a.creator).length;
    out.push(
      reason(
        'role',
        'admin',
        `created ${created} and held admin rank in ${f.admin.length} flagged group(s)`,
        {
          eventIds: f.admin.flatMap((a) => a.eventIds),
          groupIds: f.admin.map((a) => a.groupId),
        },
      ),
    );
  }
  if (f.recruited.length) {
    const added = f.recruited.reduce((n, r) => n + r.added, 0);
    const links = f.recruited.reduce((n, r) => n + r.inviteMessageIds.length, 0);
    out.push(
      reason(
        'role',
        'recruiter',
        `added ${added} member(s) and posted ${links} invite link(s) in ${f.recruited.length} flagged group(s)`,
        {
          eventIds: f.recruited.flatMap((r) => r.eventIds),
          messageIds: f.recruited.flatMap((r) => r.inviteMessageIds),
          groupIds: f.recruited.map((r) => r.groupId),
        },
      ),
    );
  }
  if (f.clusters.length >= 2)
    out.push(
      reason(
        'role',
        'bridge',
        `member of flagged groups in ${f.clusters.length} clusters (${f.clusters.join(', ')})`,
        { groupIds: f.memberOf.map((m) => m.groupId) },
      ),
    );
  return out;
}

function scoreReasons(
  f: AccountFacts,
  points: FactorValues,
  betweenness: { value: number; text: string },
  producersFirst: boolean,
  keywords: KeywordFacts | undefined,
): Reason[] {
  const posts = [...f.produced, ...f.distributed].sort((a, b) => b.at - a.at);
  const reposts = f.produced.reduce((n, p) => n + p.reposts, 0);
  const all: [Factor, string, Parameters<typeof reason>[3]][] = [
    [
      'producer',
      // The rule of score.ts, with the facts it rests on: the first posts and the re-posts by others.
      `producer of novel media: first poster in the case of ${f.produced.length} novel item(s), not forwarded, re-posted ${reposts} time(s) afterwards by others${producersFirst ? '; with the weights in force every producer ranks above every non-producer' : ''}`,
      {
        messageIds: [...f.produced.map((p) => p.messageId), ...f.produced.flatMap((p) => p.repostIds)],
        groupIds: f.produced.map((p) => p.groupId),
        times: f.produced.map((p) => p.at),
      },
    ],
    [
      'severity',
      `${f.produced.length} novel item(s) produced, ${f.distributed.filter((p) => p.status === 'novel').length} novel and ${f.distributed.filter((p) => p.status === 'known').length} known material post(s)`,
      {
        messageIds: posts.map((p) => p.messageId),
        groupIds: posts.map((p) => p.groupId),
        times: posts.map((p) => p.at),
      },
    ],
    [
      'activity',
      `${posts.length} material post(s), ${f.recruited.reduce((n, r) => n + r.added, 0)} member(s) added, ${f.admin.length} flagged group(s) administered`,
      {
        messageIds: posts.map((p) => p.messageId),
        eventIds: f.recruited.flatMap((r) => r.eventIds),
        groupIds: f.recruited.map((r) => r.groupId),
      },
    ],
    [
      'degree',
      `member of ${f.memberOf.length} flagged group(s)`,
      { groupIds: f.memberOf.map((m) => m.groupId) },
    ],
    ['betweenness', betweenness.text, { groupIds: f.memberOf.map((m) => m.groupId) }],
    ['bridging', `spans ${f.clusters.length} clusters`, { groupIds: f.memberOf.map((m) => m.groupId) }],
    [
      'keywords',
      // The lists and terms behind the points, and the messages (capped; the counts in the text are exact).
      keywords ? keywordText(keywords) : '',
      { messageIds: keywords?.messageIds ?? [], groupIds: keywords?.groupIds ?? [] },
    ],
  ];
  return all
    .filter(([k]) => points[k] > 0)
    .map(([k, text, refs]) => reason('score', k, text, refs, points[k]))
    .sort((a, b) => b.points! - a.points!);
}

/**
 * `producersFirst`: the weights guarantee producers outrank everyone else (score.ts), said in their reason.
 * `keywords`: the account's keyword facts (network/keywords.ts), behind its `keywords` points.
 */
export function explain(
  f: AccountFacts,
  points: FactorValues,
  betweenness: { value: number; text: string },
  producersFirst = false,
  keywords?: KeywordFacts,
): Reason[] {
  return [...roleReasons(f), ...scoreReasons(f, points, betweenness, producersFirst, keywords)];
}

/** Fills the times of event-only reasons and the evidence items behind every message and event. */
export function attachProvenance(
  reasons: Reason[],
  data: CaseData,
  evidenceOf: { message: Map<number, number[]>; event: Map<number, number[]> },
): void {
  const eventAt = new Map(data.events.map((e) => [e.id, e.at]));
  for (const r of reasons) {
    const ids = new Set<number>();
    for (const m of r.messageIds) for (const e of evidenceOf.message.get(m) ?? []) ids.add(e);
    for (const ev of r.eventIds) for (const e of evidenceOf.event.get(ev) ?? []) ids.add(e);
    r.evidenceIds = [...ids].sort((a, b) => a - b);
    if (!r.times.length && r.eventIds.length)
      r.times = r.eventIds
        .map((id) => eventAt.get(id))
        .filter((t): t is number => t !== undefined)
        .map(iso);
  }
}
