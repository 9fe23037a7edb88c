import { canonicalizer } from '../model/canonical.js';
import { UserError } from '../util/errors.js';
import type { CaseStore } from './case-store.js';
import type { Param } from './driver.js';

/**
 * Notes, tags and bookmarks that analysts put on accounts, chats, messages and media (migration 17,
 * docs/annotations.md). This store keeps the rules a record must satisfy (the target exists, lengths, tag
 * names); who may change what, and the audit entry of each change, are the app layer's
 * (src/app/annotations.ts). Deleting keeps the row (deleted_at/deleted_by) for the audit; lists leave it out.
 *
 * A target is shown where the case now has it: an account merged into another shows its annotations on
 * the surviving account, a chat linked into another (src/store/chat-links.ts) on that chat, a message
 * joined into another copy by a merge (src/store/fact-joins.ts) on the kept copy. Undoing the merge shows
 * them on the original again: nothing is rewritten, the resolution is made on every read.
 */
export const TARGET_KINDS = ['account', 'chat', 'message', 'media'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
export const ANNOTATION_KINDS = ['note', 'tag', 'bookmark'] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

export const NOTE_MAX = 4000;
export const TAG_MAX = 40;
export const LABEL_MAX = 200;

export interface Target {
  kind: TargetKind;
  id: number;
}

export interface AnnotationRow {
  id: number;
  /** The target as it was written. */
  target: Target;
  /** Where the case now shows it (after identity merges, chat links and message joins): usually `target`. */
  shownOn: Target;
  kind: AnnotationKind;
  /** A note's body, a tag's name, a bookmark's label (null: a bookmark without one). */
  text: string | null;
  inReport: boolean;
  by: string;
  at: number;
  editedAt: number | null;
  editedBy: string | null;
  deletedAt: number | null;
  deletedBy: string | null;
}

export interface NewAnnotation {
  target: Target;
  kind: AnnotationKind;
  text?: string | null;
  /** Default: notes and tags true, bookmarks false. */
  inReport?: boolean;
}

export interface AnnotationChange {
  text?: string | null;
  inReport?: boolean;
}

export interface AnnotationFilter {
  target?: Target;
  kind?: AnnotationKind;
  /** A tag name (matched case-insensitively): annotations on targets that carry this tag. */
  tag?: string;
  /** Only those to include in the report and referral packages. */
  inReport?: boolean;
}

export interface TagCount {
  /** The tag as first written. */
  name: string;
  /** The name folded to lower case: what makes two tags one. */
  key: string;
  /** Targets that carry it (each counted once, after merges). */
  count: number;
  byKind: Record<TargetKind, number>;
}

/** Why an annotation was refused; `status` is what the web server answers (the CLI prints the message). */
export class AnnotationError extends UserError {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409,
  ) {
    super(message);
  }
}

// Control characters: none in tags and labels; a note may hold line breaks and tabs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// eslint-disable-next-line no-control-regex
const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
// Bidirectional overrides and isolates make a text read otherwise than it is stored.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;
const TAG_CHARS = /^[\p{L}\p{N}_\- ]+$/u;

const chars = (s: string) => [...s].length;

/** A tag name as stored: NFC, trimmed, inner runs of spaces made one. Throws when it is not a tag name. */
export function normaliseTag(raw: string): { name: string; key: string } {
  const name = raw.normalize('NFC').trim().replace(/ {2,}/g, ' ');
  if (!name) throw new AnnotationError('a tag name cannot be empty', 400);
  if (chars(name) > TAG_MAX)
    throw new AnnotationError(`tag "${name.slice(0, 50)}…" is longer than ${TAG_MAX} characters`, 400);
  if (!TAG_CHARS.test(name))
    throw new AnnotationError(
      `tag "${name.replace(CONTROL, '?')}" may hold only letters, digits, -, _ and spaces`,
      400,
    );
  return { name, key: name.toLowerCase() };
}

