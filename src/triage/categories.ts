import type { NormalizedCategory } from '../matching/lists/types.js';
import { CATEGORY_SCHEME_NAMES, type CategorySchemeName, type ReviewStatus } from '../model/vocabulary.js';
import type { CaseStore } from '../store/case-store.js';
import { UserError } from '../util/errors.js';

/**
 * The category schemes novel media are reviewed in (docs/triage.md). A review stores the NORMALIZED
 * category (the names list entries carry: src/matching/lists/types.ts) and the scheme in force, so the
 * priority score (categorySeverity) reads reviews and list matches alike; a scheme's code is what goes out
 * in a VICS file's `Category` field. The codes are exactly those `filet hashes import --category-scheme`
 * reads (src/matching/lists/common.ts), so a hash set filet writes is read back to the same categories.
 *
 * Which scheme a case uses is the lead's choice (permission categories.manage), kept in `case_meta` as
 * `{ scheme, by, at }` and audited; no key: `vics`. Changing it never rewrites a review: each keeps the
 * scheme it was made in, and exports give every reviewed category the code of the scheme in force (or
 * none, when that scheme has no code for it: `uncategorized` in `vics`).
 */
export const CATEGORY_SCHEME_KEY = 'categories.scheme';
export const DEFAULT_CATEGORY_SCHEME: CategorySchemeName = 'vics';

export interface SchemeCategory {
  /** The code in the scheme, as a VICS file writes it in `Category`. */
  code: number;
  category: NormalizedCategory;
  label: string;
}

export const CATEGORY_SCHEMES: Record<CategorySchemeName, readonly SchemeCategory[]> = {
  vics: [
    { code: 0, category: 'non-pertinent', label: 'Non-pertinent' },
    { code: 1, category: 'cam', label: 'CAM (child abuse material)' },
    { code: 2, category: 'exploitive', label: 'Child exploitive, not CAM' },
    { code: 3, category: 'cgi-animation', label: 'CGI / animation' },
    { code: 4, category: 'comparison', label: 'Comparison' },
  ],
  legacy: [
    { code: 0, category: 'uncategorized', label: 'Uncategorized' },
    { code: 1, category: 'cam', label: 'CAM (child abuse material)' },
    { code: 2, category: 'exploitive', label: 'Child exploitive, not CAM' },
    { code: 3, category: 'cgi-animation', label: 'CGI / animation' },
    { code: 4, category: 'comparison', label: 'Comparison' },
    { code: 5, category: 'non-pertinent', label: 'Non-pertinent' },
  ],
};

export function isSchemeName(v: unknown): v is CategorySchemeName {
  return (CATEGORY_SCHEME_NAMES as readonly unknown[]).includes(v);
}

/**
 * The category an analyst named (its code in the scheme, or its normalized name), or a UserError listing
 * what the scheme offers.
 */
export function parseCategory(scheme: CategorySchemeName, input: string): SchemeCategory {
  const key = input.trim().toLowerCase();
  const found = CATEGORY_SCHEMES[scheme].find((c) => String(c.code) === key || c.category === key);
  if (found) return found;
  const offered = CATEGORY_SCHEMES[scheme].map((c) => `${c.code} ${c.category}`).join(', ');
  throw new UserError(`unknown category "${input}" in the ${scheme} scheme (the categories: ${offered})`);
}

/** The code of a normalized category in `scheme`; null when the scheme has none for it. */
export function categoryCode(scheme: CategorySchemeName, category: string | null): number | null {
  if (category === null) return null;
  return CATEGORY_SCHEMES[scheme].find((c) => c.category === category)?.code ?? null;
}

/** A category review's mark: non-pertinent media are `not-relevant`, every other category `confirmed`. */
export function statusOfCategory(category: NormalizedCategory): Exclude<ReviewStatus, 'none'> {
  return category === 'non-pertinent' ? 'not-relevant' : 'confirmed';
}

export interface SchemeInForce {
  scheme: CategorySchemeName;
  /** `default`: nobody chose one for this case; `case`: a lead did. */
  source: 'default' | 'case';
  by: string | null;
  at: number | null;
}

export async function schemeOf(store: CaseStore): Promise<SchemeInForce> {
  const raw = await store.getMeta(CATEGORY_SCHEME_KEY);
  if (raw === null) return { scheme: DEFAULT_CATEGORY_SCHEME, source: 'default', by: null, at: null };
  const v = JSON.parse(raw) as { scheme: unknown; by: string; at: number };
  if (!isSchemeName(v.scheme))
    throw new UserError(
      `the category scheme stored in the case is not known (${JSON.stringify(v.scheme)}); set it again: filet categories CASE --scheme vics`,
    );
  return { scheme: v.scheme, source: 'case', by: v.by, at: v.at };
}

export interface SchemeChange {
  before: SchemeInForce;
  after: SchemeInForce;
}

/** Sets the case's scheme; `s` is the transaction its audit entry commits with. */
export async function setScheme(
  s: CaseStore,
  scheme: string,
  who: { by: string; at: number },
): Promise<SchemeChange> {
  if (!isSchemeName(scheme))
    throw new UserError(
      `unknown category scheme "${scheme}" (the schemes: ${CATEGORY_SCHEME_NAMES.join(', ')})`,
    );
  const before = await schemeOf(s);
  await s.setMeta(CATEGORY_SCHEME_KEY, JSON.stringify({ scheme, by: who.by, at: who.at }));
  // Views that show the scheme beside the queue are rebuilt (the case generation: case-view.ts).
  await s.bumpGeneration();
  return { before, after: { scheme, source: 'case', by: who.by, at: who.at } };
}

export const schemeSummary = (c: SchemeChange) => ({
  before: { scheme: c.before.scheme, source: c.before.source, by: c.before.by },
  after: { scheme: c.after.scheme, by: c.after.by },
});
