/**
 * Android codes → case model. Sources (IPED, ALEAPP, WhatsApp-Chat-Exporter) disagree on a few codes, so
 * every variant seen is accepted and the raw code is always kept beside the reading.
 *
 * message.message_type / messages.media_wa_type → MessageKind
 *   0 text · 1 image · 2 audio (voice notes too) · 3 video · 4 contact · 5 location · 7 system
 *   9 document · 10 missed call · 13 gif · 14 several contacts · 15 deleted (revoked) · 16 live location
 *   20 sticker · 42 view-once image · 43 view-once video · 64 deleted by an admin · anything else: other
 */
import type { MembershipEventType, MessageKind } from '../../model/types.js';

const KINDS: Record<number, MessageKind> = {
  0: 'text',
  1: 'image',
  2: 'audio',
  3: 'video',
  4: 'contact',
  5: 'location',
  7: 'system',
  9: 'document',
  13: 'gif',
  14: 'contact',
  15: 'deleted',
  16: 'location',
  20: 'sticker',
  42: 'image',
  43: 'video',
  64: 'deleted',
};

export function messageKind(code: number | null): MessageKind {
  return code === null ? 'other' : (KINDS[code] ?? 'other');
}

/** Kinds whose rows carry a media file. */
export const MEDIA_KINDS = new Set<MessageKind>(['image', 'audio', 'video', 'document', 'gif', 'sticker']);

/**
 * message_system.action_type (and legacy media_size of system rows) → MembershipEventType.
 *   1 subject · 4/12 added · 5/13 left · 6 icon · 7/14 removed · 11 created · 15/16 admin promoted/demoted
 *   18 security code · 19 encryption notice · 20 joined via invite link · 21 invite link reset
 *   27 description · 10/28 number changed · 29–32 admin settings
 */
const ACTIONS: Record<number, MembershipEventType> = {
  1: 'subject_changed',
  4: 'added',
  12: 'added',
  5: 'left',
  13: 'left',
  6: 'icon_changed',
  7: 'removed',
  14: 'removed',
  11: 'created',
  15: 'admin_promoted',
  16: 'admin_demoted',
  18: 'security_code_changed',
  19: 'encryption_notice',
  20: 'joined_via_link',
  21: 'invite_link_reset',
  27: 'description_changed',
  10: 'number_changed',
  28: 'number_changed',
  29: 'settings_changed',
  30: 'settings_changed',
  31: 'settings_changed',
  32: 'settings_changed',
};

export function actionEvent(code: number | null): MembershipEventType {
  return code === null ? 'unknown' : (ACTIONS[code] ?? 'unknown');
}

/** The inverse used by the synthetic writers (first code of each type). */
export const ACTION_CODE: Partial<Record<MembershipEventType, number>> = {
  subject_changed: 1,
  added: 12,
  left: 5,
  icon_changed: 6,
  removed: 14,
  created: 11,
  admin_promoted: 15,
  admin_demoted: 16,
  joined_via_link: 20,
  description_changed: 27,
  number_changed: 28,
};

/** Events where the one concerned is the actor itself (they left, they joined): no separate targets. */
export const SELF_EVENTS = new Set<MembershipEventType>(['left', 'joined_via_link']);
