import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAndroidMsgstore } from '../../src/synth/devices/android-msgstore-writer.js';
import { writeIosChatStorage } from '../../src/synth/devices/ios-chatstorage-writer.js';
import { exportIndex, writeDeviceExports } from '../../src/synth/export-writer.js';
import { writeLists } from '../../src/synth/lists-writer.js';
import { renderMedia } from '../../src/synth/media.js';
import type { DeviceEntry } from '../../src/synth/truth.js';
import type {
  Account,
  Device,
  Group,
  Media,
  Message,
  OpEvent,
  Operation,
  Role,
} from '../../src/synth/operation.js';

/**
 * A small operation written by hand, with its answer written by hand: one flagged group ("Club 7") seen
 * from three seized phones of three countries — a German Android phone handed over as chat exports only,
 * in German, whose owner saved most members under names; a Chilean Android phone's msgstore.db; a Spanish
 * iPhone's ChatStorage.sqlite — plus one harmless group called "Familie" on the German phone and another,
 * unrelated group also called "Familie" on the Chilean phone (two chats that share only a subject).
 *
 * Every fact is held by at least one phone, so the answer below is what a correct analysis must find:
 * one account per person, each with the country of their number and the roles written in `EXPECTED`
 * (from the definitions of docs/domain.md, applied by hand to the story told in `build`). All numbers are
 * synthetic (zero-padded blocks), all pictures are generated shapes.
 */
export interface MixedPerson {
  name: string;
  phone: string;
  country: string;
  /** The name the German phone's owner saved the number under, if any. */
  savedAs?: string;
}

export const PEOPLE = {
  toni: { name: 'Toni', phone: '+34600012345', country: 'ES', savedAs: 'Toni Admin' },
  camila: { name: 'Camila', phone: '+56990001234', country: 'CL', savedAs: 'Camila L.' },
  marco: { name: 'Marco', phone: '+393120001234', country: 'IT', savedAs: 'Marco' },
  lucia: { name: 'Lucía', phone: '+525500012345', country: 'MX', savedAs: 'Lucía M.' },
  jonas: { name: 'Jonas', phone: '+4915100012345', country: 'DE' },
  pierre: { name: 'Pierre', phone: '+33612001234', country: 'FR' },
  diego: { name: 'Diego', phone: '+5491100012345', country: 'AR' },
  anna: { name: 'Anna', phone: '+4915100054321', country: 'DE' },
  rosa: { name: 'Rosa', phone: '+56990004321', country: 'CL' },
} satisfies Record<string, MixedPerson>;

/** Roles by the definitions of docs/domain.md, worked out by hand from the story in `build`. */
export const EXPECTED_ROLES: Record<keyof typeof PEOPLE, Role[]> = {
  // Created Club 7 and added its members; posted the invite link Pierre joined by; posted no material
  // while a member of a group where material was posted.
  toni: ['admin', 'consumer', 'recruiter'],
  // First posted picture 1 (novel, not forwarded); Marco posted it again.
  camila: ['producer'],
  // Posted picture 1 again (forwarded) and the known picture 2.
  marco: ['distributor'],
  // Posted the known pictures 2 and 3.
  lucia: ['distributor'],
  // A member throughout, posted text only.
  jonas: ['consumer'],
  // Joined by the link before picture 3 was posted; posted text only.
  pierre: ['consumer'],
  // Added by Toni and made admin before picture 3; left afterwards.
  diego: ['admin', 'consumer'],
  // Only in a harmless group.
  anna: [],
  rosa: [],
};

const GROUP = '120363000000000701@g.us';
const FAMILY_DE = '120363000000000702@g.us';
const FAMILY_CL = '120363000000000703@g.us';
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const MIN = 60_000;

function account(p: MixedPerson, design: Role): Account {
  return {
    phone: p.phone,
    international: p.phone,
    country: p.country,
    displayName: p.name,
    design,
    cluster: null,
  };
}

