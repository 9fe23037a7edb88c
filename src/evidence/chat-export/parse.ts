/**
 * Reads an "Export chat" text in two streaming passes. The first learns what only the whole file tells:
 * the date order, the chat's last subject (it names the chat key), whether it is a group, its language.
 * The second emits the records, in line order (exports are not always chronological: nothing is sorted).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { directChatKey, exportGroupKey } from '../../model/keys.js';
import type {
  Location,
  MediaStatus,
  MembershipEventType,
  ParsedRecord,
  ReaderNotes,
  ReaderOptions,
} from '../../model/types.js';
import { Classifier, parseBody, type Body, type SystemMatch } from './classify.js';
import { mimeFromFileName } from './locales.js';
import {
  DateOrderScanner,
  parseHeader,
  stripMarks,
  wallTime,
  type DateOrder,
  type Header,
} from './line-format.js';
import { FingerprintSet } from './fingerprints.js';
import { People } from './people.js';
import { openSource, readLines, type ChatSource, type Limits, type MediaFile } from './source.js';
import { WallClock } from './zone.js';

export type ChatExportOptions = ReaderOptions & { limits?: Partial<Limits> };

/** Events that only happen in groups (encryption and security-code notices also appear one-to-one). */
const GROUP_EVENTS = new Set<MembershipEventType>([
  'created',
  'added',
  'joined_via_link',
  'left',
  'removed',
  'subject_changed',
  'icon_changed',
  'description_changed',
  'admin_promoted',
  'admin_demoted',
  'invite_link_reset',
  'settings_changed',
]);
const LEADING_MARKS = /^[\u200E\u200F\u202A-\u202E\u2066-\u2069]+/;
const EXAMPLES = 5;

interface SubjectSeen {
  value: string;
  header: Header;
  line: number;
}

interface FirstPass {
  order: DateOrder;
  subjects: Set<string>;
  logSubjects: SubjectSeen[];
  created: { m: SystemMatch; header: Header; line: number } | null;
  groupEvents: number;
  authors: Map<string, number>;
  locale: string | null;
}

async function firstPass(
  src: ChatSource,
  where: { file: string; entry?: string },
  o: ChatExportOptions,
  notes: ReaderNotes,
): Promise<FirstPass> {
  const scanner = new DateOrderScanner();
  const cls = new Classifier();
  const subjects = new Set<string>(src.nameSubject ? [src.nameSubject] : []);
  const fp: Omit<FirstPass, 'order' | 'locale'> = {
    subjects,
    logSubjects: [],
    created: null,
    groupEvents: 0,
    authors: new Map(),
  };
  let lines = 0;
  for await (const batch of readLines(await src.openText(), where)) {
    for (let i = 0; i < batch.lines.length; i++) {
      const h = parseHeader(batch.lines[i]!.replace(LEADING_MARKS, ''));
      if (!h) continue;
      scanner.add(h);
      const c = cls.classify(h.rest, subjects, false);
      const line = batch.first + i;
      if (c.k === 'message') {
        if (!fp.authors.has(c.author)) fp.authors.set(c.author, line);
      } else if (c.k === 'event') {
        const m = c.m;
        if (GROUP_EVENTS.has(m.type)) fp.groupEvents++;
        if (m.old) subjects.add(m.old);
        if (m.value && (m.type === 'subject_changed' || m.type === 'created')) {
          subjects.add(m.value);
          if (m.type === 'subject_changed') fp.logSubjects.push({ value: m.value, header: h, line });
        }
        if (m.type === 'created' && !fp.created) fp.created = { m, header: h, line };
      }
    }
    lines = batch.first + batch.lines.length - 1;
  }
  const decision = scanner.decide(o.locale);
  notes.dateOrder = decision;
  if (scanner.twoDigitYears > 0) notes.twoDigitYears = 'read as 20xx (assumption)';
  notes.lines = lines;
  let locale: string | null = null;
  for (const [id, n] of cls.localeHits) if (!locale || n > cls.localeHits.get(locale)!) locale = id;
  notes.language = locale ?? 'unknown (no system line recognised)';
  return { ...fp, order: decision.order, locale };
}

