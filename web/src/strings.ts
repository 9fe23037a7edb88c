/**
 * The UI's strings in the chosen language. `S` is a live binding: every screen reads `S.section.key` when it
 * renders, and `setLanguage` rebinds it (App re-renders the whole tree when the language changes). The
 * dictionaries are web/src/i18n/<code>.ts, each typed against the English one (docs/languages.md).
 */
import { LANGUAGES, type Language } from './types';
import { de } from './i18n/de.js';
import { en, type Dictionary } from './i18n/en.js';
import { es } from './i18n/es.js';
import { fr } from './i18n/fr.js';
import { it } from './i18n/it.js';
import { pt } from './i18n/pt.js';

const DICTIONARIES: Record<Language, Dictionary> = { en, es, fr, de, it, pt };

/** Each language by its own name, as the language switch lists it. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  es: 'Español',
  fr: 'Français',
  de: 'Deutsch',
  it: 'Italiano',
  pt: 'Português',
};

export function isLanguage(l: unknown): l is Language {
  return (LANGUAGES as readonly unknown[]).includes(l);
}

const baseOf = (tag: string) => tag.toLowerCase().split('-')[0];

/** The first of the browser's preferred languages (BCP 47 tags: `pt-BR`, `de`) the UI has, else English. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = baseOf(tag);
    if (isLanguage(base)) return base;
  }
  return 'en';
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

// Before login (and for a user who never chose) the browser's languages decide.
let current: Language = pickLanguage(browserLanguages());

export let S: Dictionary = DICTIONARIES[current];

if (typeof document !== 'undefined') document.documentElement.lang = current;

export function language(): Language {
  return current;
}

/**
 * The locale dates and numbers are formatted in: the browser's own variant of the chosen language when it
 * prefers one (`en-GB`, `pt-PT`, `de-CH`), else the language itself.
 */
export function locale(): string {
  return browserLanguages().find((t) => baseOf(t) === current) ?? current;
}

/** Switches every string and format to `l`; the caller re-renders. `<html lang>` follows. */
export function setLanguage(l: Language): void {
  current = l;
  S = DICTIONARIES[l];
  if (typeof document !== 'undefined') document.documentElement.lang = l;
}