/** The operation itself: who was in which group when, what was posted, which phones were seized. */
export function mixedOperation(): Operation {
  const P = PEOPLE;
  const events: OpEvent[] = [];
  const messages: Message[] = [];
  const ev = (group: string, type: OpEvent['type'], actor: string | null, targets: string[], at: number) =>
    events.push({ group, type, actor, targets, at, value: null, old: null });
  let seq = 0;
  const msg = (
    group: string,
    sender: string,
    at: number,
    text: string | null,
    mediaId: number | null = null,
    forwarded = false,
  ) =>
    messages.push({
      id: `3EB0${(0xa000 + ++seq).toString(16).toUpperCase()}00000000AB`,
      group,
      sender,
      at,
      kind: mediaId === null ? 'text' : 'image',
      text,
      forwarded,
      forwardScore: forwarded ? 1 : 0,
      mediaId,
    });
  const member = (phone: string, from: number, to: number | null = null, admin = false) => ({
    phone,
    admin,
    intervals: [{ from, to }],
  });

  // Club 7, created by Toni with Camila, Marco, Lucía and Jonas; Diego added later; Pierre by the link.
  const club: Group = {
    jid: GROUP,
    subjects: [{ subject: 'Club 7', at: T0 }],
    creator: P.toni.phone,
    createdAt: T0,
    cluster: null,
    harmless: false,
    members: new Map(),
    inviteLinkAt: T0 + 40 * MIN,
  };
  club.members.set(P.toni.phone, member(P.toni.phone, T0, null, true));
  for (const p of [P.camila, P.marco, P.lucia, P.jonas]) club.members.set(p.phone, member(p.phone, T0 + MIN));
  club.members.set(P.diego.phone, member(P.diego.phone, T0 + 30 * MIN, T0 + 90 * MIN, true));
  club.members.set(P.pierre.phone, member(P.pierre.phone, T0 + 45 * MIN));
  ev(GROUP, 'created', P.toni.phone, [], T0);
  ev(GROUP, 'added', P.toni.phone, [P.camila.phone, P.marco.phone, P.lucia.phone, P.jonas.phone], T0 + MIN);
  msg(GROUP, P.toni.phone, T0 + 2 * MIN + 5_000, 'bienvenidos');
  msg(GROUP, P.camila.phone, T0 + 3 * MIN + 12_000, 'hola a todos');
  msg(GROUP, P.camila.phone, T0 + 5 * MIN + 30_000, null, 1);
  msg(GROUP, P.marco.phone, T0 + 7 * MIN + 2_000, 'grazie');
  msg(GROUP, P.jonas.phone, T0 + 8 * MIN + 40_000, 'danke');
  msg(GROUP, P.marco.phone, T0 + 12 * MIN + 15_000, null, 1, true);
  msg(GROUP, P.lucia.phone, T0 + 15 * MIN + 9_000, null, 2);
  msg(GROUP, P.marco.phone, T0 + 18 * MIN + 50_000, null, 2, true);
  msg(GROUP, P.lucia.phone, T0 + 20 * MIN + 1_000, 'más mañana');
  msg(GROUP, P.camila.phone, T0 + 22 * MIN + 33_000, 'ok');
  ev(GROUP, 'added', P.toni.phone, [P.diego.phone], T0 + 30 * MIN);
  ev(GROUP, 'admin_promoted', P.toni.phone, [P.diego.phone], T0 + 32 * MIN);
  msg(GROUP, P.toni.phone, T0 + 40 * MIN + 7_000, 'https://chat.whatsapp.com/SYNTHETICx7Club0000AB');
  ev(GROUP, 'joined_via_link', P.pierre.phone, [], T0 + 45 * MIN);
  msg(GROUP, P.pierre.phone, T0 + 47 * MIN + 20_000, 'salut');
  msg(GROUP, P.lucia.phone, T0 + 60 * MIN + 44_000, null, 3);
  msg(GROUP, P.diego.phone, T0 + 62 * MIN + 10_000, 'gracias');
  msg(GROUP, P.camila.phone, T0 + 70 * MIN + 3_000, 'chau');
  ev(GROUP, 'left', P.diego.phone, [], T0 + 90 * MIN);
  msg(GROUP, P.jonas.phone, T0 + 95 * MIN + 25_000, 'gute nacht');

  // Two unrelated families that happen to share a subject.
  const family = (jid: string, owner: MixedPerson, relative: MixedPerson, at: number): Group => {
    const g: Group = {
      jid,
      subjects: [{ subject: 'Familie', at }],
      creator: owner.phone,
      createdAt: at,
      cluster: null,
      harmless: true,
      members: new Map([
        [owner.phone, member(owner.phone, at, null, true)],
        [relative.phone, member(relative.phone, at + MIN)],
      ]),
      inviteLinkAt: null,
    };
    ev(jid, 'created', owner.phone, [], at);
    ev(jid, 'added', owner.phone, [relative.phone], at + MIN);
    return g;
  };
  const famDe = family(FAMILY_DE, P.jonas, P.anna, T0 + 100 * MIN);
  msg(FAMILY_DE, P.anna.phone, T0 + 102 * MIN + 4_000, 'essen um sieben');
  msg(FAMILY_DE, P.jonas.phone, T0 + 103 * MIN + 9_000, 'ok');
  const famCl = family(FAMILY_CL, P.camila, P.rosa, T0 + 100 * MIN);
  // The same words in the same minute as the German family: only the senders and the phones differ.
  msg(FAMILY_CL, P.rosa.phone, T0 + 102 * MIN + 40_000, 'essen um sieben');
  msg(FAMILY_CL, P.camila.phone, T0 + 103 * MIN + 50_000, 'ok');
  msg(FAMILY_CL, P.rosa.phone, T0 + 105 * MIN + 1_000, 'besos');

  const picture = (id: number, known: boolean, by: MixedPerson, at: number): Media => ({
    id,
    spec: { seed: 7000 + id, width: 640, height: 480, style: id === 1 ? 'shapes' : 'stripes' },
    transform: null,
    parentId: null,
    known,
    category: known ? 1 : null,
    harmless: false,
    firstPostedBy: by.phone,
    firstPostedAt: at,
    firstGroup: GROUP,
    sha256: '',
    pdqDistance: null,
    pdqQuality: 0,
    pdqViews: [],
    md5: '',
    sha1: '',
    size: 0,
  });
  const media = [
    picture(1, false, P.camila, T0 + 5 * MIN),
    picture(2, true, P.lucia, T0 + 15 * MIN),
    picture(3, true, P.lucia, T0 + 60 * MIN),
  ];

  const device = (
    label: string,
    owner: MixedPerson,
    d: Pick<Device, 'locale' | 'platform' | 'tz' | 'groups' | 'database' | 'chatExports'> & Partial<Device>,
  ): Device => ({
    label,
    owner: owner.phone,
    ownerName: owner.name,
    exported: [],
    withoutMedia: [],
    savedContacts: {},
    ...d,
  });
  const saved: Record<string, string> = {};
  for (const p of Object.values(PEOPLE) as MixedPerson[]) if (p.savedAs) saved[p.savedAs] = p.phone;
  const devices: Device[] = [
    device('DE-jonas', P.jonas, {
      locale: 'de',
      platform: 'android',
      tz: 'Europe/Berlin',
      groups: [GROUP, FAMILY_DE],
      exported: [GROUP, FAMILY_DE],
      savedContacts: saved,
      database: null,
      chatExports: true,
    }),
    device('CL-camila', P.camila, {
      locale: 'es',
      platform: 'android',
      tz: 'America/Santiago',
      groups: [GROUP, FAMILY_CL],
      database: 'new',
      chatExports: false,
    }),
    device('ES-toni', P.toni, {
      locale: 'es',
      platform: 'ios',
      tz: 'Europe/Madrid',
      groups: [GROUP],
      database: 'ios',
      chatExports: false,
    }),
  ];
  const accounts = [
    account(P.toni, 'admin'),
    account(P.camila, 'producer'),
    account(P.marco, 'distributor'),
    account(P.lucia, 'distributor'),
    account(P.jonas, 'consumer'),
    account(P.pierre, 'consumer'),
    account(P.diego, 'admin'),
    account(P.anna, 'bystander'),
    account(P.rosa, 'bystander'),
  ];
  return {
    seed: 701,
    scale: 'small',
    start: T0,
    end: T0 + 24 * 60 * MIN,
    accounts,
    groups: [club, famDe, famCl],
    events: events.sort((a, b) => a.at - b.at),
    messages: messages.sort((a, b) => a.at - b.at),
    media,
    devices,
    clusters: [],
  };
}

