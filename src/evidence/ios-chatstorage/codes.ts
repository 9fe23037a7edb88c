/**
 * iOS codes → case model (sources disagree on some; the raw code is always kept).
 *
 * ZWAMESSAGE.ZMESSAGETYPE → MessageKind
 *   0 text · 1 image · 2 video · 3 audio · 4 contact · 5 location · 6 system · 7 link (text) · 8 document
 *   11 gif · 14 deleted · 15 sticker · 38 view-once image · 39 view-once video · anything else: other
 *
 * ZGROUPEVENTTYPE (ZMESSAGETYPE = 6) → MembershipEventType
 *   1 subject · 2 added · 3 left · 4 icon · 7 removed · 10 admin promoted · 11 admin demoted
 *   12 created · 15 joined via invite link · 17 description
 */
import type { MembershipEventType, MessageKind } from '../../model/types.js';

const KINDS: Record<number, MessageKind> = {
  0: 'text',
  1: 'image',
  2: 'video',
  3: 'audio',
  4: 'contact',
  5: 'location',
  6: 'system',
  7: 'text',
  8: 'document',
  11: 'gif',
  14: 'deleted',
  15: 'sticker',
  38: 'image',
  39: 'video',
};

export function iosMessageKind(code: number | null): MessageKind {
  return code === null ? 'other' : (KINDS[code] ?? 'other');
}

export const IOS_MEDIA_KINDS = new Set<MessageKind>([
  'image',
  'video',
  'audio',
  'document',
  'gif',
  'sticker',
]);

const EVENTS: Record<number, MembershipEventType> = {
  1: 'subject_changed',
  2: 'added',
  3: 'left',
  4: 'icon_changed',
  7: 'removed',
  10: 'admin_promoted',
  11: 'admin_demoted',
  12: 'created',
  15: 'joined_via_link',
  17: 'description_changed',
};

export function iosEvent(code: number | null): MembershipEventType {
  return code === null ? 'unknown' : (EVENTS[code] ?? 'unknown');
}

export const IOS_EVENT_CODE: Partial<Record<MembershipEventType, number>> = Object.fromEntries(
  Object.entries(EVENTS).map(([k, v]) => [v, Number(k)]),
);

/** Events whose ZTEXT is the new text (not JIDs of the people concerned). */
export const IOS_VALUE_EVENTS = new Set<MembershipEventType>([
  'subject_changed',
  'created',
  'description_changed',
]);

/** Seconds between 1970-01-01 and 2001-01-01 (Apple's reference date). */
export const APPLE_EPOCH_S = 978307200;

export function appleToMs(d: number | null): number | null {
  return d === null ? null : Math.round((d + APPLE_EPOCH_S) * 1000);
}
