import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type {
  KeywordAccountHits,
  KeywordGroupHits,
  KeywordHits,
  KeywordImported,
  KeywordList,
} from '../api/contract.js';
import { canonicalizer } from '../model/canonical.js';
import { parseQuery, toTsquery } from '../search/query.js';
import type { CaseStore } from '../store/case-store.js';
import { KeywordStore, type KeywordListRow, type NewKeywordTerm } from '../store/keyword-store.js';
import { UserError } from '../util/errors.js';

/**
 * Keyword lists (docs/keywords.md), shared by `filet keywords` and `/api/cases/:caseId/keywords`: import
 * (a file or an upload; every term parsed by the search parser, all or nothing), and the hits of the lists
 * in the case as it stands, per account (the person, as merges stand) and per chat. The change and its
 * audit entry commit together: callers run `writeKeywordList` / `deleteKeywordList` inside `audited` /
 * `ctx.audited`.
 */
export const MAX_TERMS = 10_000;
const MAX_NAME = 100;
const MAX_CATEGORY = 64;
const LANGUAGE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/;
/** Where a term came from: its line in the file, or its place in an upload. */
type Place = { line: number; where: string };
export const UNCATEGORIZED = 'uncategorized';
const MESSAGE_IDS_SHOWN = 100;

export interface KeywordListInput {
  name: string;
  category?: string | null;
  language?: string | null;
}

/** A list ready to be written: terms validated, with its provenance. */
export interface ParsedKeywordList {
  name: string;
  category: string | null;
  language: string | null;
  sourcePath: string;
  sourceSha256: string;
  synthetic: boolean;
  terms: NewKeywordTerm[];
  duplicates: number;
}

const clean = (v: string | null | undefined) => {
  const t = v?.trim();
  return t ? t : null;
};

function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw new UserError('a keyword list needs a name (--name)');
  if (n.length > MAX_NAME) throw new UserError(`keyword list name: longer than ${MAX_NAME} characters`);
  if (/\p{Cc}/u.test(n)) throw new UserError('keyword list name: control characters are not allowed');
  return n;
}

function checkCategory(v: string | null, at: string): string | null {
  if (v === null) return null;
  if (v.length > MAX_CATEGORY) throw new UserError(`${at}: category longer than ${MAX_CATEGORY} characters`);
  if (/\p{Cc}/u.test(v)) throw new UserError(`${at}: control characters in the category`);
  return v;
}

function checkLanguage(v: string | null, at: string): string | null {
  if (v === null) return null;
  const l = v.toLowerCase();
  if (!LANGUAGE.test(l))
    throw new UserError(`${at}: language "${v}" is not a language code (ISO 639, e.g. es, pt-br)`);
  return l;
}

