/**
 * What the text after a timestamp is: a system event (in any known language), an authored message, or a
 * line that looks like a system line but matches no rule. Classification never relies on "no author
 * means system" alone: iOS since 2024 attributes system lines to the group or the actor.
 */
import type { MembershipEventType, MessageKind } from '../../model/types.js';
import {
  ANDROID_ATTACHED,
  ANDROID_OMITTED,
  COMPILED,
  DELETED,
  IOS_ATTACHED,
  IOS_OLD_ATTACHED,
  IOS_OMITTED,
  LOCALES,
  escapeRe,
  kindFromFileName,
  omittedKind,
  type CompiledRule,
} from './locales.js';
import { stripMarks } from './line-format.js';

export interface SystemMatch {
  type: MembershipEventType;
  locale: string;
  /** Names as written; `you` flags say the owner is meant. */
  actor: string | null;
  actorYou: boolean;
  targets: string[];
  targetsYou: boolean;
  value: string | null;
  old: string | null;
}

export type LineClass =
  | { k: 'event'; m: SystemMatch; author: string | null }
  | { k: 'message'; author: string; text: string }
  | { k: 'unclassified'; reason: string };

const QUOTE = /["“”«»„]/u;
const QUOTES = /["“”«»„]/gu;
const YOU = new Map(LOCALES.map((l) => [l.id, new Set(l.you)]));
const AND = new Map(
  LOCALES.map((l) => [l.id, new RegExp(`\\s+(?:${l.and.map(escapeRe).join('|')})\\s+`, 'u')]),
);

export function isYou(name: string, locale: string): boolean {
  return YOU.get(locale)?.has(name.trim()) ?? false;
}

export class Classifier {
  private rules: CompiledRule[] = COMPILED;
  /** System matches per language, to name the file's language in the notes. */
  readonly localeHits = new Map<string, number>();

  /** Try this language's rules first (the file's language, once known). */
  prefer(locale: string | null): void {
    if (!locale) return;
    this.rules = [
      ...COMPILED.filter((r) => r.locale.id === locale),
      ...COMPILED.filter((r) => r.locale.id !== locale),
    ];
  }

  /** `strict`: the text may still hold an author prefix, so names containing ": " are refused. */
  matchSystem(text: string, strict: boolean): SystemMatch | null {
    for (const r of this.rules) {
      const m = r.re.exec(text);
      if (!m) continue;
      const g = m.groups ?? {};
      const actor = g.actor?.trim() || null;
      const targetText = g.targets?.trim() || null;
      if (strict && ((actor && actor.includes(': ')) || (targetText && targetText.includes(': ')))) continue;
      const id = r.locale.id;
      const targets = targetText ? splitNames(targetText, id) : [];
      this.localeHits.set(id, (this.localeHits.get(id) ?? 0) + 1);
      return {
        type: r.type,
        locale: id,
        actor,
        actorYou: r.you === 'actor' || (actor !== null && isYou(actor, id)),
        targets: targets.filter((t) => !isYou(t, id)),
        targetsYou: r.you === 'targets' || targets.some((t) => isYou(t, id)),
        value: g.value?.trim() ?? null,
        old: g.old?.trim() ?? null,
      };
    }
    return null;
  }

  /**
   * `rest` is the line after its timestamp, direction marks still in (an LRM before the text marks iOS
   * system text). `subjects` are every name the chat had: a line "authored" by one of them is system text
   * when its text matches a rule, and with `subjectLinesAreSystem` (a group) it is never a message.
   */
  classify(rest: string, subjects: Set<string>, subjectLinesAreSystem = true): LineClass {
    const clean = stripMarks(rest);
    const colon = clean.indexOf(': ');
    const prefix = colon < 0 ? '' : clean.slice(0, colon);
    const quoted = colon >= 0 && QUOTE.test(prefix);
    // Whole-text first, so a subject holding ": " is not split as "author: text".
    if (colon < 0 || quoted) {
      const m = this.matchSystem(clean.trim(), true);
      if (m) return { k: 'event', m, author: null };
    }
    if (colon < 0) return { k: 'unclassified', reason: 'no author and no system rule matched' };
    if (quoted && (prefix.match(QUOTES)?.length ?? 0) % 2 === 1) {
      return { k: 'unclassified', reason: 'unbalanced quote before ": " and no system rule matched' };
    }
    // A subject holding ": " may itself be the author of an iOS system line: take the longest such name.
    let authorEnd = colon;
    for (const s of subjects)
      if (s.length > authorEnd && s.includes(': ') && clean.startsWith(`${s}: `)) authorEnd = s.length;
    const skip = clean.slice(0, authorEnd).split(': ').length;
    let rawColon = -2;
    for (let n = 0; n < skip; n++) rawColon = rest.indexOf(': ', rawColon + 2);
    const author = stripMarks(rest.slice(0, rawColon)).trim();
    const rawText = rest.slice(rawColon + 2);
    const text = stripMarks(rawText);
    const bySubject = subjects.has(author);
    // iOS marks system text with a left-to-right mark, right-to-left languages (Arabic) with U+200F.
    const marked = rawText.startsWith('\u200E') || rawText.startsWith('\u200F');
    // A deleted-message marker carries the same mark ("‎Вы удалили данное сообщение"): it is a message.
    if ((bySubject || marked) && !DELETED.test(text.trim())) {
      const m = this.matchSystem(text.trim(), false);
      if (m) return { k: 'event', m, author };
      if (bySubject && subjectLinesAreSystem)
        return { k: 'unclassified', reason: 'written by the chat subject and no system rule matched' };
    }
    return { k: 'message', author, text };
  }
}

function splitNames(s: string, locale: string): string[] {
  const and = AND.get(locale);
  const parts = s.split(/[,\u060C]\s*/u);
  const last = parts.pop()!;
  parts.push(...(and ? last.split(and) : [last]));
  return parts.map((p) => p.trim()).filter(Boolean);
}

export interface Body {
  kind: MessageKind;
  /** The message's own words (a caption included); null for a pure media placeholder. */
  text: string | null;
  mediaName: string | null;
  placeholder: 'attached' | 'omitted' | null;
}

const LOCATION =
  /^(location|ubicación|localisation|position|posizione|standort|localização|locatie)\s?:\s*https?:\/\/\S+$/iu;

export function parseBody(text: string): Body {
  const t = text.trim();
  if (DELETED.test(t)) return { kind: 'deleted', text: null, mediaName: null, placeholder: null };
  const nl = t.indexOf('\n');
  const first = (nl < 0 ? t : t.slice(0, nl)).trim();
  const caption = nl < 0 ? null : t.slice(nl + 1).trim() || null;
  if (ANDROID_OMITTED.test(first))
    return { kind: 'other', text: caption, mediaName: null, placeholder: 'omitted' };
  const om = IOS_OMITTED.exec(first);
  if (om) return { kind: omittedKind(om), text: caption, mediaName: null, placeholder: 'omitted' };
  const aa = ANDROID_ATTACHED.exec(first) ?? IOS_OLD_ATTACHED.exec(first);
  if (aa) {
    const name = aa.groups!.name!.trim();
    const kind = aa.groups!.doc ? 'document' : kindFromFileName(name);
    return { kind, text: caption, mediaName: name, placeholder: 'attached' };
  }
  const ia = IOS_ATTACHED.exec(t);
  if (ia) {
    const name = ia.groups!.name!.trim();
    let rest: string | null = (t.slice(0, ia.index) + t.slice(ia.index + ia[0].length)).trim() || null;
    // iOS documents write their title and page count before the tag: that is not the sender's text.
    let kind = kindFromFileName(name);
    if (rest && !rest.includes('\n') && /\s•\s/u.test(rest)) {
      rest = null;
      kind = 'document';
    }
    return { kind, text: rest, mediaName: name, placeholder: 'attached' };
  }
  if (LOCATION.test(t)) return { kind: 'location', text: t, mediaName: null, placeholder: null };
  return { kind: 'text', text, mediaName: null, placeholder: null };
}
