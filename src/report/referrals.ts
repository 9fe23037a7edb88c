import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeVicsHashSet, type VicsWriteEntry } from '../matching/lists/vics-write.js';
import { UNRESOLVED } from '../jurisdiction/resolve.js';
import { AnalysisStore } from '../store/analysis-store.js';
import type { CaseStore, ProvenanceRow } from '../store/case-store.js';
import { TOOL_VERSION } from '../version.js';
import type { CaseView, ExportAccount, ExportGroup, ExportMedia } from './case-view.js';
import { analystNotesSection, type ExportAnnotation } from './annotations-section.js';
import { csvTable } from './csv-export.js';
import { fmtDate, fmtTime, htmlTable, page } from './html.js';
import { writeManifest } from './manifest.js';
import { deviceOwners, pseudonymKey, ReferralScope } from './referral-scope.js';
import { categoryCode } from '../triage/categories.js';
import { esc } from './xml.js';

/**
 * Referral packages: what one country receives. One folder per country (ISO 3166-1 alpha-2) with at least
 * one suspect, and always one `unresolved`, each with summary.html, suspects.csv, evidence.json (only the
 * records that concern that country's suspects in their flagged groups, each with its provenance),
 * hashes.vics.json (the media involved: hashes only) and MANIFEST.sha256 over every file. Media are never
 * included, known or novel: hashes, category and distance only. Everyone who is not one of the package's
 * suspects appears only as a member number with a country (referral-scope.ts, docs/referrals.md).
 */
export { UNRESOLVED };
export const PACKAGE_FILES = ['summary.html', 'suspects.csv', 'evidence.json', 'hashes.vics.json'] as const;
export const SYNTHETIC_FILE = 'SYNTHETIC.txt';

interface CountrySummary {
  country: string;
  accounts: number;
  suspects: number;
  roles: Record<string, number>;
  suspectIds: number[];
  groupIds: number[];
}

interface Referral {
  country: string;
  summary: CountrySummary;
  suspects: ExportAccount[];
  groupIds: Set<number>;
  messages: ReferralMessage[];
}

interface ReferralMessage {
  id: number;
  group: number;
  sender: number;
  at: string;
  tz: string | null;
  kind: string;
  text: string | null;
  forwarded: boolean;
  media: string | null;
  mediaStatus: string | null;
}

export interface ReferralResult {
  out: string;
  packages: {
    country: string;
    dir: string;
    suspects: number;
    groups: number;
    messages: number;
    media: number;
  }[];
}

type Prov = Omit<ProvenanceRow, 'factType' | 'factId' | 'factAux'>;

/** Provenance rows of `ids`, keyed `factId` (or `factId:factAux` for memberships). */
async function provenanceOf(store: CaseStore, type: string, ids: Iterable<number>) {
  const out = new Map<string, Prov[]>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    for (const p of await store.provenance(type, unique.slice(i, i + 500))) {
      const { factType: _t, factId, factAux, ...rest } = p;
      const k = factAux === null ? `${factId}` : `${factId}:${factAux}`;
      (out.get(k) ?? out.set(k, []).get(k)!).push(rest);
    }
  }
  return out;
}

const mediaComment = (m: ExportMedia) => {
  if (m.status !== 'known') return `novel media; sha256:${m.sha256}`;
  const cats = [...new Set(m.matches.map((x) => x.category ?? 'uncategorized'))].join(', ');
  const dist = Math.min(...m.matches.map((x) => x.distance));
  return `known material; category: ${cats}; list: ${[...new Set(m.matches.map((x) => x.list))].join(', ')}; distance ${dist}; sha256:${m.sha256}`;
};