/** One CSV record on one line (RFC 4180 quoting: `"` doubled inside a quoted field). */
export function splitCsvLine(line: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return 'a quoted field is not closed';
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') return 'text after the closing quote of a field';
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      field = line.slice(i, end);
      if (field.includes('"'))
        return 'a quote inside an unquoted field (quote the whole field, doubling its quotes)';
      i = end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

const CSV_HEADER = /^term\s*(,\s*category\s*)?(,\s*language\s*)?$/i;

/**
 * Validates the terms (each one search query, src/search/query.ts) and builds the list. Every problem is
 * collected; any problem refuses the whole list (nothing imported), naming the place and the problem.
 */
function buildList(
  input: KeywordListInput,
  raw: { text: string; category: string | null; language: string | null; place: Place }[],
  source: { path: string; sha256: string; synthetic: boolean; file?: string },
): ParsedKeywordList {
  const name = checkName(input.name);
  const category = checkCategory(clean(input.category), 'the list');
  const language = checkLanguage(clean(input.language), 'the list');
  const problems: { place: Place; problem: string }[] = [];
  const terms: NewKeywordTerm[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const r of raw) {
    try {
      const text = r.text.trim();
      if (!text) throw new UserError('no term');
      const q = parseQuery(text);
      const termCategory = checkCategory(r.category, 'the term') ?? category;
      const termLanguage = checkLanguage(r.language, 'the term') ?? language;
      // Two spellings of one query ("Niño", "nino") find the same messages: the first one is kept.
      const key = toTsquery(q);
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      terms.push({ term: text, category: termCategory, language: termLanguage, line: r.place.line });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      problems.push({ place: r.place, problem: err.message.replace(/^search query(, )?:?\s*/, '') });
    }
  }
  const file = source.file ?? source.path;
  if (problems.length === 1 && source.file) {
    const p = problems[0]!;
    throw new UserError(`bad term: ${p.problem}; nothing imported`, { file, line: p.place.line });
  }
  if (problems.length === 1) {
    const p = problems[0]!;
    throw new UserError(`bad term ${p.place.where}: ${p.problem}; nothing imported`);
  }
  if (problems.length)
    throw new UserError(
      `${file}: ${problems.length} bad terms — ${problems
        .slice(0, 10)
        .map((p) => `${p.place.where}: ${p.problem}`)
        .join('; ')}${problems.length > 10 ? '; …' : ''}; nothing imported`,
    );
  if (!terms.length) throw new UserError(`${file}: the list has no terms; nothing imported`);
  if (terms.length > MAX_TERMS) throw new UserError(`${file}: more than ${MAX_TERMS} terms; split the list`);
  return {
    name,
    category,
    language,
    sourcePath: source.path,
    sourceSha256: source.sha256,
    synthetic: source.synthetic,
    terms,
    duplicates,
  };
}

/**
 * Reads a keyword list file: UTF-8, one term a line, `#` starts a comment line (a comment with the word
 * SYNTHETIC marks the list as generated test data); or CSV when the first line that is not a comment is the
 * header `term,category,language` (the last two optional; an empty cell takes the list's default).
 */
export function readKeywordFile(file: string, input: KeywordListInput): ParsedKeywordList {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new UserError('no such file or not readable', { file: path });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.includes('\uFFFD')) throw new UserError('not UTF-8 text', { file: path });
  let synthetic = false;
  let csv: boolean | null = null;
  const raw: Parameters<typeof buildList>[1] = [];
  const csvProblems: string[] = [];
  text.split(/\r?\n/).forEach((lineText, i) => {
    const line = i + 1;
    const t = lineText.trim();
    if (!t) return;
    if (t.startsWith('#')) {
      if (/\bSYNTHETIC\b/.test(t)) synthetic = true;
      return;
    }
    if (csv === null) {
      csv = CSV_HEADER.test(t);
      if (csv) return;
    }
    const place = { line, where: `line ${line}` };
    if (!csv) {
      raw.push({ text: t, category: null, language: null, place });
      return;
    }
    const fields = splitCsvLine(lineText);
    if (typeof fields === 'string') return void csvProblems.push(`line ${line}: ${fields}`);
    if (fields.length > 3)
      return void csvProblems.push(`line ${line}: ${fields.length} fields (term,category,language at most)`);
    raw.push({ text: fields[0]!, category: clean(fields[1]), language: clean(fields[2]), place });
  });
  if (csvProblems.length)
    throw new UserError(`${path}: ${csvProblems.slice(0, 10).join('; ')}; nothing imported`);
  return buildList(input, raw, { path, sha256, synthetic, file: path });
}

/** An upload (POST …/keywords): the terms as given; its SHA-256 is that of the terms, one a line. */
export function keywordUpload(
  input: KeywordListInput & { terms: string[]; synthetic?: boolean },
): ParsedKeywordList {
  const sha256 = createHash('sha256')
    .update(input.terms.map((t) => t + '\n').join(''))
    .digest('hex');
  return buildList(
    input,
    input.terms.map((text, i) => ({
      text,
      category: null,
      language: null,
      place: { line: i + 1, where: `${i + 1} (${JSON.stringify(text.slice(0, 60))})` },
    })),
    { path: '(upload)', sha256, synthetic: input.synthetic ?? false },
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

export function listView(l: KeywordListRow): KeywordList {
  return {
    id: l.id,
    name: l.name,
    category: l.category,
    language: l.language,
    terms: l.termCount,
    source: { path: l.sourcePath, sha256: l.sourceSha256 },
    synthetic: l.synthetic,
    importedBy: l.importedBy,
    importedAt: iso(l.importedAt),
  };
}

/** Writes the list (replacing the one of its name); `s` is the transaction the audit entry commits with. */
export async function writeKeywordList(
  s: CaseStore,
  parsed: ParsedKeywordList,
  who: { by: string; at: number },
): Promise<KeywordImported> {
  const { terms, duplicates, ...meta } = parsed;
  const r = await new KeywordStore(s).replaceList({ ...meta, importedBy: who.by, importedAt: who.at }, terms);
  return { list: listView(r.list), replaced: r.replaced, duplicates };
}

export const importArgs = (p: ParsedKeywordList) => ({
  name: p.name,
  category: p.category,
  language: p.language,
  source: p.sourcePath,
  sha256: p.sourceSha256,
});
export const importSummary = (r: KeywordImported) => ({
  list: r.list.id,
  terms: r.list.terms,
  replaced: r.replaced,
  duplicates: r.duplicates,
  synthetic: r.list.synthetic,
});

/** Deletes a list by id; a UserError when there is none. `s` as for `writeKeywordList`. */
export async function deleteKeywordList(s: CaseStore, id: number): Promise<KeywordList> {
  const gone = await new KeywordStore(s).deleteList(id);
  if (!gone) throw new UserError(`there is no keyword list ${id} in this case`);
  return listView(gone);
}

export async function keywordLists(store: CaseStore): Promise<KeywordList[]> {
  return (await new KeywordStore(store).lists()).map(listView);
}

function label(phone: string | null, key: string, names: string[]): string {
  const name = names[0];
  if (phone) return name ? `${phone} (${name})` : phone;
  return name ?? key;
}

const bump = (r: Record<string, Set<number>>, k: string, id: number) => (r[k] ??= new Set()).add(id);
const counts = (r: Record<string, Set<number>>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.size]));

