/**
 * Words the case model, the analysis and the HTTP API share. Constants and types only, with no imports,
 * so the web app's bundle can take them (through src/api/contract.ts) without taking any server code.
 */

/** Roles in a network (src/network/roles.ts says what makes each). */
export const ROLES = ['producer', 'distributor', 'consumer', 'admin', 'recruiter', 'bridge'] as const;
export type Role = (typeof ROLES)[number];

/** What filet may say about a media item, and so what it may show (src/model/media-status.ts). */
export type MediaStatusName = 'known' | 'novel' | 'unmatched';

/** An analyst's mark on a media item; `none` clears it. */
export const REVIEW_STATUSES = ['confirmed', 'not-relevant', 'none'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** Long work as jobs (src/jobs/). */
export const JOB_KINDS = ['hash', 'match', 'ingest', 'analyze', 'report'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** The keys the installation's cross-case index holds (src/store/cross-case.ts). */
export type CrossCaseKind = 'phone' | 'jid' | 'sha256' | 'pdq';

/**
 * Category schemes a case reviews novel media in (src/triage/categories.ts, docs/triage.md): `vics` is
 * Project VIC's (the codes `filet hashes import --category-scheme vics-us` reads), `legacy` the older one.
 */
export const CATEGORY_SCHEME_NAMES = ['vics', 'legacy'] as const;
export type CategorySchemeName = (typeof CATEGORY_SCHEME_NAMES)[number];

/**
 * The languages of the investigator UI (web/src/i18n/, docs/languages.md), by ISO 639-1 code. An account
 * stores one of these (users.language); null means "not chosen": the browser's languages decide.
 */
export const LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt'] as const;
export type Language = (typeof LANGUAGES)[number];