/** A phone's files with what the examiner tells ingest about it (as devices.json lists a synth device). */
export type MixedDeviceFiles = Pick<DeviceEntry, 'label' | 'owner' | 'ownerName' | 'tz' | 'locale' | 'files'>;

/** Writes the three phones' evidence and the known list under `out`; returns each phone's files. */
export async function writeMixedOperation(
  op: Operation,
  out: string,
): Promise<{ devices: MixedDeviceFiles[]; lists: string }> {
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'SYNTHETIC'), 'SYNTHETIC: hand-written test operation; no real people\n');
  const bytes = await renderMedia(op);
  const lists = join(out, 'lists');
  await mkdir(lists, { recursive: true });
  await writeLists(op, lists);
  const index = exportIndex(op);
  const devices: MixedDeviceFiles[] = [];
  for (const d of op.devices) {
    const files: string[] = [];
    const dir = join(out, 'devices', d.label);
    const opts = { mediaBytes: (id: number) => bytes.get(id)!, presentFraction: 1 };
    if (d.database === 'ios') files.push((await writeIosChatStorage(op, d, dir, opts)).path);
    else if (d.database)
      files.push((await writeAndroidMsgstore(op, d, dir, { ...opts, schema: d.database })).path);
    if (d.chatExports) {
      const written = await writeDeviceExports(
        op,
        d,
        out,
        join('exports', d.label),
        (id) => bytes.get(id)!,
        index,
        op.end + 86_400_000,
      );
      files.push(...written.map((x) => join(out, x.file)));
    }
    devices.push({
      label: d.label,
      owner: d.owner,
      ownerName: d.ownerName,
      tz: d.tz,
      locale: d.locale,
      files,
    });
  }
  return { devices, lists };
}
