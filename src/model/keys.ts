import { createHash } from 'node:crypto';

/** Short digest used in natural keys. */
export function textDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * A message's natural key (see types.ts): the WhatsApp key id / stanza id when the source keeps one, else
 * chat, sender, minute and a digest of the text.
 */
export function messageKey(
  chatKey: string,
  keyId: string | null,
  senderKey: string | null,
  at: number,
  text: string | null,
): string {
  return keyId
    ? `id:${chatKey}:${keyId}`
    : `dig:${chatKey}:${senderKey ?? ''}:${Math.floor(at / 60000)}:${textDigest(text ?? '')}`;
}

/**
 * A one-to-one chat's natural key: the unordered pair of the two accounts in it, `direct:<a>|<b>` with
 * `a` ≤ `b`. Owner A's chat with P and owner B's chat with P are two chats; A's phone's chat with B and
 * B's phone's chat with A are one. An unknown owner is the device's own `owner:<device>` placeholder, so
 * such a chat never meets another device's chat with the same partner.
 */
/** The key of a group read from a chat export of one phone: `export:<device>:<subject at export time>`. */
export function exportGroupKey(device: string, subject: string): string {
  return `export:${device}:${subject}`;
}

export function directChatKey(ownerKey: string, partnerKey: string): string {
  const [a, b] = ownerKey <= partnerKey ? [ownerKey, partnerKey] : [partnerKey, ownerKey];
  return `direct:${a}|${b}`;
}

/** A chat's kind as its natural key says (see types.ts): one-to-one keys start with `direct:`. */
export function chatKindOfKey(key: string): 'group' | 'direct' {
  return key.startsWith('direct:') ? 'direct' : 'group';
}