export async function writeReferrals(
  store: CaseStore,
  view: CaseView,
  outDir: string,
): Promise<ReferralResult> {
  const { doc } = view;
  const countries = (doc.countries as unknown as CountrySummary[]).filter(
    (c) => c.suspects > 0 || c.country === UNRESOLVED,
  );
  if (!countries.some((c) => c.country === UNRESOLVED))
    countries.push({
      country: UNRESOLVED,
      accounts: 0,
      suspects: 0,
      roles: {},
      suspectIds: [],
      groupIds: [],
    });

  const referrals = new Map<string, Referral>();
  const countryOfSuspect = new Map<number, string>();
  for (const c of countries) {
    const suspects = c.suspectIds
      .map((id) => view.accountById.get(id))
      .filter((a): a is ExportAccount => !!a);
    for (const s of suspects) countryOfSuspect.set(s.id, c.country);
    referrals.set(c.country, {
      country: c.country,
      summary: c,
      suspects,
      groupIds: new Set(c.groupIds),
      messages: [],
    });
  }

  // Messages by each country's suspects in that country's groups: one pass over the case.
  for await (const pageRows of store.messages()) {
    for (const m of pageRows) {
      if (m.senderId === null) continue;
      const r = referrals.get(countryOfSuspect.get(m.senderId) ?? '');
      if (!r || !r.groupIds.has(m.chatId)) continue;
      r.messages.push({
        id: m.id,
        group: m.chatId,
        sender: m.senderId,
        at: new Date(m.at).toISOString(),
        tz: m.tz,
        kind: m.kind,
        text: m.text,
        forwarded: m.forwarded,
        media: m.mediaSha256,
        mediaStatus: m.mediaStatus,
      });
    }
  }

  const owners = deviceOwners(view);
  const key = await pseudonymKey(store);
  const analysis = new AnalysisStore(store);
  const countryReasons = new Map(
    ((await analysis.latestRun()) ? await analysis.accounts() : []).map((a) => [
      a.accountId,
      a.countryReason,
    ]),
  );

  mkdirSync(outDir, { recursive: true });
  const result: ReferralResult = { out: outDir, packages: [] };
  for (const r of referrals.values()) {
    const dir = join(outDir, r.country);
    // A package is rebuilt whole: a stale file from an earlier run must not end up under a fresh manifest.
    rmSync(dir, { recursive: true, force: true });
    const tmp = `${dir}.part`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const info = await writePackage(store, view, r, tmp, owners, key, countryReasons);
    renameSync(tmp, dir);
    result.packages.push({ country: r.country, dir, ...info });
  }
  return result;
}

/** Only ids that the package itself holds, so every reference in it resolves inside it. */
const within = (ids: unknown, keep: Set<number>) =>
  Array.isArray(ids) ? (ids as number[]).filter((id) => keep.has(id)) : [];

/** Event values that describe the group (its subject or description), not a person. */
const GROUP_VALUES = new Set(['created', 'subject_changed', 'description_changed']);

/**
 * One package, built by allow-list: every record below is constructed field by field from what the
 * package may hold (docs/referrals.md); nothing of the case export is copied whole.
 */
