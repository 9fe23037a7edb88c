import type { Command } from 'commander';
import { auditedChange, cliPolicy } from '../../app/audited.js';
import {
  addAnnotation,
  cliAnnotator,
  deleteAnnotation,
  editAnnotation,
  listAnnotations,
  tagSummary,
  type AuditedRun,
} from '../../app/annotations.js';
import { annotationView } from '../../server/services/annotations.js';
import {
  ANNOTATION_KINDS,
  AnnotationStore,
  formatTarget,
  normaliseTag,
  parseTarget,
  type AnnotationKind,
  type AnnotationRow,
  type Target,
} from '../../store/annotation-store.js';
import type { CaseStore } from '../../store/case-store.js';
import { UserError } from '../../util/errors.js';
import { actor, auditedRead, printJson, withCase } from '../context.js';

/**
 * Notes, tags and bookmarks from the command line (src/app/annotations.ts, docs/annotations.md):
 * `filet annotate note|tag|bookmark|edit|delete|list|tags`, and the short forms `filet note`, `filet tag`,
 * `filet bookmark`, `filet notes`. The actor is FILET_USER or the OS account, or `--actor`; editing or
 * deleting someone else's annotation needs a lead of the case's own users by that name.
 */
interface TargetOptions {
  account?: string;
  group?: string;
  message?: string;
  media?: string;
}
interface Common {
  store?: string;
  json?: boolean;
  actor?: string;
}
interface ReportOptions {
  includeInReport?: boolean;
  excludeFromReport?: boolean;
}