/**
 * What the lists (all, or the one named) find in the case now: per term, list and category, per person
 * (a sender and every account merged with it count as one) and per chat. Counts are distinct messages.
 */
export async function keywordHits(store: CaseStore, listName?: string): Promise<KeywordHits> {
  const kw = new KeywordStore(store);
  const lists = await kw.lists();
  let only: KeywordListRow | undefined;
  if (listName !== undefined) {
    only = lists.find((l) => l.name === listName);
    if (!only) throw new UserError(`there is no keyword list "${listName}" in this case`);
  }
  const hits = await kw.hits(only?.id);
  const accounts = await store.accounts();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const canon = canonicalizer(accounts);
  const { names } = await store.accountAliases();
  const chats = new Map((await store.chats()).map((c) => [c.id, c]));

  const all = new Set<number>();
  const perList = new Map<number, Set<number>>();
  const perCategory: Record<string, Set<number>> = {};
  type Acc = {
    messages: Set<number>;
    terms: Set<number>;
    lists: Record<string, Set<number>>;
    categories: Record<string, Set<number>>;
    groups: Set<number>;
  };
  type Grp = {
    messages: Set<number>;
    senders: Set<number>;
    lists: Record<string, Set<number>>;
    categories: Record<string, Set<number>>;
  };
  const acc = new Map<number, Acc>();
  const grp = new Map<number, Grp>();
  for (const h of hits) {
    const cat = h.term.category ?? UNCATEGORIZED;
    for (const m of h.messages) {
      all.add(m.id);
      (perList.get(h.list.id) ?? perList.set(h.list.id, new Set()).get(h.list.id)!).add(m.id);
      bump(perCategory, cat, m.id);
      const g =
        grp.get(m.chatId) ??
        grp
          .set(m.chatId, { messages: new Set(), senders: new Set(), lists: {}, categories: {} })
          .get(m.chatId)!;
      g.messages.add(m.id);
      bump(g.lists, h.list.name, m.id);
      bump(g.categories, cat, m.id);
      if (m.senderId === null) continue;
      const person = canon(m.senderId);
      g.senders.add(person);
      const a =
        acc.get(person) ??
        acc
          .set(person, {
            messages: new Set(),
            terms: new Set(),
            lists: {},
            categories: {},
            groups: new Set(),
          })
          .get(person)!;
      a.messages.add(m.id);
      a.terms.add(h.term.id);
      bump(a.lists, h.list.name, m.id);
      bump(a.categories, cat, m.id);
      a.groups.add(m.chatId);
    }
  }
  const personNames = (root: number) => {
    const merged = accounts
      .filter((a) => a.id !== root && canon(a.id) === root)
      .flatMap((a) => names.get(a.id) ?? []);
    return [...new Set([...(names.get(root) ?? []), ...merged])];
  };
  const ids = (s: Set<number>) => [...s].sort((a, b) => a - b).slice(0, MESSAGE_IDS_SHOWN);
  const accountsOut: KeywordAccountHits[] = [...acc]
    .map(([id, a]) => {
      const row = byId.get(id);
      return {
        id,
        display: row ? label(row.phone, row.key, personNames(id)) : `#${id}`,
        messages: a.messages.size,
        terms: a.terms.size,
        lists: counts(a.lists),
        categories: counts(a.categories),
        groupIds: [...a.groups].sort((x, y) => x - y),
        messageIds: ids(a.messages),
      };
    })
    .sort((x, y) => y.messages - x.messages || x.id - y.id);
  const groupsOut: KeywordGroupHits[] = [...grp]
    .map(([id, g]) => ({
      id,
      subject: chats.get(id)?.subject ?? null,
      kind: chats.get(id)?.kind ?? null,
      messages: g.messages.size,
      senders: g.senders.size,
      lists: counts(g.lists),
      categories: counts(g.categories),
      messageIds: ids(g.messages),
    }))
    .sort((x, y) => y.messages - x.messages || x.id - y.id);
  return {
    list: only?.name ?? null,
    messages: all.size,
    lists: (only ? [only] : lists).map((l) => ({ ...listView(l), messages: perList.get(l.id)?.size ?? 0 })),
    categories: Object.entries(perCategory)
      .map(([category, s]) => ({ category, messages: s.size }))
      .sort((a, b) => b.messages - a.messages || a.category.localeCompare(b.category)),
    terms: hits.map((h) => ({
      id: h.term.id,
      listId: h.list.id,
      list: h.list.name,
      term: h.term.term,
      category: h.term.category,
      language: h.term.language,
      line: h.term.line,
      messages: h.messages.length,
    })),
    accounts: accountsOut,
    groups: groupsOut,
  };
}

export const hitsSummary = (r: KeywordHits) => ({
  messages: r.messages,
  accounts: r.accounts.length,
  groups: r.groups.length,
});