function noteText(raw: string | null | undefined): string {
  const text = (raw ?? '').normalize('NFC').replace(/\r\n?/g, '\n');
  if (!text.trim()) throw new AnnotationError('a note needs a text', 400);
  if (chars(text) > NOTE_MAX)
    throw new AnnotationError(`a note is at most ${NOTE_MAX} characters (this one: ${chars(text)})`, 400);
  if (NOTE_CONTROL.test(text) || BIDI.test(text))
    throw new AnnotationError('a note may not hold control characters (line breaks and tabs are fine)', 400);
  return text;
}

function labelText(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const text = raw.normalize('NFC').trim();
  if (!text) return null;
  if (chars(text) > LABEL_MAX)
    throw new AnnotationError(`a bookmark label is at most ${LABEL_MAX} characters`, 400);
  if (CONTROL.test(text) || BIDI.test(text))
    throw new AnnotationError('a bookmark label is one line without control characters', 400);
  return text;
}

/** The stored text (and tag key) of an annotation of `kind`, validated. */
function textOf(
  kind: AnnotationKind,
  raw: string | null | undefined,
): { text: string | null; key: string | null } {
  if (kind === 'note') return { text: noteText(raw), key: null };
  if (kind === 'bookmark') return { text: labelText(raw), key: null };
  const t = normaliseTag(raw ?? '');
  return { text: t.name, key: t.key };
}

/** `account:12` → { kind: 'account', id: 12 }; throws on anything else. */
export function parseTarget(s: string): Target {
  const m = /^(account|chat|group|message|media):([1-9]\d{0,15})$/.exec(s.trim());
  const id = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(id))
    throw new AnnotationError(`target "${s}" is not kind:id (account:12, chat:3, message:77, media:5)`, 400);
  return { kind: (m[1] === 'group' ? 'chat' : m[1]) as TargetKind, id };
}

export const formatTarget = (t: Target) => `${t.kind}:${t.id}`;