function targetOf(o: TargetOptions, required: true): Target;
function targetOf(o: TargetOptions, required: false): Target | undefined;
function targetOf(o: TargetOptions, required: boolean): Target | undefined {
  const given = (['account', 'group', 'message', 'media'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1)
    throw new UserError(`give one target, not ${given.map((k) => `--${k}`).join(' and ')}`);
  if (!given.length) {
    if (required)
      throw new UserError('say what it is about: --account ID, --group ID, --message ID or --media ID');
    return undefined;
  }
  const k = given[0]!;
  return parseTarget(`${k === 'group' ? 'chat' : k}:${o[k]!.trim()}`);
}

function inReportOf(o: ReportOptions): boolean | undefined {
  if (o.includeInReport && o.excludeFromReport)
    throw new UserError('give --include-in-report or --exclude-from-report, not both');
  return o.includeInReport ? true : o.excludeFromReport ? false : undefined;
}

function who(o: Common): string {
  if (o.actor !== undefined && !o.actor.trim()) throw new UserError('--actor must name someone');
  return o.actor?.trim() ?? actor();
}

const runOn =
  (store: CaseStore, name: string): AuditedRun =>
  (action, args, change, summary) =>
    auditedChange(store, { ...cliPolicy(), actor: name }, action, args, change, summary);

const iso = (ms: number) => new Date(ms).toISOString();
const oneLine = (s: string | null) =>
  (s === null ? '' : s.length > 70 ? `${s.slice(0, 69)}…` : s).replace(/\n/g, ' ⏎ ');

function describe(a: AnnotationRow): string {
  const on = formatTarget(a.shownOn);
  const written = on === formatTarget(a.target) ? '' : ` (written on ${formatTarget(a.target)})`;
  const text = a.kind === 'bookmark' ? (a.text ? ` "${oneLine(a.text)}"` : '') : ` "${oneLine(a.text)}"`;
  return `#${a.id} ${a.kind} on ${on}${written}${text} — ${a.by}, ${iso(a.at)}${a.editedAt ? ` (edited by ${a.editedBy})` : ''}${a.inReport ? '' : ' [not in report]'}`;
}

function withTargets(c: Command): Command {
  return c
    .option('--account <id>', 'an account (identity) id')
    .option('--group <id>', 'a chat (group or one-to-one) id')
    .option('--message <id>', 'a message id')
    .option('--media <id>', 'a media item id');
}

function withCommon(c: Command): Command {
  return c
    .option(
      '--actor <name>',
      'who writes it, for the record and the audit log (default: FILET_USER or the OS account)',
    )
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output');
}

function withReport(c: Command): Command {
  return c
    .option('--include-in-report', 'include it in the report and referral packages')
    .option('--exclude-from-report', 'keep it out of the report and referral packages');
}

async function add(
  dir: string,
  kind: AnnotationKind,
  texts: (string | null)[],
  o: TargetOptions & Common & ReportOptions,
): Promise<void> {
  const target = targetOf(o, true);
  const inReport = inReportOf(o);
  const name = who(o);
  const out = await withCase(dir, o, async ({ store }) => {
    const annotator = await cliAnnotator(store, name);
    const done: { added: AnnotationRow[]; skipped: string[] } = { added: [], skipped: [] };
    // Tagging is idempotent on the command line: a tag the target already carries is said and skipped.
    const present =
      kind === 'tag'
        ? new Set(
            (await new AnnotationStore(store).list({ kind: 'tag', target })).map((t) =>
              t.text!.toLowerCase(),
            ),
          )
        : new Set<string>();
    for (const text of texts) {
      if (kind === 'tag') {
        const { key } = normaliseTag(text ?? '');
        if (present.has(key)) {
          done.skipped.push(text!);
          continue;
        }
        present.add(key);
      }
      done.added.push(await addAnnotation(runOn(store, name), annotator, { target, kind, text, inReport }));
    }
    return done;
  });
  if (o.json) return printJson({ added: out.added.map(annotationView), skipped: out.skipped });
  for (const a of out.added) console.log(`added ${describe(a)}`);
  for (const t of out.skipped) console.log(`${formatTarget(target)} already has the tag "${t}": skipped`);
}

async function edit(
  dir: string,
  id: number,
  text: string | undefined,
  o: Common & ReportOptions,
): Promise<void> {
  const inReport = inReportOf(o);
  if (text === undefined && inReport === undefined)
    throw new UserError('nothing to change: give the new text, --include-in-report or --exclude-from-report');
  const name = who(o);
  const a = await withCase(dir, o, async ({ store }) =>
    editAnnotation(runOn(store, name), await cliAnnotator(store, name), id, { text, inReport }),
  );
  if (o.json) return printJson(annotationView(a));
  console.log(`edited ${describe(a)}`);
}

async function remove(dir: string, id: number, o: Common): Promise<void> {
  const name = who(o);
  const a = await withCase(dir, o, async ({ store }) =>
    deleteAnnotation(runOn(store, name), await cliAnnotator(store, name), id),
  );
  if (o.json) return printJson(annotationView(a));
  console.log(`deleted #${a.id} (${a.kind} on ${formatTarget(a.shownOn)}); the record stays for the audit`);
}

async function list(dir: string, o: TargetOptions & Common & { kind?: string; tag?: string }): Promise<void> {
  const target = targetOf(o, false);
  if (o.kind !== undefined && !(ANNOTATION_KINDS as readonly string[]).includes(o.kind))
    throw new UserError(`--kind must be one of ${ANNOTATION_KINDS.join(', ')}, got "${o.kind}"`);
  const filter = { target, kind: o.kind as AnnotationKind | undefined, tag: o.tag };
  const rows = await withCase(dir, o, ({ store }) =>
    auditedRead(
      store,
      'view.annotations',
      { target: target && formatTarget(target), kind: o.kind, tag: o.tag },
      () => listAnnotations(store, filter),
      (r) => ({ total: r.length }),
    ),
  );
  if (o.json) return printJson({ total: rows.length, items: rows.map(annotationView) });
  if (!rows.length) return console.log('no annotations');
  for (const a of rows) console.log(describe(a));
}

const parseId = (v: string, what: string) => {
  if (!/^[1-9]\d{0,15}$/.test(v))
    throw new UserError(`${what} must be an annotation id (a positive integer), got "${v}"`);
  return Number(v);
};

function defineNote(c: Command): Command {
  return withReport(withCommon(withTargets(c)))
    .argument('<case>', 'the case folder')
    .argument('[text]', 'the note (up to 4000 characters; quote it)')
    .option('--edit <id>', 'replace the text of note ID')
    .option('--delete <id>', 'delete annotation ID (note, tag or bookmark; the record stays for the audit)')
    .addHelpText(
      'after',
      '\nExamples:\n  filet note ./op-x --account 12 "admin of both groups; same number as in the contact card"\n' +
        '  filet note ./op-x --edit 4 "corrected text"\n  filet note ./op-x --delete 4',
    )
    .action(
      async (
        dir: string,
        text: string | undefined,
        o: TargetOptions & Common & ReportOptions & { edit?: string; delete?: string },
      ) => {
        if (o.delete !== undefined) {
          if (o.edit !== undefined || text !== undefined)
            throw new UserError('--delete takes no text and no --edit');
          return remove(dir, parseId(o.delete, '--delete'), o);
        }
        if (o.edit !== undefined) return edit(dir, parseId(o.edit, '--edit'), text, o);
        if (text === undefined)
          throw new UserError("give the note's text (quoted), or --edit ID / --delete ID");
        return add(dir, 'note', [text], o);
      },
    );
}

function defineTag(c: Command): Command {
  return withReport(withCommon(withTargets(c)))
    .argument('<case>', 'the case folder')
    .argument('<tags...>', 'tag names: letters, digits, -, _ and spaces, up to 40 characters each')
    .addHelpText('after', '\nExample:\n  filet tag ./op-x --account 12 producer-confirmed "priority A"')
    .action((dir: string, tags: string[], o: TargetOptions & Common & ReportOptions) =>
      add(dir, 'tag', tags, o),
    );
}

function defineBookmark(c: Command): Command {
  return withReport(withCommon(withTargets(c)))
    .argument('<case>', 'the case folder')
    .option('--label <text>', 'a short label')
    .addHelpText(
      'after',
      '\nBookmarks stay out of the report unless --include-in-report.\nExample:\n  filet bookmark ./op-x --message 77 --label "first post of the series"',
    )
    .action((dir: string, o: TargetOptions & Common & ReportOptions & { label?: string }) =>
      add(dir, 'bookmark', [o.label ?? null], o),
    );
}

function defineList(c: Command): Command {
  return withCommon(withTargets(c))
    .argument('<case>', 'the case folder')
    .option('--kind <kind>', 'note, tag or bookmark')
    .option('--tag <name>', 'only annotations on targets carrying this tag')
    .addHelpText('after', '\nExamples:\n  filet notes ./op-x\n  filet notes ./op-x --account 12 --json')
    .action((dir: string, o: TargetOptions & Common & { kind?: string; tag?: string }) => list(dir, o));
}

export function register(program: Command): void {
  const annotate = program
    .command('annotate')
    .description(
      'notes, tags and bookmarks on accounts, groups, messages and media (audited; docs/annotations.md)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  filet annotate note ./op-x --account 12 "admin of both groups"\n  filet annotate list ./op-x --tag producer',
    );
  defineNote(annotate.command('note').description('add, edit or delete a note'));
  defineTag(annotate.command('tag').description('tag a target (a tag it already has is skipped)'));
  defineBookmark(annotate.command('bookmark').description('bookmark a target'));
  withReport(withCommon(annotate.command('edit')))
    .description(
      'change an annotation: its text (note body, tag name, bookmark label) or whether it is in the report',
    )
    .argument('<case>', 'the case folder')
    .argument('<id>', 'the annotation id')
    .argument('[text]', 'the new text')
    .addHelpText(
      'after',
      '\nExamples:\n  filet annotate edit ./op-x 4 "corrected text"\n  filet annotate edit ./op-x 9 --include-in-report',
    )
    .action((dir: string, id: string, text: string | undefined, o: Common & ReportOptions) =>
      edit(dir, parseId(id, 'the id'), text, o),
    );
  withCommon(annotate.command('delete'))
    .description('delete an annotation (the record stays for the audit; lists and reports leave it out)')
    .argument('<case>', 'the case folder')
    .argument('<id>', 'the annotation id')
    .addHelpText('after', '\nExample:\n  filet annotate delete ./op-x 4')
    .action((dir: string, id: string, o: Common) => remove(dir, parseId(id, 'the id'), o));
  defineList(annotate.command('list').description('list annotations'));
  withCommon(annotate.command('tags'))
    .description('every tag in use, with how many targets carry it')
    .argument('<case>', 'the case folder')
    .addHelpText('after', '\nExample:\n  filet annotate tags ./op-x --json')
    .action(async (dir: string, o: Common) => {
      const tags = await withCase(dir, o, ({ store }) => tagSummary(store));
      if (o.json) return printJson({ items: tags });
      if (!tags.length) return console.log('no tags');
      for (const t of tags) console.log(`${String(t.count).padStart(5)}  ${t.name}`);
    });
  for (const c of annotate.commands) c.exitOverride();

  // The short forms.
  defineNote(program.command('note').description('add, edit or delete a note (= filet annotate note)'));
  defineTag(
    program.command('tag').description('tag an account, group, message or media item (= filet annotate tag)'),
  );
  defineBookmark(program.command('bookmark').description('bookmark a target (= filet annotate bookmark)'));
  defineList(program.command('notes').description('list notes, tags and bookmarks (= filet annotate list)'));
}