async function writePackage(
  store: CaseStore,
  view: CaseView,
  r: Referral,
  dir: string,
  owners: Map<string, number | null>,
  key: string,
  countryReasons: Map<number, string | null>,
) {
  const { doc } = view;
  const suspectIds = new Set(r.suspects.map((s) => s.id));
  const scope = new ReferralScope(r.country, suspectIds, view, owners, key);
  const person = (id: number | null) => scope.person(id);
  const groups = [...r.groupIds].map((id) => view.groupById.get(id)!).filter(Boolean);
  const memberships = view.memberships.filter(
    (m) => suspectIds.has(m.accountId) && r.groupIds.has(m.groupId),
  );
  const events = doc.events.filter(
    (e) =>
      r.groupIds.has(e.group) &&
      ((e.actor !== null && suspectIds.has(e.actor)) || e.targets.some((t) => suspectIds.has(t))),
  );
  const shas = new Set(r.messages.map((m) => m.media).filter((s): s is string => !!s));
  const media = [...shas].map((s) => view.mediaBySha.get(s)!).filter(Boolean);

  const prov = {
    account: await provenanceOf(store, 'account', suspectIds),
    chat: await provenanceOf(store, 'chat', r.groupIds),
    membership: await provenanceOf(store, 'membership', r.groupIds),
    message: await provenanceOf(
      store,
      'message',
      r.messages.map((m) => m.id),
    ),
    event: await provenanceOf(
      store,
      'event',
      events.map((e) => e.id),
    ),
    media: await provenanceOf(
      store,
      'media',
      media.map((m) => m.id),
    ),
  };
  const evidenceIds = new Set<number>();
  // Provenance rows are custody metadata (evidence item, table, row, line, entry): kept as they are.
  const provenance = (rows: Prov[] | undefined) =>
    (rows ?? []).map((p) => {
      evidenceIds.add(p.evidenceId);
      return {
        evidenceId: p.evidenceId,
        kind: p.kind,
        table: p.table,
        rowId: p.rowId,
        line: p.line,
        entry: p.entry,
      };
    });
  const held = {
    messages: new Set(r.messages.map((m) => m.id)),
    events: new Set(events.map((e) => e.id)),
    groups: r.groupIds,
  };
  const label = (g: ExportGroup) => packageGroupLabel(scope, g);
  const caseEvidence = new Set(doc.evidence.map((e) => e.id));

  const accounts = r.suspects.map((a) => ({
    id: a.id,
    key: scope.accountKey(a),
    kind: a.kind,
    phone: a.phone,
    jids: [...a.jids],
    displayNames: [...a.displayNames],
    country: a.country,
    mergedInto: person(a.mergedInto),
    roles: [...a.roles],
    score: a.score,
    reasons: (a.reasons as Record<string, unknown>[]).map((x) => {
      // The evidence items behind a reason are listed (custody metadata), even for facts left out here.
      const reasonEvidence = within(x.evidenceIds, caseEvidence);
      for (const id of reasonEvidence) evidenceIds.add(id);
      return {
        kind: x.kind as string,
        name: x.name as string,
        points: x.points as number | null,
        text: x.text as string,
        messageIds: within(x.messageIds, held.messages),
        eventIds: within(x.eventIds, held.events),
        groupIds: within(x.groupIds, held.groups),
        times: Array.isArray(x.times) ? (x.times as string[]).map(String) : [],
        evidenceIds: reasonEvidence,
      };
    }),
    provenance: provenance(prov.account.get(`${a.id}`)),
  }));

  const evidenceGroups = groups.map((g) => ({
    id: g.id,
    label: label(g),
    subject: g.subject,
    jid: scope.groupJid(g.jid),
    jidWithheld: g.jid !== null && scope.groupJid(g.jid) === null,
    subjects: g.subjects.map((x) => ({ subject: x.subject, at: x.at, by: person(x.by) })),
    createdAt: g.createdAt,
    creator: person(g.creator),
    messageCount: g.messageCount,
    knownMaterialCount: g.knownMaterialCount,
    novelMediaCount: g.novelMediaCount,
    flagged: g.flagged,
    cluster: g.cluster,
    members: g.members
      .filter((m) => suspectIds.has(m.account))
      .map((m) => ({
        account: m.account,
        admin: m.admin,
        active: m.active,
        intervals: m.intervals.map((i) => ({ from: i.from, to: i.to })),
      })),
    otherMembers: g.members
      .filter((m) => !suspectIds.has(m.account))
      .map((m) => ({ member: person(m.account), admin: m.admin, active: m.active })),
    provenance: provenance(prov.chat.get(`${g.id}`)),
  }));

  const evidenceMemberships = memberships.map((m) => ({
    account: m.accountId,
    group: m.groupId,
    admin: m.admin,
    active: m.active,
    firstAt: m.firstAt === null ? null : new Date(m.firstAt).toISOString(),
    lastAt: m.lastAt === null ? null : new Date(m.lastAt).toISOString(),
    events: events
      .filter((e) => e.group === m.groupId && (e.actor === m.accountId || e.targets.includes(m.accountId)))
      .map((e) => e.id),
    provenance: provenance(prov.membership.get(`${m.groupId}:${m.accountId}`)),
  }));

  // Messages: the natural key is left out (it embeds chat and sender JIDs); `id` identifies the message.
  const messages = r.messages.map((m) => ({
    id: m.id,
    group: m.group,
    sender: m.sender,
    at: m.at,
    tz: m.tz,
    kind: m.kind,
    text: m.text,
    forwarded: m.forwarded,
    media: m.media,
    mediaStatus: m.mediaStatus,
    provenance: provenance(prov.message.get(`${m.id}`)),
  }));

  const evidenceEvents = events.map((e) => ({
    id: e.id,
    type: e.type,
    group: e.group,
    actor: person(e.actor),
    targets: e.targets.map((t) => person(t)),
    at: e.at,
    // A changed number is the actor's: kept only for an own suspect. Other values describe the group.
    value:
      GROUP_VALUES.has(e.type) || (e.type === 'number_changed' && e.actor !== null && suspectIds.has(e.actor))
        ? e.value
        : null,
    provenance: provenance(prov.event.get(`${e.id}`)),
  }));

  const evidenceMedia = media.map((m) => ({
    id: m.id,
    sha256: m.sha256,
    md5: m.md5,
    sha1: m.sha1,
    pdq: m.pdq,
    quality: m.quality,
    mime: m.mime,
    size: m.size,
    present: m.present,
    messageCount: m.messageCount,
    forwardCount: m.forwardCount,
    firstSeenAt: m.firstSeenAt,
    firstPostedBy: person(m.firstPostedBy),
    status: m.status,
    matches: m.matches.map((x) => ({
      list: x.list,
      entry: x.entry,
      hashType: x.hashType,
      distance: x.distance,
      variant: x.variant,
      category: x.category,
    })),
    // An analyst's category of a novel item (docs/triage.md), as the code of the case's scheme now.
    category: reviewedCategory(view, m),
    provenance: provenance(prov.media.get(`${m.id}`)),
  }));

  // Evidence items: custody metadata only. No path (it names folders and, for exports, chat partners),
  // no reader notes (they hold the owner's number); the device by label only when its owner is of this
  // country.
  const evidence = doc.evidence
    .filter((e) => evidenceIds.has(e.id))
    .map((e) => {
      const notes = e.notes as { tz?: unknown; tzSource?: unknown };
      return {
        id: e.id,
        sha256: e.sha256,
        size: e.size,
        kind: e.kind,
        device: scope.device(e.device),
        deviceOwner: person(owners.get(e.device) ?? null),
        examiner: e.examiner,
        acquiredAt: e.acquiredAt,
        ingestedAt: e.ingestedAt,
        toolVersion: e.toolVersion,
        timeZone: typeof notes.tz === 'string' ? notes.tz : null,
        timeZoneSource: typeof notes.tzSource === 'string' ? notes.tzSource : null,
      };
    });

  // Analyst notes: only those about what this package holds (its suspects, their groups, their messages
  // here, the media of those messages), so a note on another country's suspect never reaches it. The doc's
  // annotations are already only those marked for the report; `target` is where the case shows each one
  // (a merged identity's notes on the surviving account, which is the suspect here).
  const mediaIds = new Set(media.map((m) => m.id));
  const inScope = (a: ExportAnnotation) => {
    const { kind, id } = a.target;
    if (kind === 'account') return suspectIds.has(id);
    if (kind === 'chat') return r.groupIds.has(id);
    if (kind === 'message') return held.messages.has(id);
    return mediaIds.has(id);
  };
  const annotations = doc.annotations.filter(inScope);
  const messageById = new Map(r.messages.map((m) => [m.id, m]));
  const about = (a: ExportAnnotation) => {
    const { kind, id } = a.target;
    if (kind === 'account') return { account: id };
    if (kind === 'chat') return { group: id };
    if (kind === 'message') {
      const m = messageById.get(id)!;
      return { message: id, group: m.group, at: m.at };
    }
    return { media: id, sha256: a.media?.sha256 ?? null };
  };
  const evidenceAnnotations = annotations.map((a) => ({
    id: a.id,
    about: about(a),
    kind: a.kind,
    text: a.text,
    by: a.by,
    at: a.at,
    editedAt: a.editedAt,
  }));

  const evidenceDoc = {
    schema: 'filet-referral-evidence/2',
    generator: TOOL_VERSION,
    generatedAt: new Date().toISOString(),
    synthetic: view.synthetic,
    case: { id: doc.case.id, name: doc.case.name, auditHead: doc.case.auditHead ?? null },
    country: r.country,
    accounts,
    groups: evidenceGroups,
    memberships: evidenceMemberships,
    messages,
    events: evidenceEvents,
    media: evidenceMedia,
    evidence,
    annotations: evidenceAnnotations,
    // Everyone this file refers to who is not one of its suspects, by member number.
    otherPeople: scope.members(),
  };

  writeFileSync(join(dir, 'evidence.json'), JSON.stringify(evidenceDoc, null, 2) + '\n');
  writeFileSync(join(dir, 'suspects.csv'), '\uFEFF' + suspectsCsv(view, scope, r, memberships));
  const unresolvedWhy = new Map<string, number>();
  for (const s of r.suspects) {
    const why = countryReasons.get(s.id);
    if (r.country === UNRESOLVED && why) unresolvedWhy.set(why, (unresolvedWhy.get(why) ?? 0) + 1);
  }
  writeFileSync(
    join(dir, 'summary.html'),
    summaryHtml(view, scope, r, groups, media, memberships.length, unresolvedWhy, annotations),
  );
  const vics: VicsWriteEntry[] = media
    .filter((m) => m.md5)
    .map((m) => ({
      md5: m.md5!,
      sha1: m.sha1,
      size: m.size,
      mimeType: m.mime,
      pdq: m.pdq,
      mediaId: m.sha256,
      comments: mediaComment(m),
      category: reviewedCategory(view, m)?.code ?? null,
    }));
  await writeVicsHashSet(join(dir, 'hashes.vics.json'), vics, { synthetic: view.synthetic });
  if (view.synthetic)
    writeFileSync(
      join(dir, SYNTHETIC_FILE),
      'SYNTHETIC: this referral package was produced from a case generated by code for testing and demonstration.\n' +
        'It contains no real people, no real phone numbers and no real material.\n',
    );
  await writeManifest(dir, { caseId: doc.case.id, auditHead: doc.case.auditHead });
  return {
    suspects: r.suspects.length,
    groups: groups.length,
    messages: r.messages.length,
    media: media.length,
  };
}

