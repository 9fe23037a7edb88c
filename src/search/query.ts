import { UserError } from '../util/errors.js';

/**
 * The search syntax (docs/search.md), parsed once and translated for each engine:
 *
 *   niño papel        both words (AND)
 *   "sin papeles"     the exact phrase (its words, in this order, next to each other)
 *   pap*              a word starting with "pap" (two characters at least)
 *   -papel  -"a b"    without that word / phrase
 *   foto OR video     either (OR binds tighter than AND: `a OR b c` is `(a OR b) AND c`)
 *
 * Words are compared without accents and case. A word is a run of letters and digits; anything else
 * separates words (a bare `img-2024.jpg` is the phrase "img 2024 jpg"). `OR` is an operator only in
 * capitals. Anything else (parentheses, a lone `-` or `*`, an unclosed quote, nothing but exclusions) is
 * refused with a UserError that says what is wrong and where.
 */

/** One term: a word, a phrase of several words, or a word's prefix. Tokens are normalized (see `normalize`). */
export interface Term {
  kind: 'word' | 'phrase' | 'prefix';
  tokens: string[];
}

/** Terms joined by OR; excluded (NOT) when `negated`. */
export interface Clause {
  negated: boolean;
  any: Term[];
}

/** Clauses joined by AND. At least one clause is not negated. */
export interface SearchQuery {
  text: string;
  clauses: Clause[];
}

export const MAX_QUERY_LENGTH = 500;
const MAX_TERMS = 32;
const MIN_PREFIX = 2;

