import { createHash } from 'node:crypto';
import type { CaseStore } from '../store/case-store.js';
import {
  AnnotationError,
  AnnotationStore,
  formatTarget,
  type AnnotationChange,
  type AnnotationFilter,
  type AnnotationRow,
  type NewAnnotation,
  type TagCount,
} from '../store/annotation-store.js';
import { UserStore } from '../store/user-store.js';

/**
 * Notes, tags and bookmarks as the CLI (`filet annotate`, `filet note` …) and the API
 * (`/api/cases/:caseId/annotations`) add, change, delete and list them (docs/annotations.md). Each change
 * and its audit entry commit in one transaction: the caller hands in how it audits (`AuditedRun`: the CLI's
 * `auditedChange` with its policy, the server's `ctx.audited`), the action, arguments and summary are here.
 *
 * Who may change what: anyone the caller lets annotate adds; editing or deleting an annotation is for its
 * author or a lead of the case. The audit entries name the target, the kind and the text's SHA-256 and
 * length, not the text: the auditor reads the log and never case content (docs/security-server.md).
 */
export type AuditedRun = <T>(
  action: string,
  args: Record<string, unknown>,
  change: (s: CaseStore) => Promise<T>,
  summary: (r: T) => Record<string, unknown>,
) => Promise<T>;

/** Who makes the change: their name, and whether they lead the case (then they may change anyone's). */
export interface Annotator {
  name: string;
  lead: boolean;
}

const digest = (text: string | null | undefined) =>
  text === null || text === undefined
    ? {}
    : { textSha256: createHash('sha256').update(text, 'utf8').digest('hex'), textLength: [...text].length };

const summary = (a: AnnotationRow) => ({
  annotation: a.id,
  target: formatTarget(a.target),
  ...(formatTarget(a.shownOn) !== formatTarget(a.target) ? { shownOn: formatTarget(a.shownOn) } : {}),
  kind: a.kind,
  author: a.by,
  inReport: a.inReport,
  // What was stored (normalised), so the entry's hash is of the record's text.
  ...digest(a.text),
});

export function addAnnotation(
  run: AuditedRun,
  who: Annotator,
  input: NewAnnotation,
  at = Date.now(),
): Promise<AnnotationRow> {
  return run(
    'annotation.add',
    {
      target: formatTarget(input.target),
      kind: input.kind,
      ...(input.inReport !== undefined ? { inReport: input.inReport } : {}),
    },
    (s) => new AnnotationStore(s).add(input, { by: who.name, at }),
    summary,
  );
}

/** The author or a lead; anyone else is refused (403), inside the change's transaction. */
async function mayChange(s: CaseStore, who: Annotator, id: number, verb: string): Promise<AnnotationRow> {
  const a = await new AnnotationStore(s).live(id);
  if (a.by !== who.name && !who.lead)
    throw new AnnotationError(
      `only its author (${a.by}) or a lead of the case may ${verb} annotation ${id}`,
      403,
    );
  return a;
}

export function editAnnotation(
  run: AuditedRun,
  who: Annotator,
  id: number,
  change: AnnotationChange,
  at = Date.now(),
): Promise<AnnotationRow> {
  let before: AnnotationRow | null = null;
  return run(
    'annotation.edit',
    {
      annotation: id,
      ...(change.text !== undefined ? { text: digest(change.text ?? '') } : {}),
      ...(change.inReport !== undefined ? { inReport: change.inReport } : {}),
    },
    async (s) => {
      before = await mayChange(s, who, id, 'edit');
      return new AnnotationStore(s).update(id, change, { by: who.name, at });
    },
    (a) => ({
      ...summary(a),
      before: { inReport: before!.inReport, ...digest(before!.text) },
    }),
  );
}

export function deleteAnnotation(
  run: AuditedRun,
  who: Annotator,
  id: number,
  at = Date.now(),
): Promise<AnnotationRow> {
  return run(
    'annotation.delete',
    { annotation: id },
    async (s) => {
      await mayChange(s, who, id, 'delete');
      return new AnnotationStore(s).softDelete(id, { by: who.name, at });
    },
    summary,
  );
}

export function listAnnotations(store: CaseStore, filter: AnnotationFilter): Promise<AnnotationRow[]> {
  return new AnnotationStore(store).list(filter);
}

export function tagSummary(store: CaseStore): Promise<TagCount[]> {
  return new AnnotationStore(store).tags();
}

/**
 * On the CLI, who leads: the actor is a lead when the case's own users (`filet user add … --role lead`)
 * name them so. A CLI user reaches the case's files directly; the rule keeps colleagues' notes from being
 * changed by mistake, it is not a barrier against someone who holds the database.
 */
export async function cliAnnotator(store: CaseStore, name: string): Promise<Annotator> {
  const user = await new UserStore(store).getUser(name);
  return { name, lead: user?.role === 'lead' && user.disabledAt === null };
}
