import { mediaStatus } from '../model/media-status.js';
import { HashListStore } from '../store/hash-list-store.js';
import { evidenceView } from '../evidence/custody.js';
import { phoneFacts } from '../jurisdiction/phone.js';
import { replayMembership } from '../model/membership.js';
import { AnalysisStore } from '../store/analysis-store.js';
import { AnnotationStore } from '../store/annotation-store.js';
import type { CaseStore } from '../store/case-store.js';
import { TOOL_VERSION } from '../version.js';

/** Version of docs/schema/case-export.schema.json that this code writes. */
export const EXPORT_SCHEMA_VERSION = '1.2.0';

export interface ExportOptions {
  /** Include every message and provenance row (large). */
  withMessages?: boolean;
  withProvenance?: boolean;
}

interface MediaAgg {
  messageCount: number;
  forwardCount: number;
  firstSeenAt: number | null;
  firstPostedBy: number | null;
  groups: Set<number>;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The case as one JSON document (docs/schema/case-export.schema.json). Fields that later analysis fills
 * (roles, scores, clusters…) are present from the start, null or empty until then.
 */
export async function buildCaseExport(store: CaseStore, opts: ExportOptions = {}) {
  // The audit head first: everything read below is at least as recent as that entry of the log.
  const auditHead = await store.auditHead();
  const info = await store.getCase();
  const evidence = await store.listEvidence();
  const accounts = await store.accounts();
  const aliases = await store.accountAliases();
  const chats = await store.chats();
  const events = await store.events();
  const media = await store.media();
  const memberships = await store.memberships();
  const matches = await store.matches();
  // Network-analysis results (filet analyze), when it has run: roles, scores, flags, clusters, countries.
  const analysis = new AnalysisStore(store);
  const analysed = (await analysis.latestRun()) !== null;
  const analysedAccounts = new Map((analysed ? await analysis.accounts() : []).map((a) => [a.accountId, a]));
  const analysedGroups = new Map((analysed ? await analysis.groups() : []).map((g) => [g.chatId, g]));
  // Analyst annotations that go out of the case: those marked for the report, not deleted (the same rule
  // as the HTML report's and the referral packages'). Messages are located by chat and time below.
  const annotations = await new AnnotationStore(store).list({ inReport: true });
  const annotatedIds = new Set(
    annotations.filter((a) => a.shownOn.kind === 'message').map((a) => a.shownOn.id),
  );
  const annotatedMessages = new Map<number, { chat: number; at: string }>();

  const msgCountByChat = new Map<number, number>();
  const mediaAgg = new Map<string, MediaAgg>();
  const senders = new Map<number, { accountId: number; at: number }[]>();
  const messages: unknown[] = [];
  let messageCount = 0;
  for await (const page of store.messages()) {
    for (const m of page) {
      messageCount++;
      if (annotatedIds.has(m.id)) annotatedMessages.set(m.id, { chat: m.chatId, at: iso(m.at)! });
      msgCountByChat.set(m.chatId, (msgCountByChat.get(m.chatId) ?? 0) + 1);
      if (m.senderId !== null) {
        const list = senders.get(m.chatId) ?? senders.set(m.chatId, []).get(m.chatId)!;
        list.push({ accountId: m.senderId, at: m.at });
      }
      if (m.mediaSha256) {
        const a = mediaAgg.get(m.mediaSha256) ?? {
          messageCount: 0,
          forwardCount: 0,
          firstSeenAt: null,
          firstPostedBy: null,
          groups: new Set<number>(),
        };
        a.messageCount++;
        if (m.forwarded) a.forwardCount++;
        a.groups.add(m.chatId);
        if (a.firstSeenAt === null || m.at < a.firstSeenAt) {
          a.firstSeenAt = m.at;
          a.firstPostedBy = m.senderId;
        }
        mediaAgg.set(m.mediaSha256, a);
      }
      if (opts.withMessages) {
        messages.push({
          id: m.id,
          chat: m.chatId,
          sender: m.senderId,
          at: iso(m.at),
          tz: m.tz,
          kind: m.kind,
          text: m.text,
          forwarded: m.forwarded,
          forwardScore: m.forwardScore,
          waKeyId: m.waKeyId,
          media: m.mediaSha256,
          mediaStatus: m.mediaStatus,
          deletedLater: m.deletedLater,
        });
      }
    }
  }

  const matchesByMedia = new Map<number, typeof matches>();
  for (const x of matches)
    (matchesByMedia.get(x.mediaId) ?? matchesByMedia.set(x.mediaId, []).get(x.mediaId)!).push(x);
  const mediaById = new Map(media.map((m) => [m.id, m]));
  const knownShas = new Set([...matchesByMedia.keys()].map((id) => mediaById.get(id)!.sha256));
  const currentLists = await new HashListStore(store).fingerprint();
  const mediaBySha = new Map(media.map((m) => [m.sha256, m]));

  const eventsByChat = new Map<number, typeof events>();
  for (const e of events)
    (eventsByChat.get(e.chatId) ?? eventsByChat.set(e.chatId, []).get(e.chatId)!).push(e);
  const snapByChat = new Map<number, typeof memberships>();
  for (const m of memberships)
    (snapByChat.get(m.chatId) ?? snapByChat.set(m.chatId, []).get(m.chatId)!).push(m);

  const groups = chats
    .filter((c) => c.kind === 'group')
    .map((c) => {
      const evs = eventsByChat.get(c.id) ?? [];
      const members = replayMembership({
        events: evs,
        snapshot: snapByChat.get(c.id) ?? [],
        senders: senders.get(c.id) ?? [],
      });
      const subjects = evs
        .filter((e) => (e.type === 'subject_changed' || e.type === 'created') && e.value)
        .map((e) => ({ subject: e.value!, at: iso(e.at), by: e.actorId }));
      let known = 0;
      let novel = 0;
      for (const [sha, a] of mediaAgg) {
        if (!a.groups.has(c.id)) continue;
        if (knownShas.has(sha)) known++;
        else if (mediaStatus(false, mediaBySha.get(sha)?.checkedLists ?? null, currentLists) === 'novel')
          novel++;
      }
      return {
        id: c.id,
        key: c.key,
        jid: c.jid,
        subject: c.subject ?? subjects[subjects.length - 1]?.subject ?? null,
        subjects,
        createdAt: iso(c.createdAt ?? evs.find((e) => e.type === 'created')?.at ?? null),
        creator: c.creatorId ?? evs.find((e) => e.type === 'created')?.actorId ?? null,
        members: members.map((m) => ({
          account: m.accountId,
          admin: m.admin,
          active: m.active,
          intervals: m.intervals.map((i) => ({ from: iso(i.from), to: iso(i.to) })),
        })),
        messageCount: msgCountByChat.get(c.id) ?? 0,
        knownMaterialCount: known,
        novelMediaCount: novel,
        flagged: (analysed ? (analysedGroups.get(c.id)?.flagged ?? false) : null) as boolean | null,
        cluster: (analysedGroups.get(c.id)?.cluster ?? null) as number | null,
      };
    });

  const exportAccounts = accounts.map((a) => {
    const facts = a.phone ? phoneFacts(a.phone) : null;
    const an = analysedAccounts.get(a.id);
    return {
      id: a.id,
      key: a.key,
      kind: a.kind,
      phone: a.phone,
      jids: aliases.jids.get(a.id) ?? [],
      displayNames: aliases.names.get(a.id) ?? [],
      country: an ? an.country : facts?.valid ? facts.country : null,
      mergedInto: a.mergedInto,
      roles: (an?.roles ?? []) as string[],
      score: (an?.score ?? null) as number | null,
      reasons: (an?.reasons ?? []) as unknown[],
    };
  });

  const provenance = opts.withProvenance ? await store.provenance() : undefined;

  return {
    $schema: 'https://filet.invalid/schema/case-export.schema.json',
    schemaVersion: EXPORT_SCHEMA_VERSION,
    generator: TOOL_VERSION,
    generatedAt: new Date().toISOString(),
    synthetic: info?.synthetic ?? false,
    case: { id: store.caseId, name: info?.name ?? null, store: store.dialect, auditHead },
    evidence: evidence.map(evidenceView),
    accounts: exportAccounts,
    groups,
    messageCount,
    media: media.map((m) => {
      const a = mediaAgg.get(m.sha256);
      return {
        id: m.id,
        sha256: m.sha256,
        md5: m.md5,
        sha1: m.sha1,
        pdq: m.pdq,
        quality: m.pdqQuality,
        mime: m.mime,
        size: m.size,
        present: m.present,
        messageCount: a?.messageCount ?? 0,
        forwardCount: a?.forwardCount ?? 0,
        firstSeenAt: iso(a?.firstSeenAt ?? null),
        firstPostedBy: a?.firstPostedBy ?? null,
        status: mediaStatus(matchesByMedia.has(m.id), m.checkedLists, currentLists),
        matches: (matchesByMedia.get(m.id) ?? []).map((x) => ({
          list: x.listName,
          entry: x.entryId,
          hashType: x.hashType,
          distance: x.distance,
          variant: x.variant,
          category: x.category,
        })),
      };
    }),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      group: e.chatId,
      actor: e.actorId,
      targets: e.targets,
      at: iso(e.at),
      value: e.value,
    })),
    annotations: annotations.map((a) => {
      const written = a.target.kind !== a.shownOn.kind || a.target.id !== a.shownOn.id;
      return {
        id: a.id,
        target: { ...a.shownOn },
        writtenOn: written ? { ...a.target } : null,
        kind: a.kind,
        text: a.text,
        by: a.by,
        at: iso(a.at)!,
        editedAt: iso(a.editedAt),
        editedBy: a.editedBy,
        message: a.shownOn.kind === 'message' ? (annotatedMessages.get(a.shownOn.id) ?? null) : null,
        media:
          a.shownOn.kind === 'media' && mediaById.has(a.shownOn.id)
            ? { sha256: mediaById.get(a.shownOn.id)!.sha256 }
            : null,
      };
    }),
    clusters: (analysed ? await analysis.clusters() : []) as unknown[],
    countries: (analysed ? await analysis.countries() : []) as unknown[],
    ...(opts.withMessages ? { messages } : {}),
    ...(provenance ? { provenance } : {}),
  };
}

export type CaseExport = Awaited<ReturnType<typeof buildCaseExport>>;