/** The reviewed category of a novel media item of the package; null when it has none. */
function reviewedCategory(view: CaseView, m: ExportMedia) {
  const r = view.reviews.get(m.id);
  if (m.status !== 'novel' || !r?.category) return null;
  return {
    category: r.category,
    code: categoryCode(view.categoryScheme, r.category),
    scheme: view.categoryScheme,
    series: r.seriesId ?? null,
  };
}

/** A group as a package names it: subject, else its JID when that names no one else, else its id. */
function packageGroupLabel(scope: ReferralScope, g: ExportGroup): string {
  return g.subject ?? scope.groupJid(g.jid) ?? `group ${g.id}`;
}

/** What an annotation in this package is about, named as the package names it (HTML). */
function packageTargetLabel(view: CaseView, scope: ReferralScope, r: Referral, a: ExportAnnotation): string {
  const { kind, id } = a.target;
  const group = (gid: number) => {
    const g = view.groupById.get(gid);
    return g ? packageGroupLabel(scope, g) : `group ${gid}`;
  };
  if (kind === 'account') {
    const acc = view.accountById.get(id);
    return `<span class="hash">${esc(acc ? scope.accountLabel(acc) : `account ${id}`)}</span>`;
  }
  if (kind === 'chat') return `group: ${esc(group(id))}`;
  if (kind === 'message') {
    const m = r.messages.find((x) => x.id === id);
    return m ? `message ${id} in ${esc(group(m.group))}, ${esc(fmtTime(m.at))}` : `message ${id}`;
  }
  return `media: <span class="hash">sha256 ${esc(a.media?.sha256 ?? '—')}</span>`;
}

