/**
 * Synthetic older states of one Android phone's msgstore.db, as WhatsApp keeps them: the current
 * `databases/msgstore.db` plus dated daily copies `databases/msgstore-YYYY-MM-DD.1.db`, each the same
 * database as it stood at the start of that day (UTC). Between the states the owner deletes things, so the
 * copies disagree the way real ones do:
 * - single messages deleted some time after they were posted (present in the states taken in between,
 *   absent from later ones and from the current database);
 * - one group's chat cleared (its messages and system events up to that moment vanish from later states);
 * - a few participants leaving a group (listed in the states before they left, not after).
 * Messages posted after a state's day are absent from it and present in later states.
 * The plan is drawn from the operation's seed, and the returned ground truth says what each state holds
 * and what is therefore deleted later: tests check filet against it, not against filet's own output.
 * Synthetic data only.
 */
import type { Device, Message, OpEvent, Operation } from '../operation.js';
import { rngFor } from '../random.js';
import { ACTION_CODE } from '../../evidence/android-msgstore/codes.js';
import { writeAndroidMsgstore, type AndroidWriterOptions } from './android-msgstore-writer.js';
import { deviceView } from './view.js';

export interface StatesOptions extends Omit<AndroidWriterOptions, 'state'> {
  /** How many dated older states to write (1…7). Default 2. */
  older?: number;
  /** Share of messages deleted individually some time after posting. Default 0.12. */
  deleteShare?: number;
}

export interface StateTruth {
  /** File name under `databases/`. */
  fileName: string;
  /** Backup day (YYYY-MM-DD) of an older copy; null for the current database. */
  date: string | null;
  path: string;
  /** WhatsApp key ids of the messages this state holds. */
  messages: Set<string>;
  /** `<group jid>|<E.164>` of the participants this state lists. */
  members: Set<string>;
  /** Events it holds (only those the writer can express as a system message). */
  events: OpEvent[];
}

export interface StatesTruth {
  /** Oldest first; the last is the current database. */
  states: StateTruth[];
  /** Key ids held by some older state and absent from the current one. */
  deletedLaterMessages: Set<string>;
  /** Participants listed by some older state and not by the current one. */
  deletedLaterMembers: Set<string>;
  /** Events held by some older state and absent from the current one. */
  deletedLaterEvents: OpEvent[];
  /** Key ids the current database holds that no older state does (posted later). */
  onlyInCurrent: Set<string>;
  /** The group whose chat was cleared, and when. */
  cleared: { group: string; at: number } | null;
}

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Writes the current database and `older` dated states of `device` under `outDir/databases/`. */
export async function writeMsgstoreStates(
  op: Operation,
  device: Device,
  outDir: string,
  opts: StatesOptions,
): Promise<StatesTruth> {
  const rng = rngFor(op.seed, `msgstore-states:${device.label}`);
  const view = deviceView(op, device);
  const times = view.groups.flatMap((g) => g.messages.map((m) => m.at)).sort((a, b) => a - b);
  if (times.length < 10) throw new Error(`device ${device.label} holds too few messages for states`);
  const older = Math.min(7, Math.max(1, opts.older ?? 2));
  // State days spread over the second half of the phone's history, one day apart at least.
  const first = times[Math.floor(times.length * 0.5)]!;
  const last = times[Math.floor(times.length * 0.85)]!;
  const days: number[] = [];
  for (let i = 0; i < older; i++) {
    const t = first + ((last - first) * i) / Math.max(1, older - 1);
    const day = Math.floor(t / DAY) * DAY;
    days.push(days.length && day <= days[days.length - 1]! ? days[days.length - 1]! + DAY : day);
  }
  const cutoffs = [...days, Infinity];

  // When each thing vanishes (Infinity: never).
  const deletedAt = new Map<string, number>();
  const share = opts.deleteShare ?? 0.12;
  for (const g of view.groups)
    for (const m of g.messages)
      if (rng.chance(share)) deletedAt.set(m.id, m.at + rng.int(1, Math.max(2, op.end - m.at)));
  const withEvents = view.groups.filter((g) => g.events.some((e) => ACTION_CODE[e.type] !== undefined));
  const clearedGroup = withEvents.length ? rng.pick(withEvents) : null;
  const cleared = clearedGroup
    ? { group: clearedGroup.group.jid, at: days[0]! + rng.int(DAY / 2, DAY * 2) }
    : null;
  const leftAt = new Map<string, number>();
  for (const g of view.groups) {
    const others = g.participants.filter((p) => p.phone !== device.owner);
    if (others.length > 3 && rng.chance(0.5))
      leftAt.set(`${g.group.jid}|${rng.pick(others).phone}`, days[0]! + rng.int(DAY / 2, DAY * 3));
  }

  // `t` is the state's cut-off (Infinity for the current database); a thing gone at `g` is gone from it when g <= t.
  const goneBy = (g: number | undefined, t: number) => g !== undefined && g <= t;
  const messageGone = (m: Message, t: number) =>
    goneBy(deletedAt.get(m.id), t) || (cleared?.group === m.group && m.at < cleared.at && cleared.at <= t);
  const eventGone = (e: OpEvent, t: number) =>
    cleared?.group === e.group && e.at < cleared.at && cleared.at <= t;

  const states: StateTruth[] = [];
  for (const t of cutoffs) {
    const date = Number.isFinite(t) ? iso(t) : null;
    const fileName = date ? `msgstore-${date}.1.db` : 'msgstore.db';
    const truth: StateTruth = {
      fileName,
      date,
      path: '',
      messages: new Set(),
      members: new Set(),
      events: [],
    };
    const summary = await writeAndroidMsgstore(op, device, outDir, {
      ...opts,
      state: {
        fileName,
        writeMedia: date === null,
        message: (m) => {
          const held = m.at < t && !messageGone(m, t);
          if (held) truth.messages.add(m.id);
          return held;
        },
        event: (e) => {
          const held = e.at < t && !eventGone(e, t);
          if (held && ACTION_CODE[e.type] !== undefined) truth.events.push(e);
          return held;
        },
        member: (jid, phone) => {
          const held = !goneBy(leftAt.get(`${jid}|${phone}`), t);
          if (held) truth.members.add(`${jid}|${phone}`);
          return held;
        },
      },
    });
    truth.path = summary.path;
    states.push(truth);
  }
  const current = states[states.length - 1]!;
  const olderStates = states.slice(0, -1);
  const deletedLaterMessages = new Set<string>();
  const deletedLaterMembers = new Set<string>();
  const deletedLaterEvents: OpEvent[] = [];
  const currentEvents = new Set(current.events);
  for (const s of olderStates) {
    for (const id of s.messages) if (!current.messages.has(id)) deletedLaterMessages.add(id);
    for (const k of s.members) if (!current.members.has(k)) deletedLaterMembers.add(k);
    for (const e of s.events)
      if (!currentEvents.has(e) && !deletedLaterEvents.includes(e)) deletedLaterEvents.push(e);
  }
  const onlyInCurrent = new Set(
    [...current.messages].filter((id) => !olderStates.some((s) => s.messages.has(id))),
  );
  return { states, deletedLaterMessages, deletedLaterMembers, deletedLaterEvents, onlyInCurrent, cleared };
}
