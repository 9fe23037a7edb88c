import { describe, expect, it } from 'vitest';
import { de } from '../web/src/i18n/de.js';
import { en, type Dictionary } from '../web/src/i18n/en.js';
import { es } from '../web/src/i18n/es.js';
import { fr } from '../web/src/i18n/fr.js';
import { it as itDictionary } from '../web/src/i18n/it.js';
import { pt } from '../web/src/i18n/pt.js';
import { LANGUAGES } from '../src/model/vocabulary.js';

/**
 * The UI's dictionaries (web/src/i18n/), beyond what `tsc -p web` already refuses (a missing key, a function
 * of other arguments): every key and no other, no empty string, nothing left in English but the product
 * terms and cognates listed here, every function callable and keeping its arguments, and the product terms
 * and commands of the English text kept verbatim.
 */
const TRANSLATIONS: Record<Exclude<(typeof LANGUAGES)[number], 'en'>, Dictionary> = {
  es,
  fr,
  de,
  it: itDictionary,
  pt,
};

/** Identical to English in every language: the product's name, a dash, product terms and file formats. */
const SAME_EVERYWHERE = new Set(['filet', '—', 'SHA-256', 'JID', 'GraphML', 'GEXF', 'CSV']);
/** Language-neutral formats: a name and a role, a count of a count, SI units (rates in `/s`, times in `min`/`s`). */
const NEUTRAL_FORMATS = new Set(['nav.signedInAs', 'jobs.progress', 'jobs.rate', 'jobs.eta', 'notes.by']);

/**
 * Identical to English in one language, by key: words that are that language's own (cognates, and loanwords
 * its police analysts use: "Team", "Password", "Account", "Cluster", "Hash", "Status").
 */
const SAME_IN: Record<keyof typeof TRANSLATIONS, string[]> = {
  es: [
    'errorPrefix',
    'no',
    'jobs.cols.8',
    'cols.roles',
    'cols.hash',
    'identity.chat',
    'priority.factor',
    'keywords.groups',
  ],
  fr: [
    'keywords.messages',
    'notes.kinds.note',
    'nav.conversation',
    'triage.note',
    'nav.suspects',
    'nav.admin',
    'admin.title',
    'overview.messages',
    'overview.activityMessages',
    'cols.score',
    'cols.messages',
    'cols.action',
    'cols.distance',
    'cols.type',
    'cols.admin',
    'suspect.messagesBehind',
    'suspect.provenance',
    'suspects.title',
    'group.messages',
    'identity.suggestions',
    'identity.contradictions',
    'identity.support',
    'identity.kinds.message',
    'audit.action',
    'elsewhere.distance',
  ],
  de: [
    'keywords.name',
    'keywords.groups',
    'notes.text',
    'nav.team',
    'team.title',
    'admin.name',
    'admin.isAdmin',
    'jobs.cols.4',
    'jobs.cols.7',
    'cols.cluster',
    'cols.status',
    'cols.text',
    'cols.admin',
    'network.cluster',
    'suspect.jids',
  ],
  it: [
    'nav.triage',
    'no',
    'login.password',
    'cols.account',
    'cols.cluster',
    'cols.hash',
    'cols.path',
    'network.colourCluster',
    'network.cluster',
    'network.account',
    'identity.chat',
  ],
  pt: ['cols.hash', 'suspect.via', 'suspect.jids'],
};

