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