function sha16(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

type Pending =
  | { t: 'message'; line: number; at: number; author: string; text: string }
  | { t: 'event'; line: number; at: number; m: SystemMatch; raw: string }
  | { t: 'unclassified'; line: number; raw: string; reason: string };

export async function* parseChatExport(
  path: string,
  options: ChatExportOptions,
  notes: ReaderNotes,
): AsyncGenerator<ParsedRecord> {
  const tz = options.tz || 'UTC';
  const clock = new WallClock(tz);
  const src = await openSource(path, options.limits);
  try {
    notes.kind = src.kind;
    notes.tz = tz;
    if (src.textEntry) notes.textEntry = src.textEntry;
    if (options.locale) notes.localeHint = options.locale;
    const where = { file: path, ...(src.textEntry ? { entry: src.textEntry } : {}) };
    const fp = await firstPass(src, where, options, notes);
    const people = new People(options.deviceLabel, options.owner, options.ownerName);
    people.knowAuthors(fp.authors.keys());
    const loc = (line: number): Location => ({
      kind: 'line',
      line,
      ...(src.textEntry ? { entry: src.textEntry } : {}),
    });
    const utcOf = (h: Header): number | null => {
      const w = wallTime(h, fp.order);
      return w && clock.toUtc(w.year, w.month, w.day, w.hour, w.minute, w.second);
    };

    // The chat's name at export time: the log's latest new subject beats a possibly truncated file name.
    let subject: string | null = null;
    let latest = -Infinity;
    for (const s of fp.logSubjects) {
      const at = utcOf(s.header) ?? -Infinity;
      if (at >= latest) [latest, subject] = [at, s.value];
    }
    const subjectSource = subject
      ? 'subject-change'
      : src.nameSubject
        ? 'file-name'
        : fp.created?.m.value
          ? 'created'
          : 'evidence-file-name';
    subject ??= src.nameSubject ?? fp.created?.m.value ?? basename(path).replace(/\.(txt|zip)$/i, '');

    // Group or one-to-one. Without `ownerName`, the owner is one of the authors but which one is unknown.
    const authorKeys = new Map<string, string>();
    for (const a of fp.authors.keys()) if (!authorKeys.has(people.key(a))) authorKeys.set(people.key(a), a);
    authorKeys.delete(people.ownerKey);
    const nameKey = src.nameSubject ? people.key(src.nameSubject) : null;
    let isGroup: boolean;
    let kindRule: string;
    if (fp.groupEvents > 0) [isGroup, kindRule] = [true, 'group system events'];
    else if (options.ownerName) [isGroup, kindRule] = [authorKeys.size >= 2, 'authors other than the owner'];
    else if (nameKey && authorKeys.has(nameKey)) {
      isGroup = authorKeys.size >= 3;
      kindRule = 'authors besides the named contact and one presumed owner';
      if (!isGroup && authorKeys.size === 2)
        notes.ownerNameGuess = [...authorKeys].find(([k]) => k !== nameKey)![1];
    } else [isGroup, kindRule] = [authorKeys.size >= 2, 'authors (owner unknown)'];
    let otherKey: string | null = null;
    let otherName: string | null = null;
    if (!isGroup) {
      [otherKey, otherName] = nameKey ? [nameKey, src.nameSubject] : ([...authorKeys][0] ?? [null, null]);
      otherKey ??= `name:${options.deviceLabel}:${subject}`;
      otherName ??= subject;
    }
    // A group export is keyed by the phone it came from: two phones' groups called "Familie" are two chats
    // until their messages show they are one (src/store/chat-links.ts).
    const chatKey = isGroup
      ? exportGroupKey(options.deviceLabel, subject)
      : directChatKey(people.ownerKey, otherKey!);
    const chatKind = isGroup ? 'group' : 'direct';
    notes.chat = { key: chatKey, kind: chatKind, rule: kindRule, subject, subjectSource };

    if (isGroup) {
      const c = fp.created;
      let creatorKey: string | null = null;
      if (c) {
        creatorKey = c.m.actorYou ? people.ownerKey : c.m.actor ? people.key(c.m.actor) : null;
        const acc = creatorKey && people.account(creatorKey, c.m.actor, loc(c.line));
        if (acc) yield acc;
      }
      yield {
        type: 'group',
        key: chatKey,
        jid: null,
        subject,
        createdAt: c ? utcOf(c.header) : null,
        creatorKey,
        loc: loc(c?.line ?? 1),
      };
    } else {
      const acc = people.account(otherKey!, otherName, loc(1));
      if (acc) yield acc;
    }

    const cls = new Classifier();
    cls.prefer(fp.locale);
    const subjects = isGroup ? fp.subjects : new Set<string>();
    const seenKeys = new FingerprintSet();
    const dupCounts = new Map<string, number>();
    const mediaSeen = new Set<string>();
    const counts = { messages: 0, events: 0, mediaPresent: 0, mediaOmitted: 0, duplicates: 0, outOfOrder: 0 };
    const unclassified: { count: number; examples: string[] } = { count: 0, examples: [] };
    let lastAt = -Infinity;

    const out: ParsedRecord[] = [];
    /** Turns a finished entry into records on `out`; returns a promise only when a media file is hashed. */
    function flush(p: Pending): Promise<void> | void {
      if (p.t === 'unclassified') {
        unclassified.count++;
        if (unclassified.examples.length < EXAMPLES) unclassified.examples.push(p.raw);
        out.push({ type: 'unclassified', chatKey, raw: p.raw, reason: p.reason, loc: loc(p.line) });
        return;
      }
      if (p.at < lastAt) counts.outOfOrder++;
      lastAt = p.at;
      if (p.t === 'event') {
        const m = p.m;
        const actorKey = m.actorYou ? people.ownerKey : m.actor ? people.key(m.actor) : null;
        const named: [string, string | null][] = m.targets.map((t) => [people.key(t), t]);
        if (m.targetsYou) named.push([people.ownerKey, null]);
        if (actorKey) named.unshift([actorKey, m.actorYou ? null : m.actor]);
        for (const [k, n] of named) {
          const acc = people.account(k, n, loc(p.line));
          if (acc) out.push(acc);
        }
        counts.events++;
        const targetKeys = named.slice(actorKey ? 1 : 0).map(([k]) => k);
        const withValue = m.type === 'subject_changed' || m.type === 'created' || m.type === 'number_changed';
        out.push({
          type: 'event',
          groupKey: chatKey,
          eventType: m.type,
          actorKey,
          targetKeys,
          at: p.at,
          value: withValue ? m.value : null,
          raw: p.raw,
          loc: loc(p.line),
        });
        return;
      }
      const senderKey = people.key(p.author);
      const acc = people.account(senderKey, p.author, loc(p.line));
      if (acc) out.push(acc);
      const body = parseBody(p.text);
      if (body.placeholder === 'attached' && body.mediaName) {
        return src.media(body.mediaName).then((mf) => finishMessage(p, senderKey, body, mf));
      }
      finishMessage(p, senderKey, body, null);
    }

    function finishMessage(
      p: Pending & { t: 'message' },
      senderKey: string,
      body: Body,
      mf: MediaFile | null,
    ): void {
      let mediaSha256: string | null = null;
      let mediaStatus: MediaStatus | null = null;
      if (body.placeholder === 'omitted') mediaStatus = 'omitted';
      else if (body.placeholder === 'attached') {
        if (mf) {
          mediaSha256 = mf.digests.sha256;
          mediaStatus = 'present';
          if (!mediaSeen.has(mf.ref)) {
            mediaSeen.add(mf.ref);
            out.push({
              type: 'media',
              sha256: mf.digests.sha256,
              md5: mf.digests.md5,
              sha1: mf.digests.sha1,
              mime: mimeFromFileName(mf.ref),
              size: mf.digests.size,
              present: true,
              fileRef: mf.ref,
              loc: { kind: mf.locKind, entry: mf.ref },
            });
          }
        } else mediaStatus = 'omitted';
      }
      if (mediaStatus === 'present') counts.mediaPresent++;
      else if (mediaStatus === 'omitted') counts.mediaOmitted++;
      const minute = Math.floor(p.at / 60_000) * 60_000;
      const digest = sha16(p.text);
      const tail = `${senderKey}:${minute}:${digest}`;
      // One entry per message for the whole file (twins may lie far apart): a compact fingerprint set.
      let n = 1;
      if (!seenKeys.add(FingerprintSet.of(tail))) {
        n = (dupCounts.get(tail) ?? 1) + 1;
        dupCounts.set(tail, n);
      }
      if (n > 1) counts.duplicates++;
      counts.messages++;
      out.push({
        type: 'message',
        key: `dig:${chatKey}:${tail}${n > 1 ? `#${n}` : ''}`,
        chatKey,
        chatKind,
        senderKey,
        at: p.at,
        tz,
        kind: body.kind,
        text: body.text,
        forwarded: false,
        forwardScore: null,
        waKeyId: null,
        mediaSha256,
        mediaName: body.mediaName,
        mediaStatus,
        loc: loc(p.line),
      });
    }

    let pending: Pending | null = null;
    for await (const batch of readLines(await src.openText(), where)) {
      for (let i = 0; i < batch.lines.length; i++) {
        const raw = batch.lines[i]!;
        const line = batch.first + i;
        const h = parseHeader(raw.replace(LEADING_MARKS, ''));
        if (!h) {
          // No timestamp: the previous message goes on (multi-line); before any, keep it as unclassified.
          if (!pending) {
            if (raw.trim() === '') continue;
            pending = { t: 'unclassified', line, raw, reason: 'text before the first timestamp' };
          } else if (pending.t === 'message') pending.text += `\n${stripMarks(raw)}`;
          else pending.raw += `\n${raw}`;
          continue;
        }
        if (pending) {
          const wait = flush(pending);
          if (wait) await wait;
        }
        const at = utcOf(h);
        if (at === null) {
          pending = {
            t: 'unclassified',
            line,
            raw,
            reason: `not a calendar date in the file's order ${fp.order}`,
          };
          continue;
        }
        const c = cls.classify(h.rest, subjects, isGroup);
        if (c.k === 'event') pending = { t: 'event', line, at, m: c.m, raw };
        else if (c.k === 'message') pending = { t: 'message', line, at, author: c.author, text: c.text };
        else pending = { t: 'unclassified', line, raw, reason: c.reason };
      }
      yield* out;
      out.length = 0;
    }
    if (pending) await flush(pending);
    yield* out;
    Object.assign(notes, counts);
    notes.unclassified = unclassified;
  } finally {
    src.close();
  }
}