const TABLE: Record<TargetKind, string> = {
  account: 'accounts',
  chat: 'chats',
  message: 'messages',
  media: 'media',
};

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export class AnnotationStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get c() {
    return this.store.caseId;
  }

  async targetExists(t: Target): Promise<boolean> {
    return !!(await this.db.get(`SELECT 1 AS x FROM ${TABLE[t.kind]} WHERE case_id = ? AND id = ?`, [
      this.c,
      t.id,
    ]));
  }

  /** Adds an annotation; `who.at` is epoch ms. Run inside the transaction its audit entry commits in. */
  async add(a: NewAnnotation, who: { by: string; at: number }): Promise<AnnotationRow> {
    if (!(TARGET_KINDS as readonly string[]).includes(a.target.kind))
      throw new AnnotationError(`unknown target kind "${a.target.kind}"`, 400);
    if (!(ANNOTATION_KINDS as readonly string[]).includes(a.kind))
      throw new AnnotationError(`unknown annotation kind "${a.kind}"`, 400);
    if (!(await this.targetExists(a.target)))
      throw new AnnotationError(`no ${a.target.kind} ${a.target.id} in this case`, 400);
    const { text, key } = textOf(a.kind, a.text);
    if (key !== null) await this.refuseDuplicateTag(a.target, key, null);
    const last = await this.db.get<{ m: number | null }>(
      'SELECT MAX(id) AS m FROM annotations WHERE case_id = ?',
      [this.c],
    );
    const id = Number(last?.m ?? 0) + 1;
    const inReport = a.inReport ?? a.kind !== 'bookmark';
    await this.db.run(
      `INSERT INTO annotations (case_id, id, target_kind, target_id, kind, text, tag_key, in_report, by_user, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [this.c, id, a.target.kind, a.target.id, a.kind, text, key, inReport ? 1 : 0, who.by, who.at],
    );
    return (await this.get(id))!;
  }

  /** One annotation, deleted or not (null: no such id in this case). */
  async get(id: number): Promise<AnnotationRow | null> {
    const r = await this.db.get<Record<string, unknown>>(
      'SELECT * FROM annotations WHERE case_id = ? AND id = ?',
      [this.c, id],
    );
    if (!r) return null;
    const [row] = await this.resolve([r]);
    return row!;
  }

  /** The live annotation `id`, or the error the caller answers with. */
  async live(id: number): Promise<AnnotationRow> {
    const a = await this.get(id);
    if (!a) throw new AnnotationError(`no annotation ${id} in this case`, 404);
    if (a.deletedAt !== null) throw new AnnotationError(`annotation ${id} was deleted`, 404);
    return a;
  }

  /** Changes a live annotation's text (a note's body, a tag's name, a bookmark's label) or its in_report. */
  async update(
    id: number,
    change: AnnotationChange,
    who: { by: string; at: number },
  ): Promise<AnnotationRow> {
    const a = await this.live(id);
    if (change.text === undefined && change.inReport === undefined)
      throw new AnnotationError('nothing to change: give a text or inReport', 400);
    let text = a.text;
    let key: string | null = a.kind === 'tag' ? a.text!.toLowerCase() : null;
    if (change.text !== undefined) {
      ({ text, key } = textOf(a.kind, change.text));
      if (key !== null) await this.refuseDuplicateTag(a.target, key, id);
    }
    const inReport = change.inReport ?? a.inReport;
    await this.db.run(
      `UPDATE annotations SET text = ?, tag_key = ?, in_report = ?, edited_at = ?, edited_by = ?
       WHERE case_id = ? AND id = ? AND deleted_at IS NULL`,
      [text, key, inReport ? 1 : 0, who.at, who.by, this.c, id],
    );
    return (await this.get(id))!;
  }

  /** Marks a live annotation deleted; the row stays. */
  async softDelete(id: number, who: { by: string; at: number }): Promise<AnnotationRow> {
    await this.live(id);
    await this.db.run(
      'UPDATE annotations SET deleted_at = ?, deleted_by = ? WHERE case_id = ? AND id = ? AND deleted_at IS NULL',
      [who.at, who.by, this.c, id],
    );
    return (await this.get(id))!;
  }

  /** Live annotations, oldest first, filtered; a target filter matches where they are shown (`shownOn`). */
  async list(f: AnnotationFilter = {}): Promise<AnnotationRow[]> {
    const where = ['case_id = ?', 'deleted_at IS NULL'];
    const params: Param[] = [this.c];
    if (f.kind) {
      where.push('kind = ?');
      params.push(f.kind);
    }
    if (f.inReport !== undefined) {
      where.push('in_report = ?');
      params.push(f.inReport ? 1 : 0);
    }
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT * FROM annotations WHERE ${where.join(' AND ')} ORDER BY at, id`,
      params,
    );
    let out = await this.resolve(rows);
    if (f.target) {
      const [shown] = await this.resolveTargets([f.target]);
      out = out.filter((a) => a.shownOn.kind === shown!.kind && a.shownOn.id === shown!.id);
    }
    if (f.tag !== undefined) {
      const key = normaliseTag(f.tag).key;
      const tagged = new Set(
        (await this.list({ kind: 'tag' }))
          .filter((t) => t.text!.toLowerCase() === key)
          .map((t) => formatTarget(t.shownOn)),
      );
      out = out.filter((a) => tagged.has(formatTarget(a.shownOn)));
    }
    return out;
  }

  /** Every live tag with how many targets carry it, most used first. */
  async tags(): Promise<TagCount[]> {
    const by = new Map<string, { name: string; targets: Map<string, TargetKind> }>();
    for (const t of await this.list({ kind: 'tag' })) {
      const key = t.text!.toLowerCase();
      const e = by.get(key) ?? by.set(key, { name: t.text!, targets: new Map() }).get(key)!;
      e.targets.set(formatTarget(t.shownOn), t.shownOn.kind);
    }
    return [...by]
      .map(([key, e]) => {
        const byKind = { account: 0, chat: 0, message: 0, media: 0 };
        for (const k of e.targets.values()) byKind[k]++;
        return { name: e.name, key, count: e.targets.size, byKind };
      })
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }

  private async refuseDuplicateTag(target: Target, key: string, except: number | null): Promise<void> {
    // Compared where the tags are shown, so a merged identity does not end up with the same tag twice.
    const [shown] = await this.resolveTargets([target]);
    const same = (await this.list({ kind: 'tag' })).find(
      (t) =>
        t.id !== except &&
        t.text!.toLowerCase() === key &&
        t.shownOn.kind === shown!.kind &&
        t.shownOn.id === shown!.id,
    );
    if (same)
      throw new AnnotationError(
        `${formatTarget(shown!)} already has the tag "${same.text}" (annotation ${same.id})`,
        409,
      );
  }

  private async resolve(rows: Record<string, unknown>[]): Promise<AnnotationRow[]> {
    const targets = rows.map((r) => ({ kind: r.target_kind as TargetKind, id: Number(r.target_id) }));
    const shown = await this.resolveTargets(targets);
    return rows.map((r, i) => ({
      id: Number(r.id),
      target: targets[i]!,
      shownOn: shown[i]!,
      kind: r.kind as AnnotationKind,
      text: (r.text as string | null) ?? null,
      inReport: Number(r.in_report) === 1,
      by: String(r.by_user),
      at: Number(r.at),
      editedAt: num(r.edited_at),
      editedBy: (r.edited_by as string | null) ?? null,
      deletedAt: num(r.deleted_at),
      deletedBy: (r.deleted_by as string | null) ?? null,
    }));
  }

  /** Where the case now shows each target (see the class comment). */
  async resolveTargets(targets: Target[]): Promise<Target[]> {
    const c = this.c;
    const ids = (kind: TargetKind) => [...new Set(targets.filter((t) => t.kind === kind).map((t) => t.id))];
    const marks = (n: number) => Array(n).fill('?').join(',');
    const account = targets.some((t) => t.kind === 'account')
      ? canonicalizer(await this.store.accounts())
      : (id: number) => id;
    // Chats linked away: their row is gone and chat_links says which chat they became (a chain at most).
    const links = new Map<number, number>();
    if (ids('chat').length)
      for (const r of await this.db.all<{ from_chat: number; into_chat: number }>(
        'SELECT from_chat, into_chat FROM chat_links WHERE case_id = ?',
        [c],
      ))
        links.set(Number(r.from_chat), Number(r.into_chat));
    const chat = (id: number) => {
      let cur = id;
      for (let hops = 0; links.has(cur) && hops < 64; hops++) cur = links.get(cur)!;
      return cur;
    };
    // Messages joined into another copy: gone from `messages`, their kept copy in fact_joins.
    const joined = new Map<number, number>();
    const messageIds = ids('message');
    for (let i = 0; i < messageIds.length; i += 500) {
      const part = messageIds.slice(i, i + 500);
      for (const r of await this.db.all<{ absorbed_id: number; kept_id: number }>(
        `SELECT absorbed_id, kept_id FROM fact_joins WHERE case_id = ? AND fact_type = 'message'
           AND absorbed_id IN (${marks(part.length)})`,
        [c, ...part],
      ))
        joined.set(Number(r.absorbed_id), Number(r.kept_id));
    }
    const message = (id: number) => {
      let cur = id;
      for (let hops = 0; joined.has(cur) && hops < 64; hops++) cur = joined.get(cur)!;
      return cur;
    };
    return targets.map((t) => ({
      kind: t.kind,
      id:
        t.kind === 'account'
          ? account(t.id)
          : t.kind === 'chat'
            ? chat(t.id)
            : t.kind === 'message'
              ? message(t.id)
              : t.id,
    }));
  }
}