/** Terms the English text carries verbatim, which every translation must keep. */
const PRODUCT_TERMS = [
  'SHA-256',
  'PDQ',
  'VICS',
  'WebGL',
  'JSON',
  'GraphML',
  'GEXF',
  'CSV',
  'HTML',
  'JID',
  'Android',
  'iPhone',
  'MiB',
  '.zip',
  '.txt',
  '??',
];
/** Commands and code the English text names: `filet analyze`, `filet identity resolve`, … */
const commandsIn = (s: string) => [
  ...[...s.matchAll(/`[^`]+`/g)].map((m) => m[0]),
  ...[...s.matchAll(/filet [a-z]+(?: [a-z]+)*/g)].map((m) => m[0]),
  ...[...s.matchAll(/--[a-z]+/g)].map((m) => m[0]),
];

/** Sample arguments for every function of the dictionary, by key; each array is one call. */
const SAMPLES: Record<string, unknown[][]> = {
  pageOf: [[11, 20, 73]],
  'language.notSaved': [['Qerror503']],
  'nav.signedInAs': [['Qname', 'Qrole']],
  'elsewhere.link': [['Qcase']],
  'elsewhere.notice': [[['Qlead1', 'Qlead2']], [[]]],
  'elsewhere.distance': [[7]],
  'intake.done': [[7301]],
  'intake.queued': [[7302]],
  'intake.uploaded': [['Qfile.zip']],
  'team.removeLabel': [['Quser']],
  'admin.created_': [['Qnew']],
  'overview.analysedAt': [['Qtime']],
  'jobs.kindLine': [[{ jobs: 7401, queued: 7402, running: 7403, done: 7404, failed: 7405 }]],
  'jobs.progress': [[7501, 7502]],
  'jobs.rate': [[null], [3.25], [1234]],
  'jobs.eta': [[null], [42], [3725]],
  'jobs.more': [[7601]],
  'network.notFound': [['Qquery']],
  'network.counts': [[7701, 7702, 7703]],
  'suspect.title': [['Qlabel']],
  'suspect.timelineMore': [[7801, 7802]],
  'suspect.undone': [['Qtime', 'Qby']],
  'group.title': [['Qsubject']],
  'media.thumbAlt': [[7901]],
  'media.revealedAlt': [[7902]],
  'media.reviewed': [['Qstatus', 'Qby']],
  'evidence.missing': [['Qmissing']],
  'identity.involves': [['Qidentity']],
  'identity.reason': [['Qkind', 'Qminute']],
  'identity.chat': [[8001]],
  'identity.fact': [[8002]],
  'identity.acceptLabel': [['Qfrom', 'Qinto']],
  'identity.rejectLabel': [['Qfrom', 'Qinto']],
  'identity.accepted': [[8003]],
  'identity.rejected': [['Qfrom', 'Qinto']],
  'identity.undoLabel': [[8004]],
  'identity.undone': [[8005]],
  'identity.more': [[8006, 8007]],
  'exports.referral': [['QC']],
  'exports.saved': [['Qsaved.zip']],
  'conversation.title': [['Qsubject']],
  'conversation.size': [[8101, 8102]],
  'conversation.mediaMissing': [['Qimg.jpg'], [null]],
  'conversation.event': [
    ['created', 'Qana', '', 'Qgarden'],
    ['added', 'Qana', 'Qboris', null],
    ['removed', 'Qana', 'Qboris', null],
    ['left', 'Qana', '', null],
    ['joined_via_link', 'Qana', '', null],
    ['subject_changed', 'Qana', '', 'Qnew'],
    ['admin_promoted', 'Qana', 'Qboris', null],
    ['admin_demoted', 'Qana', 'Qboris', null],
    ['number_changed', 'Qana', '', null],
  ],
  'search.sender': [['8201']],
  'search.total': [[8202]],
  'priority.setBy': [['Qlead', 'Qtime']],
  'priority.sum': [[0.75]],
  'priority.saved': [[8301], [null]],
  'timeline.aria': [[8401, 'Qfrom', 'Qto']],
  'timeline.member': [['Qfrom', 'Qto']],
  'timeline.post': [[8402, 'Qtime']],
  'timeline.media': [['Qstatus', 'Qtime']],
  'timeline.event': [['Qtype', 'Qtime']],
  'timeline.all': [[8403]],
  'triage.rule': [[8501]],
  'triage.counts': [[8502, 8503]],
  'triage.open': [[8504]],
  'triage.series': [[8505, 8506]],
  'triage.categorise': [[8507]],
  'triage.done': [[8508, 'Qcategory']],
  'notes.by': [['Qby', 'Qat']],
  'notes.remove': [['Qtag']],
  'keywords.imported': [['Qlist', 8601]],
  'keywords.total': [[8602]],
};

/**
 * Arguments that are codes a function chooses its wording by (an event type), not text it shows: their
 * value need not appear in the translation (the English wording may happen to contain the code's word).
 */
const CODE_ARGS: Record<string, number[]> = { 'conversation.event': [0] };

type Leaf = string | string[] | ((...args: never[]) => string);

/** Every leaf of a dictionary by its dotted key: strings, arrays of strings, functions. */
function leaves(o: object, prefix = ''): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string' || typeof v === 'function' || Array.isArray(v)) out.set(key, v as Leaf);
    else for (const [kk, vv] of leaves(v as object, key)) out.set(kk, vv);
  }
  return out;
}

/** The strings and numbers a call was given: what its output must still show if the English one does. */
function tokensOf(args: unknown[]): string[] {
  return args.flatMap((a) =>
    Array.isArray(a)
      ? tokensOf(a)
      : a && typeof a === 'object'
        ? tokensOf(Object.values(a))
        : a === null
          ? []
          : [String(a)],
  );
}

const call = (f: Leaf, args: unknown[]) => (f as (...a: unknown[]) => string)(...args);

const EN = leaves(en);

describe('the English source dictionary', () => {
  it('has sample arguments for every function, and every function answers a non-empty string', () => {
    const fns = [...EN].filter(([, v]) => typeof v === 'function').map(([k]) => k);
    expect(fns.sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const k of fns)
      for (const args of SAMPLES[k]!) {
        expect((EN.get(k) as () => string).length, k).toBe(args.length);
        expect(call(EN.get(k)!, args).trim(), k).not.toBe('');
      }
  });

  it('writes the clinical terms the wording rule asks for', () => {
    expect(en.media.known).toBe('known material');
    expect(en.media.intro).toContain('Novel media');
    expect(en.cols.category).toBe('Category');
  });
});

describe.each(Object.entries(TRANSLATIONS))('the %s dictionary', (lang, dict) => {
  const T = leaves(dict);
  const allowedSame = new Set(SAME_IN[lang as keyof typeof TRANSLATIONS]);

  it('has exactly the English keys, with leaves of the same kinds', () => {
    expect([...T.keys()].sort()).toEqual([...EN.keys()].sort());
    for (const [k, v] of EN) {
      const t = T.get(k)!;
      expect(typeof t, k).toBe(typeof v);
      expect(Array.isArray(t), k).toBe(Array.isArray(v));
      if (Array.isArray(v)) expect((t as string[]).length, k).toBe(v.length);
      if (typeof v === 'function') expect((t as () => string).length, k).toBe(v.length);
    }
  });

  it('has no empty string and nothing left in English beyond the listed terms', () => {
    const same: string[] = [];
    for (const [k, v] of EN) {
      const t = T.get(k)!;
      const pairs: [string, string, string][] =
        typeof v === 'string'
          ? [[k, v, t as string]]
          : Array.isArray(v)
            ? v.map((x, i) => [`${k}.${i}`, x, (t as string[])[i]!])
            : SAMPLES[k]!.map((args) => [k, call(v, args), call(t, args)]);
      for (const [key, e, x] of pairs) {
        expect(x.trim(), `${lang} ${key}`).not.toBe('');
        const excused = SAME_EVERYWHERE.has(e) || NEUTRAL_FORMATS.has(key) || allowedSame.has(key);
        if (x === e && !excused) same.push(`${key}: ${e}`);
        // Common English words in a translation are an untranslated remnant.
        expect(x, `${lang} ${key}`).not.toMatch(/\b(the|and|with|which|this|your|not)\b/);
      }
    }
    expect(same).toEqual([]);
    // The allowed list names only keys that really are identical (so it shrinks when a translation improves).
    for (const k of allowedSame) {
      const element = /^(.*)\.(\d+)$/.exec(k);
      const v = element ? (EN.get(element[1]!) as string[])[Number(element[2])] : EN.get(k);
      const t = element ? (T.get(element[1]!) as string[])[Number(element[2])] : T.get(k);
      expect(v, `${lang}: no English string ${k}`).toBeDefined();
      const identical =
        typeof v === 'function' ? SAMPLES[k]!.every((args) => call(v, args) === call(t!, args)) : v === t;
      expect(identical, `${lang} ${k} is listed as identical to English but is not`).toBe(true);
    }
  });

  it('calls every function with sample arguments and keeps every argument the English text shows', () => {
    for (const [k, v] of EN) {
      if (typeof v !== 'function') continue;
      for (const args of SAMPLES[k]!) {
        const english = call(v, args);
        const out = call(T.get(k)!, args);
        expect(typeof out, `${lang} ${k}`).toBe('string');
        expect(out.trim(), `${lang} ${k}`).not.toBe('');
        for (const token of tokensOf(args.filter((_, i) => !CODE_ARGS[k]?.includes(i))))
          if (english.includes(token)) expect(out, `${lang} ${k}(${JSON.stringify(args)})`).toContain(token);
      }
    }
  });

  it('keeps the product terms, commands and code of the English text verbatim', () => {
    for (const [k, v] of EN) {
      const t = T.get(k)!;
      const texts: [string, string][] =
        typeof v === 'string'
          ? [[v, t as string]]
          : Array.isArray(v)
            ? v.map((x, i) => [x, (t as string[])[i]!])
            : SAMPLES[k]!.map((args) => [call(v, args), call(t, args)]);
      for (const [e, x] of texts) {
        for (const term of PRODUCT_TERMS) if (e.includes(term)) expect(x, `${lang} ${k}`).toContain(term);
        for (const c of commandsIn(e)) expect(x, `${lang} ${k}`).toContain(c);
      }
    }
  });
});

describe('the hand-checked words of each language', () => {
  // Written by hand, not read from the dictionaries: the headings the browser test and an analyst see first.
  it.each([
    ['es', 'Resumen', 'material conocido', 'Categoría'],
    ['fr', 'Vue d’ensemble', 'contenu connu', 'Catégorie'],
    ['de', 'Übersicht', 'bekanntes Material', 'Kategorie'],
    ['it', 'Panoramica', 'materiale noto', 'Categoria'],
    ['pt', 'Visão geral', 'material conhecido', 'Categoria'],
  ] as const)('%s: overview, known material, category', (lang, overview, known, category) => {
    const d = TRANSLATIONS[lang];
    expect(d.overview.title).toBe(overview);
    expect(d.media.known).toBe(known);
    expect(d.cols.category).toBe(category);
  });
});
