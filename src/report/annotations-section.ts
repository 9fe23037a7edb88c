import type { CaseExport } from './export-json.js';
import { fmtTime, htmlTable } from './html.js';
import { esc } from './xml.js';

/**
 * The "Analyst notes" section of the HTML report and of a referral package's summary: the annotations
 * marked for the report (the case export's `annotations`, already without deleted and unmarked ones),
 * one row per target with its tags, notes and bookmarks, each with its author and time. Media appear by
 * SHA-256 only. `label` names a target as the document it goes into may name it (a referral package
 * names only what is in its scope, and is handed only annotations within it).
 */
export type ExportAnnotation = CaseExport['annotations'][number];

const KIND_ORDER = { account: 0, chat: 1, message: 2, media: 3 } as const;

export function analystNotesSection(
  annotations: readonly ExportAnnotation[],
  label: (a: ExportAnnotation) => string,
  intro: string,
): string {
  const byTarget = new Map<string, ExportAnnotation[]>();
  for (const a of annotations) {
    const k = `${a.target.kind}:${a.target.id}`;
    (byTarget.get(k) ?? byTarget.set(k, []).get(k)!).push(a);
  }
  const targets = [...byTarget.values()].sort(
    (x, y) =>
      KIND_ORDER[x[0]!.target.kind] - KIND_ORDER[y[0]!.target.kind] || x[0]!.target.id - y[0]!.target.id,
  );
  const who = (a: ExportAnnotation) =>
    `<span class="muted">${esc(a.by)}, ${esc(fmtTime(a.at))}${a.editedAt ? ` (edited ${esc(fmtTime(a.editedAt))}${a.editedBy && a.editedBy !== a.by ? ` by ${esc(a.editedBy)}` : ''})` : ''}</span>`;
  const rows = targets.map((list) => {
    const tags = list.filter((a) => a.kind === 'tag');
    const notes = list.filter((a) => a.kind !== 'tag');
    return [
      label(list[0]!),
      tags.length
        ? tags.map((t) => `<span class="tag">${esc(t.text ?? '')}</span> ${who(t)}`).join('<br>')
        : '—',
      notes.length
        ? `<ul class="notes">${notes
            .map(
              (n) =>
                `<li>${n.kind === 'bookmark' ? `<b>bookmark</b>${n.text ? `: ${esc(n.text)}` : ''}` : `<span class="note-text">${esc(n.text ?? '')}</span>`}<br>${who(n)}</li>`,
            )
            .join('')}</ul>`
        : '—',
    ];
  });
  return `<section id="analyst-notes"><h2>Analyst notes</h2>
<p class="note">${esc(intro)}</p>
${rows.length ? htmlTable([{ label: 'About' }, { label: 'Tags' }, { label: 'Notes and bookmarks' }], rows) : '<p>No notes or tags are marked for the report.</p>'}
</section>`;
}
