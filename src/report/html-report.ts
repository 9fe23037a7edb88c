import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CaseStore } from '../store/case-store.js';
import { TOOL_VERSION } from '../version.js';
import { accountLabel, buildCaseView, groupLabel, type CaseView, type ExportAccount } from './case-view.js';
import { analystNotesSection, type ExportAnnotation } from './annotations-section.js';
import { fmtDate, fmtTime, htmlTable, page } from './html.js';
import { barsSvg, networkSvg, timelineSvg } from './svg-charts.js';
import { CATEGORY_SCHEMES, categoryCode } from '../triage/categories.js';
import { esc } from './xml.js';

/**
 * `filet report`: the case on one self-contained HTML page (inline CSS and SVG, no script, strict CSP) —
 * overview figures, the group network, weekly activity, suspects per country, ranked suspects with their
 * reasons, flagged groups and the evidence list with SHA-256s. No media of any kind is shown or embedded:
 * known material and novel media appear as counts and hashes only. Every case string is escaped.
 */
export const REPORT_SECTIONS = [
  'overview',
  'network',
  'timeline',
  'countries',
  'suspects',
  'flagged-groups',
  'triage',
  'analyst-notes',
  'evidence',
];

const figure = (value: string | number, label: string) =>
  `<div class="figure"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;

interface GroupCounts {
  firstAt?: number | null;
  lastAt?: number | null;
  categories?: Record<string, number>;
  knownPosts?: number;
  novelPosts?: number;
}

function reasons(a: ExportAccount): string {
  const list = a.reasons as { kind: string; name: string; text: string; points: number | null }[];
  return `<ul class="reasons">${list
    .map(
      (r) =>
        `<li>${r.kind === 'role' ? `<b>${esc(r.name)}</b>` : `${esc(r.name)} <span class="muted">(+${esc(r.points ?? 0)})</span>`}: ${esc(r.text)}</li>`,
    )
    .join('')}</ul>`;
}

export function renderHtmlReport(view: CaseView, opts: { suspects?: number } = {}): string {
  const { doc } = view;
  const groupsTotal = doc.groups.length;
  const flagged = doc.groups.filter((g) => g.flagged);
  const known = doc.media.filter((m) => m.status === 'known').length;
  const novel = doc.media.filter((m) => m.status === 'novel').length;
  const countries = (doc.countries as { country: string; suspects: number; accounts: number }[])
    .filter((c) => c.suspects > 0)
    .sort((a, b) => b.suspects - a.suspects || a.country.localeCompare(b.country));
  const maxSuspects = opts.suspects ?? 300;
  const shown = view.suspects.slice(0, maxSuspects);

  const overview = `<section id="overview"><h2>Overview</h2><div class="figures">
${figure(doc.evidence.length, 'evidence items')}
${figure(`${flagged.length} / ${groupsTotal}`, 'groups flagged / total')}
${figure(doc.accounts.length, 'accounts')}
${figure(doc.messageCount, 'messages')}
${figure(known, 'media: known material')}
${figure(novel, 'media: novel')}
${figure(view.suspects.length, 'suspects (accounts with a role)')}
${figure(doc.clusters.length, 'clusters')}
</div>
${view.analysed ? '' : '<p class="flag">Network analysis has not run on this case (filet analyze): no roles, scores, flags or clusters.</p>'}
<p class="note">Media are never shown in this report: known material and novel media appear as counts and hashes only.</p></section>`;

  const network = `<section id="network"><h2>Network</h2><figure>${networkSvg(view)}<figcaption>Groups (circles, size by members) placed by cluster; lines are shared members or shared media (thicker = more); flagged groups ringed in red; squares are the 15 highest-scoring suspects, placed among their groups.</figcaption></figure></section>`;

  const timeline = `<section id="timeline"><h2>Activity timeline</h2><figure>${timelineSvg(view.weekly)}<figcaption>Messages per week (weeks start Monday, UTC), ${view.weekly.length} week(s).</figcaption></figure></section>`;

  const countryBars = `<section id="countries"><h2>Suspects per country</h2><figure>${barsSvg(
    countries.map((c) => ({
      label: c.country,
      value: c.suspects,
      title: `${c.country}: ${c.suspects} suspect(s) of ${c.accounts} account(s)`,
    })),
  )}<figcaption>Country from the phone number (unresolved: no number, or one that does not resolve).</figcaption></figure></section>`;

  const suspects = `<section id="suspects"><h2>Ranked suspects</h2>
