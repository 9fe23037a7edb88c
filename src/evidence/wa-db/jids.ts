/**
 * WhatsApp JIDs → natural keys of the case model.
 *   `<digits>@s.whatsapp.net` → `phone:+<digits>`; `<opaque>@lid` → `lid:<opaque>@lid`;
 *   device JIDs `user.agent:device@server` fold into `user@server` (same person, another device);
 *   groups `…@g.us` → `jid:<jid>`; broadcast, status and newsletter JIDs are not people or groups.
 */
export interface Jid {
  user: string;
  server: string;
}

export function parseJid(raw: string | null | undefined): Jid | null {
  if (!raw) return null;
  const at = raw.lastIndexOf('@');
  if (at <= 0) return null;
  let user = raw.slice(0, at);
  const server = raw.slice(at + 1).toLowerCase();
  // Device part: `user:device` and agent `user.agent`, only meaningful for people's JIDs.
  const colon = user.indexOf(':');
  if (colon >= 0) user = user.slice(0, colon);
  if (server === 's.whatsapp.net' || server === 'c.us') {
    const dot = user.indexOf('.');
    if (dot >= 0) user = user.slice(0, dot);
    return { user, server: 's.whatsapp.net' };
  }
  if (server === 'lid') return { user, server };
  return { user, server };
}

export type JidKind = 'person' | 'lid' | 'group' | 'broadcast' | 'status' | 'newsletter' | 'other';

export function jidKind(j: Jid): JidKind {
  if (j.server === 's.whatsapp.net') return /^\d{5,20}$/.test(j.user) ? 'person' : 'other';
  if (j.server === 'lid') return 'lid';
  if (j.server === 'g.us') return 'group';
  if (j.server === 'newsletter') return 'newsletter';
  if (j.server === 'broadcast') return j.user === 'status' ? 'status' : 'broadcast';
  return 'other';
}

export function jidString(j: Jid): string {
  return `${j.user}@${j.server}`;
}

/** Account key of a person's or LID's JID; null for anything else. */
export function accountKeyOfJid(j: Jid): string | null {
  const k = jidKind(j);
  if (k === 'person') return `phone:+${j.user}`;
  if (k === 'lid') return `lid:${j.user}@lid`;
  return null;
}

export function phoneOfKey(key: string): string | null {
  return key.startsWith('phone:') ? key.slice(6) : null;
}

/** Old-style group JIDs `<creator digits>-<unix seconds>@g.us` carry creator and creation time. */
export function oldGroupJidFacts(jid: string): { creatorKey: string; createdAt: number } | null {
  const m = /^(\d{5,20})-(\d{9,11})@g\.us$/.exec(jid);
  if (!m) return null;
  return { creatorKey: `phone:+${m[1]}`, createdAt: Number(m[2]) * 1000 };
}

/** Normalises a number given by the investigator (`+34 600 01 23 45`, `0034…`) to E.164, or null. */
export function toE164(s: string | undefined | null): string | null {
  if (!s) return null;
  let d = s.trim().replace(/[\s\-().]/g, '');
  if (d.startsWith('00')) d = '+' + d.slice(2);
  if (!d.startsWith('+')) d = '+' + d;
  return /^\+\d{6,15}$/.test(d) ? d : null;
}
