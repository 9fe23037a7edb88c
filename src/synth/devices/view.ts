import type { Device, Group, Message, OpEvent, Operation } from '../operation.js';
import { currentSubject, membersAt } from '../operation.js';

/**
 * What one seized phone holds: every group its owner was ever in, the messages posted while the owner
 * was a member (from joining until leaving), the membership events the owner witnessed (their own
 * joining and leaving included) and the participant list as it stood when the owner last saw the group.
 */
export interface GroupView {
  group: Group;
  messages: Message[];
  events: OpEvent[];
  /** Subject when the owner last saw the group. */
  subject: string;
  /** Participants then (the owner excluded after leaving): phone and rank 0 member, 1 admin, 2 creator. */
  participants: Array<{ phone: string; rank: number }>;
  /** Still a member at the end of the operation. */
  ownerActive: boolean;
}

export interface DeviceView {
  device: Device;
  groups: GroupView[];
}

export function deviceView(op: Operation, device: Device): DeviceView {
  const byJid = new Map(op.groups.map((g) => [g.jid, g]));
  const msgs = new Map<string, Message[]>();
  for (const m of op.messages) {
    if (!msgs.has(m.group)) msgs.set(m.group, []);
    msgs.get(m.group)!.push(m);
  }
  const evs = new Map<string, OpEvent[]>();
  for (const e of op.events) {
    if (!evs.has(e.group)) evs.set(e.group, []);
    evs.get(e.group)!.push(e);
  }
  const groups: GroupView[] = [];
  for (const jid of device.groups) {
    const g = byJid.get(jid);
    const me = g?.members.get(device.owner);
    if (!g || !me) continue;
    const ivs = me.intervals;
    const inMsg = (t: number) => ivs.some((iv) => iv.from <= t && (iv.to === null || t < iv.to));
    const inEv = (t: number) => ivs.some((iv) => iv.from <= t && (iv.to === null || t <= iv.to));
    const last = ivs[ivs.length - 1];
    const ownerActive = last.to === null;
    const seenUntil = ownerActive ? op.end : last.to! - 1;
    const rank = (p: string) => (p === g.creator ? 2 : g.members.get(p)?.admin ? 1 : 0);
    groups.push({
      group: g,
      messages: (msgs.get(jid) ?? []).filter((m) => inMsg(m.at)).sort((a, b) => a.at - b.at),
      events: (evs.get(jid) ?? []).filter((e) => inEv(e.at)).sort((a, b) => a.at - b.at),
      subject: currentSubject(g, seenUntil),
      participants: membersAt(g, seenUntil)
        .filter((p) => ownerActive || p !== device.owner)
        .map((phone) => ({ phone, rank: rank(phone) })),
      ownerActive,
    });
  }
  return { device, groups };
}

/** WhatsApp's JID of an E.164 number. */
export const personJid = (phone: string) => `${phone.slice(1)}@s.whatsapp.net`;

export const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export interface DeviceDbSummary {
  path: string;
  schema: string;
  groups: number;
  messages: number;
  events: number;
  mediaPresent: number;
  mediaHashOnly: number;
  /** Media whose picture is in the phone's media folder (the rest are known by hash only). */
  presentMediaIds: number[];
}
