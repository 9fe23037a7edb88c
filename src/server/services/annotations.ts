import type { Annotation, AnnotationTags, Page } from '../../api/contract.js';
import type { AnnotationRow, TagCount } from '../../store/annotation-store.js';
import { iso, isoAt } from './paging.js';

/** Annotations as the API answers them (src/api/contract.ts): times as ISO strings. */
export function annotationView(a: AnnotationRow): Annotation {
  return {
    id: a.id,
    target: { ...a.target },
    shownOn: { ...a.shownOn },
    kind: a.kind,
    text: a.text,
    inReport: a.inReport,
    by: a.by,
    at: isoAt(a.at),
    editedAt: iso(a.editedAt),
    editedBy: a.editedBy,
    deletedAt: iso(a.deletedAt),
    deletedBy: a.deletedBy,
  };
}

export function annotationPage(rows: AnnotationRow[], offset: number, limit: number): Page<Annotation> {
  return {
    total: rows.length,
    offset,
    limit,
    items: rows.slice(offset, offset + limit).map(annotationView),
  };
}

export function tagsView(tags: TagCount[]): AnnotationTags {
  return { items: tags.map((t) => ({ ...t, byKind: { ...t.byKind } })) };
}