function suspectsCsv(
  view: CaseView,
  scope: ReferralScope,
  r: Referral,
  memberships: CaseView['memberships'],
): string {
  return csvTable(
    [
      'account_id',
      'label',
      'phone',
      'display_names',
      'country',
      'roles',
      'score',
      'groups',
      'reasons',
      'synthetic',
    ],
    r.suspects.map((a) => [
      scope.accountKey(a),
      scope.accountLabel(a),
      a.phone,
      a.displayNames.join('; '),
      a.country,
      a.roles.join('; '),
      a.score,
      memberships
        .filter((m) => m.accountId === a.id)
        .map((m) => {
          const g = view.groupById.get(m.groupId);
          return g ? packageGroupLabel(scope, g) : `group ${m.groupId}`;
        })
        .join('; '),
      (a.reasons as { text?: string; name?: string }[]).map((x) => `${x.name}: ${x.text}`).join(' | '),
      view.synthetic,
    ]),
  );
}

const ROLE_ORDER = ['producer', 'distributor', 'admin', 'recruiter', 'bridge', 'consumer'];

function summaryHtml(
  view: CaseView,
  scope: ReferralScope,
  r: Referral,
  groups: CaseView['doc']['groups'],
  media: ExportMedia[],
  membershipCount: number,
  unresolvedWhy: Map<string, number>,
  annotations: ExportAnnotation[],
): string {
  const vicsCount = media.filter((m) => m.md5).length;
  const known = media.filter((m) => m.status === 'known').length;
  const novel = media.filter((m) => m.status === 'novel').length;
  const title = r.country === UNRESOLVED ? 'Unresolved jurisdiction' : `Country ${r.country}`;
  const roles = ROLE_ORDER.filter((x) => r.summary.roles[x]).map((x) => `${x} ${r.summary.roles[x]}`);
  const reasonsList = (a: ExportAccount) =>
    `<ul class="reasons">${(a.reasons as { kind: string; name: string; text: string }[])
      .filter((x) => x.kind === 'role')
      .map((x) => `<li><b>${esc(x.name)}</b>: ${esc(x.text)}</li>`)
      .join('')}</ul>`;
  const byRole = ROLE_ORDER.map((role) => {
    const list = r.suspects.filter((s) => s.roles.includes(role));
    if (!list.length) return '';
    return `<h3>${esc(role)} (${list.length})</h3>${htmlTable(
      [{ label: 'Identity' }, { label: 'Score', num: true }, { label: 'All roles' }, { label: 'Reasons' }],
      list.map((a) => [
        `<span class="hash">${esc(scope.accountLabel(a))}</span><br><span class="muted">${esc(scope.accountKey(a))}</span>`,
        esc(a.score?.toFixed(1) ?? '—'),
        esc(a.roles.join(', ')),
        reasonsList(a),
      ]),
    )}`;
  }).join('\n');
  const groupRows = groups.map((g) => {
    const an = view.groupAnalysis.get(g.id)?.counts as { firstAt?: number; lastAt?: number } | undefined;
    const members = g.members.filter((m) => r.suspects.some((s) => s.id === m.account)).length;
    return [
      esc(packageGroupLabel(scope, g)) + (g.flagged ? ' <span class="flag">flagged</span>' : ''),
      esc(fmtDate(g.createdAt)),
      esc(fmtDate(an?.firstAt ?? null)),
      esc(fmtDate(an?.lastAt ?? null)),
      String(members),
      String(g.knownMaterialCount),
      String(g.novelMediaCount),
    ];
  });
  // Counted over this package's suspects only: the case-wide counts name other identities' numbers.
  const unresolvedNote = unresolvedWhy.size
    ? `<p>Why these suspects have no country: ${esc(
        [...unresolvedWhy]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([k, v]) => `${k} (${v})`)
          .join(', '),
      )}.</p>`
    : '';
  const body = `
<h1>Referral package — ${esc(title)}</h1>
<p class="meta">Case ${esc(view.doc.case.name ?? view.doc.case.id)} · generated ${esc(new Date().toISOString())} by ${esc(TOOL_VERSION)} · audit head <span class="hash">${esc(view.doc.case.auditHead ?? 'none')}</span></p>
<section id="overview"><h2>Overview</h2>
<div class="figures">
<div class="figure"><b>${r.suspects.length}</b><span>suspects</span></div>
<div class="figure"><b>${groups.length}</b><span>flagged groups involved</span></div>
<div class="figure"><b>${membershipCount}</b><span>memberships</span></div>
<div class="figure"><b>${r.messages.length}</b><span>messages by these suspects in these groups</span></div>
<div class="figure"><b>${known}</b><span>known material items (hashes)</span></div>
<div class="figure"><b>${novel}</b><span>novel media items (hashes)</span></div>
</div>
<p>Roles: ${esc(roles.join(', ') || 'none')}. ${unresolvedNote}</p>
${
  media.length > vicsCount
    ? `<p class="note">${media.length - vicsCount} media item(s) are known by SHA-256 only (the file was not in the evidence): a VICS record needs an MD5, so they are listed in evidence.json only.</p>`
    : ''
}
<p class="note">Media are not included in this package, neither known material nor novel media: hashes.vics.json lists their hashes (MD5, SHA-1, PDQ; SHA-256 in Comments) with the category and match distance of known material. Every record in evidence.json carries its provenance (evidence item and location). People who are not suspects of this package appear only as a member number with their country (“member 17”, AR), and seized devices of other countries as a device number; the numbers hold within this package only. MANIFEST.sha256 lists the SHA-256 of every file (check with <code>sha256sum -c MANIFEST.sha256</code>).</p>
</section>
<section id="suspects"><h2>Suspects by role</h2>
${byRole || '<p>No suspects.</p>'}
</section>
<section id="groups"><h2>Groups involved</h2>
${
  groupRows.length
    ? htmlTable(
        [
          { label: 'Group' },
          { label: 'Created' },
          { label: 'First material' },
          { label: 'Last material' },
          { label: 'Suspects (this package)', num: true },
          { label: 'Known material', num: true },
          { label: 'Novel media', num: true },
        ],
        groupRows,
      )
    : '<p>None.</p>'
}
</section>
${analystNotesSection(
  annotations,
  (a) => packageTargetLabel(view, scope, r, a),
  'Notes and tags of the investigating team about this package’s suspects, their groups, their messages and media here (the same records are in evidence.json, “annotations”). Media are named by SHA-256 only.',
)}`;
  return page({ title: `filet referral — ${title}`, synthetic: view.synthetic, body });
}
