import type { Role } from '../model/vocabulary.js';

/**
 * THE triage urgency of a series of novel media — the one formula, in this one file (docs/triage.md says
 * the same, with the why). Novel media may show a child being abused now; the queue puts first what most
 * suggests that:
 *
 *   urgency = recency + original + role + size                      (points, 0 … 100)
 *
 *   recency   40 · ½^(age / 30 days)   age = the case's latest media post − the series' first post (the
 *             seizure's "now", not the clock: a case is triaged after the fact). Recent: 40; a month: 20.
 *   original  25 when the series' first post was not forwarded: its poster sent it as their own.
 *   role      20 when its first poster is a producer in the stored analysis (src/network/roles.ts), 10 a
 *             distributor, else 0.
 *   size      15 · (1 − 1/n) for n media items in the series: one picture 0, two 7.5, four 11.25 — more
 *             pictures of one production, more of a child's abuse on record.
 *
 * The first post of a series is its earliest post in any chat (ties: the smaller message id). A series
 * never posted (media found on a device only) gets neither recency, original nor role points. Equal
 * urgencies: the more recent first post first, then the smaller series id, so the order is total.
 */
export const URGENCY = {
  recency: 40,
  halfLifeDays: 30,
  original: 25,
  producer: 20,
  distributor: 10,
  size: 15,
} as const;

export const URGENCY_FACTORS = ['recency', 'original', 'role', 'size'] as const;
export type UrgencyFactor = (typeof URGENCY_FACTORS)[number];

export interface SeriesPost {
  messageId: number;
  mediaId: number;
  chatId: number;
  /** The poster after identity merges; null when the source does not say. */
  senderId: number | null;
  at: number;
  forwarded: boolean;
}

export interface UrgencyReason {
  factor: UrgencyFactor;
  points: number;
  text: string;
  /** The messages the reason rests on (the first post), for the analyst to open. */
  messageIds: number[];
}

export interface Urgency {
  score: number;
  reasons: UrgencyReason[];
}

const DAY = 86_400_000;
const round2 = (x: number) => Math.round(x * 100) / 100;

export function urgencyOf(input: {
  size: number;
  first: SeriesPost | null;
  firstPosterRoles: readonly Role[];
  /** The case's latest media post (ms); null when nothing was posted. */
  reference: number | null;
}): Urgency {
  const { first, size } = input;
  const msg = first ? [first.messageId] : [];
  const reasons: UrgencyReason[] = [];
  if (first && input.reference !== null) {
    const ageDays = Math.max(0, input.reference - first.at) / DAY;
    const points = round2(URGENCY.recency * 0.5 ** (ageDays / URGENCY.halfLifeDays));
    reasons.push({
      factor: 'recency',
      points,
      text: `first posted ${new Date(first.at).toISOString()}, ${ageDays.toFixed(1)} days before the case's latest media post`,
      messageIds: msg,
    });
  } else
    reasons.push({
      factor: 'recency',
      points: 0,
      text: 'never posted in a chat of the case',
      messageIds: [],
    });
  if (first && !first.forwarded)
    reasons.push({
      factor: 'original',
      points: URGENCY.original,
      text: 'first posted by its poster, not forwarded',
      messageIds: msg,
    });
  else
    reasons.push({
      factor: 'original',
      points: 0,
      text: first ? 'first post was forwarded: it came from elsewhere' : 'never posted',
      messageIds: msg,
    });
  const roles = input.firstPosterRoles;
  const role = roles.includes('producer') ? 'producer' : roles.includes('distributor') ? 'distributor' : null;
  reasons.push({
    factor: 'role',
    points: role === 'producer' ? URGENCY.producer : role === 'distributor' ? URGENCY.distributor : 0,
    text:
      first === null
        ? 'no poster'
        : first.senderId === null
          ? 'the first poster is not known'
          : role
            ? `the first poster (account ${first.senderId}) is a ${role} in the stored analysis`
            : `the first poster (account ${first.senderId}) is neither producer nor distributor in the stored analysis`,
    messageIds: msg,
  });
  reasons.push({
    factor: 'size',
    points: round2(URGENCY.size * (1 - 1 / Math.max(1, size))),
    text: size === 1 ? 'a single picture' : `${size} media items in the series`,
    messageIds: [],
  });
  return { score: round2(reasons.reduce((n, r) => n + r.points, 0)), reasons };
}