<p class="note">${view.suspects.length} account(s) with at least one role${shown.length < view.suspects.length ? `; the ${shown.length} highest-scoring shown (all are in filet export)` : ''}. Each reason names the facts behind it; their provenance is in the case export.</p>
${htmlTable(
  [
    { label: '#', num: true },
    { label: 'Identity' },
    { label: 'Country' },
    { label: 'Score', num: true },
    { label: 'Roles' },
    { label: 'Reasons' },
  ],
  shown.map((a, i) => [
    String(i + 1),
    `<span class="hash">${esc(accountLabel(a))}</span>${a.displayNames.length ? `<br><span class="muted">${esc(a.displayNames.join(', '))}</span>` : ''}`,
    esc(a.country ?? 'unresolved'),
    esc(a.score?.toFixed(1) ?? '—'),
    esc(a.roles.join(', ')),
    reasons(a),
  ]),
)}</section>`;

  const flaggedGroups = `<section id="flagged-groups"><h2>Flagged groups</h2>
<p class="note">${flagged.length} of ${groupsTotal} group(s) flagged. Dates are of the first and last material posted.</p>
${htmlTable(
  [
    { label: 'Group' },
    { label: 'Cluster', num: true },
    { label: 'Members', num: true },
    { label: 'Messages', num: true },
    { label: 'Known material', num: true },
    { label: 'Novel media', num: true },
    { label: 'First' },
    { label: 'Last' },
    { label: 'Categories' },
  ],
  flagged.map((g) => {
    const c = (view.groupAnalysis.get(g.id)?.counts ?? {}) as GroupCounts;
    return [
      `${esc(groupLabel(g))}<br><span class="muted hash">${esc(g.key)}</span>`,
      esc(g.cluster ?? '—'),
      String(g.members.length),
      String(g.messageCount),
      String(g.knownMaterialCount),
      String(g.novelMediaCount),
      esc(fmtDate(c.firstAt ?? null)),
      esc(fmtDate(c.lastAt ?? null)),
      esc(
        Object.entries(c.categories ?? {})
          .map(([k, v]) => `${k} (${v})`)
          .join(', ') || '—',
      ),
    ];
  }),
)}</section>`;

  const notes = analystNotesSection(
    doc.annotations,
    (a) => reportTargetLabel(view, a),
    'Notes, tags and bookmarks the case team marked for the report (deleted ones and those not marked are left out), by what they are about, with who wrote them and when. Media are named by SHA-256 only.',
  );

  const evidenceName = new Map(doc.evidence.map((e) => [e.id, basename(e.path)]));
  const deletedTotal = view.lineages.reduce((n, l) => n + l.deletedLater.messages, 0);
  const deleted = view.lineages.length
    ? `<section id="deleted-later"><h2>Deleted later</h2>
<p class="note">Databases read in several states (a current msgstore.db and its dated older copies). A message, event or membership <b>deleted later</b> was read from an older state and is absent from the newest one: the user (or the app) removed it between the two. ${deletedTotal} messages deleted later in all.</p>
${htmlTable(
  [
    { label: 'Database' },
    { label: 'States (oldest first)' },
    { label: 'Messages deleted later', num: true },
    { label: 'Events', num: true },
    { label: 'Memberships', num: true },
  ],
  view.lineages.map((l) => [
    `<span class="hash">${esc(l.instance)}</span>`,
    esc(l.states.map((s) => `#${s.evidenceId} ${evidenceName.get(s.evidenceId) ?? ''}`).join(' → ')),
    String(l.deletedLater.messages),
    String(l.deletedLater.events),
    String(l.deletedLater.memberships),
  ]),
)}
${
  view.deletedLater.length
    ? `<p class="note">${view.deletedLater.length < deletedTotal ? `The first ${view.deletedLater.length} of ${deletedTotal}` : `All ${deletedTotal}`} messages deleted later, in time order (all are in filet export --with-messages, field deletedLater).</p>
${htmlTable(
  [
    { label: 'At' },
    { label: 'Group / chat' },
    { label: 'Sender' },
    { label: 'Kind' },
    { label: 'Text' },
    { label: 'Absent from' },
  ],
  view.deletedLater.map((m) => {
    const g = view.groupById.get(m.chatId);
    const a = m.senderId === null ? undefined : view.accountById.get(m.senderId);
    return [
      esc(fmtDate(m.at)),
      esc(g ? groupLabel(g) : `chat ${m.chatId}`),
      esc(a ? accountLabel(a) : '—'),
      esc(m.kind),
      esc(m.text ?? ''),
      esc(`#${m.deletedLater} ${evidenceName.get(m.deletedLater!) ?? ''}`),
    ];
  }),
)}`
    : ''
}</section>`
    : '';

  const evidence = `<section id="evidence"><h2>Evidence</h2>
${htmlTable(
  [
    { label: '#', num: true },
    { label: 'File' },
    { label: 'Kind' },
    { label: 'Device' },
    { label: 'Size', num: true },
    { label: 'SHA-256' },
    { label: 'Ingested' },
  ],
  doc.evidence.map((e) => [
    String(e.id),
    `${esc(basename(e.path))}<br><span class="muted hash">${esc(e.path)}</span>`,
    esc(e.kind),
    esc(e.device),
    esc(e.size),
    `<span class="hash">${esc(e.sha256)}</span>`,
    esc(fmtDate(e.ingestedAt)),
  ]),
)}</section>`;

  const triage = triageSection(view);

  const body = `<h1>Case report — ${esc(doc.case.name ?? doc.case.id)}</h1>
<p class="meta">Case ${esc(doc.case.id)} · ${esc(doc.case.store)} store · generated ${esc(doc.generatedAt)} by ${esc(TOOL_VERSION)}</p>
${auditHeadNote(doc.case.auditHead)}
${overview}
${network}
${timeline}
${countryBars}
${suspects}
${flaggedGroups}
${triage}
${notes}
${deleted}
${evidence}`;
  return page({ title: `filet report — ${doc.case.name ?? doc.case.id}`, synthetic: view.synthetic, body });
}