/** Lower case, without diacritics (what FTS5's `remove_diacritics 2` and PostgreSQL's unaccent do). */
export function normalize(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The words of a text as the index sees them, normalized, with their offsets in `text` (UTF-16). */
export function words(text: string): { token: string; start: number; end: number }[] {
  const out: { token: string; start: number; end: number }[] = [];
  // Offsets are taken on the original text; each word is normalized on its own.
  for (const m of text.matchAll(WORD)) {
    const token = normalize(m[0]);
    // A word that normalizes to several (a ligature) or to nothing keeps its place either way.
    for (const t of token.match(WORD) ?? [])
      out.push({ token: t, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const tokensOf = (s: string) => normalize(s).match(WORD) ?? [];

function bad(query: string, at: number, problem: string): never {
  throw new UserError(`search query, at character ${at + 1}: ${problem} (in: ${query})`);
}

interface Lexeme {
  at: number;
  negated: boolean;
  term: Term | 'OR';
}

function lex(query: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    const at = i;
    let negated = false;
    if (c === '-') {
      negated = true;
      i++;
      if (i >= query.length || /\s/u.test(query[i]!))
        bad(query, at, 'a "-" must be followed by the word or "phrase" to exclude');
    }
    if (query[i] === '(' || query[i] === ')')
      bad(
        query,
        i,
        'parentheses are not supported: words are joined by AND, and OR joins the two terms around it',
      );
    if (query[i] === '"') {
      const close = query.indexOf('"', i + 1);
      if (close < 0) bad(query, i, 'the quote is not closed');
      const tokens = tokensOf(query.slice(i + 1, close));
      if (!tokens.length) bad(query, i, 'the phrase has no words (letters or digits)');
      i = close + 1;
      if (query[i] === '*') bad(query, i, 'a prefix (*) goes after a single word, not after a phrase');
      out.push({ at, negated, term: { kind: tokens.length > 1 ? 'phrase' : 'word', tokens } });
      continue;
    }
    let end = i;
    while (end < query.length && !/[\s"()]/u.test(query[end]!)) end++;
    const raw = query.slice(i, end);
    i = end;
    if (raw === 'OR' && !negated) {
      out.push({ at, negated, term: 'OR' });
      continue;
    }
    const prefix = raw.endsWith('*');
    const body = prefix ? raw.slice(0, -1) : raw;
    if (body.includes('*')) bad(query, at, 'a "*" may only end a word (a prefix)');
    const tokens = tokensOf(body);
    if (!tokens.length) {
      if (prefix) bad(query, at, 'a "*" must end a word of at least two letters or digits');
      // Punctuation on its own ("…", "&") is no word: nothing to look for.
      if (negated) bad(query, at, 'nothing to exclude after "-" (no letters or digits)');
      continue;
    }
    if (prefix) {
      if (tokens.length > 1) bad(query, at, 'a prefix (*) must end a single word');
      if (tokens[0]!.length < MIN_PREFIX)
        bad(query, at, `a prefix needs at least ${MIN_PREFIX} letters or digits before the "*"`);
      out.push({ at, negated, term: { kind: 'prefix', tokens } });
    } else out.push({ at, negated, term: { kind: tokens.length > 1 ? 'phrase' : 'word', tokens } });
  }
  return out;
}

/** Parses a query; throws a UserError naming the problem and where it is. */
export function parseQuery(text: string): SearchQuery {
  if (text.length > MAX_QUERY_LENGTH)
    throw new UserError(`search query: longer than ${MAX_QUERY_LENGTH} characters`);
  const lexemes = lex(text);
  const clauses: Clause[] = [];
  let pendingOr: Lexeme | null = null;
  for (const l of lexemes) {
    if (l.term === 'OR') {
      if (!clauses.length || pendingOr) bad(text, l.at, 'OR must stand between two terms');
      if (clauses.at(-1)!.negated) bad(text, l.at, 'an excluded term (-) cannot be part of an OR');
      pendingOr = l;
      continue;
    }
    if (pendingOr) {
      if (l.negated) bad(text, l.at, 'an excluded term (-) cannot be part of an OR');
      clauses.at(-1)!.any.push(l.term);
      pendingOr = null;
    } else clauses.push({ negated: l.negated, any: [l.term] });
  }
  if (pendingOr) bad(text, pendingOr.at, 'OR must stand between two terms');
  if (!clauses.length) throw new UserError('search query: no words to look for (letters or digits)');
  if (clauses.every((c) => c.negated))
    throw new UserError('search query: only exclusions (-…); give at least one word to look for');
  if (clauses.reduce((n, c) => n + c.any.length, 0) > MAX_TERMS)
    throw new UserError(`search query: more than ${MAX_TERMS} terms`);
  return { text, clauses };
}

// ---- engines --------------------------------------------------------------------------------------------

// Tokens hold letters and digits only (WORD), so they need no escaping in either syntax; quoting them in
// FTS5 still keeps a word such as "or", "and", "not" or "near" from reading as an operator.
function fts5Term(t: Term): string {
  if (t.kind === 'prefix') return `"${t.tokens[0]}"*`;
  return `"${t.tokens.join(' ')}"`;
}

/** The FTS5 MATCH expression (sent as a parameter). */
export function toFts5(q: SearchQuery): string {
  const clause = (c: Clause) =>
    c.any.length > 1 ? `(${c.any.map(fts5Term).join(' OR ')})` : fts5Term(c.any[0]!);
  let expr = q.clauses
    .filter((c) => !c.negated)
    .map(clause)
    .join(' AND ');
  // FTS5's NOT is binary: (positive) NOT x NOT y.
  for (const c of q.clauses.filter((x) => x.negated)) expr = `(${expr}) NOT ${clause(c)}`;
  return expr;
}

function tsTerm(t: Term): string {
  if (t.kind === 'prefix') return `${t.tokens[0]}:*`;
  return t.tokens.length > 1 ? `(${t.tokens.join(' <-> ')})` : t.tokens[0]!;
}

/** The text of a PostgreSQL tsquery (sent as a parameter to `to_tsquery`). */
export function toTsquery(q: SearchQuery): string {
  return q.clauses
    .map((c) => {
      const any = c.any.length > 1 ? `(${c.any.map(tsTerm).join(' | ')})` : tsTerm(c.any[0]!);
      return c.negated ? `!${any}` : any;
    })
    .join(' & ');
}

// ---- snippets -------------------------------------------------------------------------------------------

/** The spans of `text` (UTF-16 offsets) that the query's positive terms match, in order. */
export function matchSpans(q: SearchQuery, text: string): [number, number][] {
  const ws = words(text);
  const hit = new Array<boolean>(ws.length).fill(false);
  const spans: [number, number][] = [];
  for (const c of q.clauses) {
    if (c.negated) continue;
    for (const t of c.any) {
      const n = t.tokens.length;
      for (let i = 0; i + n <= ws.length; i++) {
        const ok =
          t.kind === 'prefix'
            ? ws[i]!.token.startsWith(t.tokens[0]!)
            : t.tokens.every((tok, k) => ws[i + k]!.token === tok);
        if (!ok) continue;
        for (let k = 0; k < n; k++) hit[i + k] = true;
      }
    }
  }
  for (let i = 0; i < ws.length; i++) {
    if (!hit[i]) continue;
    const last = spans.at(-1);
    // Adjacent words of one phrase become one span when only spaces lie between them.
    if (last && hit[i - 1] && /^\s*$/u.test(text.slice(last[1], ws[i]!.start))) last[1] = ws[i]!.end;
    else spans.push([ws[i]!.start, ws[i]!.end]);
  }
  return spans;
}

export type { Snippet } from '../api/contract.js';
import type { Snippet } from '../api/contract.js';

/**
 * An excerpt of `text` around its first match, at most about `width` characters, cut at spaces; "…"
 * where it was cut.
 */
export function snippet(q: SearchQuery, text: string, width = 160): Snippet {
  const spans = matchSpans(q, text);
  if (text.length <= width) return { text, marks: spans };
  const first = spans[0]?.[0] ?? 0;
  let start = Math.max(0, first - Math.floor(width / 3));
  if (start > 0) {
    const space = text.lastIndexOf(' ', start);
    start = space >= 0 && first - space < width / 2 ? space + 1 : start;
  }
  let end = Math.min(text.length, start + width);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > first) end = space;
  }
  const lead = start > 0 ? '…' : '';
  const body = text.slice(start, end);
  const shift = lead.length - start;
  return {
    text: lead + body + (end < text.length ? '…' : ''),
    marks: spans
      .filter(([s, e]) => s >= start && e <= end)
      .map(([s, e]) => [s + shift, e + shift] as [number, number]),
  };
}

/** The snippet with its marks as «…» (the CLI's human output). */
export function markedSnippet(s: Snippet): string {
  let out = '';
  let at = 0;
  for (const [a, b] of s.marks) {
    out += s.text.slice(at, a) + '«' + s.text.slice(a, b) + '»';
    at = b;
  }
  return out + s.text.slice(at);
}