/**
 * Reviews of novel media (docs/triage.md): how many carry each category, how many series were reviewed as
 * a whole and how many items were categorised alone. Counts only, like the rest of the report.
 */
function triageSection(view: CaseView): string {
  const novel = view.doc.media.filter((m) => m.status === 'novel');
  const perCategory = new Map<string, number>();
  const series = new Set<number>();
  let alone = 0;
  let categorised = 0;
  for (const m of novel) {
    const r = view.reviews.get(m.id);
    if (!r?.category) continue;
    categorised++;
    perCategory.set(r.category, (perCategory.get(r.category) ?? 0) + 1);
    if (r.seriesId != null) series.add(r.seriesId);
    else alone++;
  }
  const scheme = CATEGORY_SCHEMES[view.categoryScheme];
  const rows = [...perCategory]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c, n]) => {
      const code = categoryCode(view.categoryScheme, c);
      const label = scheme.find((x) => x.category === c)?.label ?? c;
      return [esc(code ?? '—'), esc(c), esc(label), esc(n)];
    });
  return `<section id="triage"><h2>Novel media reviewed</h2><div class="figures">
${figure(novel.length, 'novel media')}
${figure(categorised, 'novel media with a reviewed category')}
${figure(series.size, 'series reviewed as a whole')}
${figure(alone, 'items categorised alone')}
</div>
${
  rows.length
    ? htmlTable(
        [
          { label: `Code (${view.categoryScheme})` },
          { label: 'Category' },
          { label: 'Meaning' },
          { label: 'Media', num: true },
        ],
        rows,
      )
    : '<p class="note">No novel media item carries a reviewed category yet (filet triage).</p>'
}</section>`;
}

/** What an annotation is about, as the report names it (HTML). */
function reportTargetLabel(view: CaseView, a: ExportAnnotation): string {
  const written = a.writtenOn
    ? `<br><span class="muted">written on ${esc(a.writtenOn.kind)} ${esc(a.writtenOn.id)}, now part of this one</span>`
    : '';
  return targetName(view, a) + written;
}

function targetName(view: CaseView, a: ExportAnnotation): string {
  const { kind, id } = a.target;
  const groupName = (chat: number) => {
    const g = view.groupById.get(chat);
    return g ? groupLabel(g) : `chat ${chat}`;
  };
  if (kind === 'account') {
    const acc = view.accountById.get(id);
    return `account ${id}: <span class="hash">${esc(acc ? accountLabel(acc) : '—')}</span>`;
  }
  if (kind === 'chat') return `group ${id}: ${esc(groupName(id))}`;
  if (kind === 'message')
    return a.message
      ? `message ${id} in ${esc(groupName(a.message.chat))}, ${esc(fmtTime(a.message.at))}`
      : `message ${id}`;
  return `media ${id}: <span class="hash">sha256 ${esc(a.media?.sha256 ?? '—')}</span>`;
}

/** The audit head the report was written at: a copy outside the case for `filet audit verify --expect-head`. */
function auditHeadNote(head: string | null): string {
  if (!head) return '<p class="note">The audit log of this case was empty when this report was written.</p>';
  return `<p class="note">Audit head when this report was written: <span class="hash">${esc(head)}</span>. Keep this report: <code>filet audit verify CASE --expect-head ${esc(head)}</code> fails if the log was later truncated before that entry or rewritten.</p>`;
}

/** Writes the report of the case open in `store` to `out`; returns its size. */
export async function writeReport(
  store: CaseStore,
  out: string,
  opts: { suspects?: number } = {},
): Promise<{ out: string; bytes: number }> {
  const html = renderHtmlReport(await buildCaseView(store), opts);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.part`, html);
  renameSync(`${out}.part`, out);
  return { out, bytes: Buffer.byteLength(html) };
}
