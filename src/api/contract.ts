/**
 * The HTTP API's contract: the shapes of docs/api.md, in one module the server and the web app both compile
 * against. Server services declare these as their return types, so a change on one side that the other does
 * not follow fails `npm run lint`, not an analyst's screen. Types and constant lists only: no imports but
 * src/model/vocabulary.ts (constants too), so the browser bundle takes nothing from the server. Times are ISO strings (UTC).
 */

/** What a role may do in a case; src/server/policy.ts gives each role its share. */
export const CASE_PERMISSIONS = [
  'case.read',
  'media.reveal',
  'media.review',
  'identity.merge',
  'evidence.read',
  'evidence.verify',
  'audit.read',
  'export',
  // Register evidence: browse the evidence share, preview, ingest, upload a chat export.
  'evidence.add',
  // Who works on the case: the team sees itself, the lead changes it.
  'members.read',
  'members.manage',
  // Set or reset the case's priority weights (docs/priority.md): what ranks first is the lead's call.
  'priority.manage',
  // Choose the case's category scheme for reviews of novel media (docs/triage.md): the lead's call.
  'categories.manage',
  // Write notes, tags and bookmarks on the case's accounts, chats, messages and media (docs/annotations.md).
  'annotate',
  // Import, replace and delete the case's keyword lists (docs/keywords.md): they feed the priority score.
  'keywords.manage',
] as const;
export type CasePermission = (typeof CASE_PERMISSIONS)[number];

/** What an account may do on the installation. */
export const INSTALLATION_PERMISSIONS = [
  // Any logged-in user: read one's own session and the list of one's cases, log out.
  'session',
  // Create users and cases, name a case's leads (never its content).
  'installation.admin',
] as const;
export type InstallationPermission = (typeof INSTALLATION_PERMISSIONS)[number];

export interface CaseEntry {
  id: string;
  name: string;
  role: string;
  permissions: CasePermission[];
}

export interface Session {
  /** `language`: the UI language the user chose (PUT /api/session/language), null until chosen. */
  user: { name: string; role: string; language: Language | null };
  csrfToken: string;
  /** Null on a single case's server; on an installation's, what the account may do there. */
  installation: { permissions: InstallationPermission[] } | null;
  /** The cases the user may enter, with what they may do in each. */
  cases: CaseEntry[];
  expiresAt: string;
  idleExpiresAt: string;
}

/** A member of a case's team (GET …/members). */
export interface CaseMemberRow {
  user: string;
  role: 'lead' | 'analyst' | 'viewer' | 'auditor';
  addedBy: string;
  addedAt: string;
}

/** GET /api/installation/cases: cases and their leads, never their content. */
export interface AdminCase {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string;
  leads: string[];
}

/** GET /api/installation/users. */
export interface AdminUser {
  name: string;
  admin: boolean;
  disabled: boolean;
  createdAt: string;
}

export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export {
  CATEGORY_SCHEME_NAMES,
  type CategorySchemeName,
  JOB_KINDS,
  LANGUAGES,
  REVIEW_STATUSES,
  ROLES,
  type CrossCaseKind,
  type JobKind,
  type JobState,
  type Language,
  type MediaStatusName as MatchStatus,
  type ReviewStatus,
  type Role,
} from '../model/vocabulary.js';
import type {
  CategorySchemeName,
  CrossCaseKind,
  JobKind,
  JobState,
  Language,
  MediaStatusName as MatchStatus,
  ReviewStatus,
  Role,
} from '../model/vocabulary.js';

/** A row of GET …/accounts: the suspect list. */
export interface AccountRow {
  id: number;
  key: string;
  label: string;
  phone: string | null;
  /** ISO 3166 alpha-2, or null while unresolved. */
  country: string | null;
  roles: Role[];
  score: number | null;
  clusters: number[];
  groups: number;
  flaggedGroups: number;
  messages: number;
  mergedInto: number | null;
}

/** A row of GET …/groups. */
export interface GroupRow {
  id: number;
  key: string;
  subject: string | null;
  /** Null until the case is analysed. */
  flagged: boolean | null;
  /** The rule that flagged it. */
  rule: string | null;
  cluster: number | null;
  members: number;
  activeMembers: number;
  messages: number;
  known: number;
  novel: number;
  createdAt: string | null;
}

export interface Overview {
  case: { id: string | null; name: string | null; synthetic: boolean; store: string };
  analysedAt: string | null;
  counts: {
    evidence: number;
    groups: number;
    groupsFlagged: number;
    accounts: number;
    messages: number;
    media: number;
    mediaKnown: number;
    mediaNovel: number;
  };
  countries: { country: string | null; accounts: number; suspects: number }[];
  activity: { week: string; messages: number; media: number }[];
  topSuspects: { id: number; label: string; score: number; roles: Role[]; country: string | null }[];
}

export interface JobRow {
  id: number;
  kind: JobKind;
  state: JobState;
  done: number;
  total: number;
  rate: number | null;
  etaSeconds: number | null;
  attempts: number;
  worker: string | null;
  workerLost: boolean;
  error: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** GET …/jobs: per kind how many in each state, units done of all, and the kind's rate and ETA. */
export interface JobKindSummary {
  jobs: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  units: number;
  unitsDone: number;
  /** Units per second of the running jobs together. */
  rate: number | null;
  etaSeconds: number | null;
}

export interface Jobs {
  total: number;
  summary: Partial<Record<JobKind, JobKindSummary>>;
  jobs: JobRow[];
}

/** Another case the viewer is a member of, and where the same account or media item is there. */
export interface CrossCaseLink {
  caseId: string;
  caseName: string;
  account?: number;
  media?: number;
  /** What they share: the kinds of key, and for PDQ the Hamming distance. */
  via: { kind: CrossCaseKind; distance?: number }[];
}

/**
 * Other cases the viewer is not a member of: only their leads, to ask. One notice per distinct set of
 * leads, so how many such cases there are is not told either.
 */
export interface CrossCaseNotice {
  leads: string[];
}

/** GET …/accounts/:id/elsewhere and …/media/:id/elsewhere. */
export interface CrossCaseLinks {
  links: CrossCaseLink[];
  notices: CrossCaseNotice[];
}

export interface Provenance {
  factType: string;
  factId: number;
  evidenceId: number;
  kind: string;
  table: string | null;
  rowId: number | null;
  line: number | null;
  entry: string | null;
}

export interface Reason {
  kind: 'role' | 'score';
  name: string;
  points: number | null;
  text: string;
  messageIds: number[];
  eventIds: number[];
  groupIds: number[];
  times: string[];
  evidenceIds: number[];
  provenance?: Provenance[];
}

export interface Interval {
  from: string | null;
  to: string | null;
}

export interface TimelineEntry {
  at: string;
  type: 'message' | 'event';
  id: number;
  groupId: number | null;
  kind: string;
  text: string | null;
  mediaId: number | null;
  /** Messages: the evidence item of the newest database state it is absent from (deleted), else null. */
  deletedLater?: number | null;
}

/** GET …/identity/suggestions (docs/identity.md). */
export interface IdentityReason {
  kind: 'message' | 'event-actor' | 'event-target' | 'number-changed';
  chat: number;
  minute: string;
  /** The two facts (message or event ids) that are one fact seen from two devices. */
  facts: [number, number];
  group: boolean;
}

export interface IdentityCandidateView {
  from: { id: number | null; key: string };
  into: { id: number | null; key: string };
  support: number;
  contradicted: boolean;
  reasons: IdentityReason[];
}

export interface IdentitySuggestions {
  minSupport: number;
  unambiguous: IdentityCandidateView[];
  suggestions: IdentityCandidateView[];
  contradictions: { identity: string; candidates: IdentityCandidateView[] }[];
}

export interface Merge {
  id: number;
  from: number;
  into: number;
  reason: string;
  by: string;
  at: string;
  undoneAt: string | null;
  undoneBy: string | null;
  /** Copies the merge joined into one fact (an undo: restored); absent when listed. */
  joined?: { messages: number; events: number };
}

export interface SuspectFile {
  account: {
    id: number;
    key: string;
    kind: string;
    label: string;
    phone: string | null;
    country: string | null;
    countryReason: string | null;
    numberType: string | null;
    score: number | null;
    points: Record<string, number> | null;
    betweenness: number | null;
    mergedInto: number | null;
    roles: Role[];
  };
  identities: {
    id: number;
    key: string;
    kind: string;
    phone: string | null;
    jids: string[];
    displayNames: string[];
    via: 'self' | 'merge';
  }[];
  numbers: string[];
  roles: Reason[];
  groups: {
    id: number;
    subject: string | null;
    /** Null until the case is analysed. */
    flagged: boolean | null;
    cluster: number | null;
    admin: boolean;
    active: boolean;
    intervals: Interval[];
    messages: number;
  }[];
  timeline: TimelineEntry[];
  timelineTotal: number;
  media: {
    id: number;
    sha256: string;
    status: MatchStatus;
    category: string | null;
    distance: number | null;
    messageId: number;
    groupId: number | null;
    at: string;
    forwarded: boolean;
  }[];
  merges: Merge[];
}

export interface GroupFile {
  group: {
    id: number;
    key: string;
    jid: string | null;
    subject: string | null;
    /** Null until the case is analysed. */
    flagged: boolean | null;
    rule: string | null;
    cluster: number | null;
    createdAt: string | null;
    creator: number | null;
    messages: number;
    known: number;
    novel: number;
  };
  subjects: { subject: string; at: string | null; by: number | null }[];
  members: {
    accountId: number;
    label: string;
    admin: boolean;
    active: boolean;
    intervals: Interval[];
    roles: Role[];
  }[];
  admins: number[];
  media: {
    id: number;
    sha256: string;
    status: MatchStatus;
    category: string | null;
    distance: number | null;
    firstAt: string | null;
    posts: number;
  }[];
  events: {
    id: number;
    type: string;
    actor: number | null;
    targets: number[];
    at: string;
    value: string | null;
  }[];
}

export interface GroupMessage {
  id: number;
  at: string;
  sender: number | null;
  kind: string;
  text: string | null;
  forwarded: boolean;
  mediaId: number | null;
  mediaStatus: string | null;
}

export interface NetworkData {
  nodes: {
    count: number;
    kind: ('g' | 'a')[];
    id: number[];
    label: string[];
    cluster: (number | null)[];
    country: (string | null)[];
    roles: Role[][];
    score: (number | null)[];
    flagged: (boolean | null)[];
  };
  edges: { count: number; source: number[]; target: number[]; weight: number[]; admin: boolean[] };
}

export interface Review {
  status: ReviewStatus;
  by: string;
  at: string;
  note: string | null;
  /** A normalized category (docs/triage.md), its code and the scheme it was set in; null: not categorised. */
  category: string | null;
  code: number | null;
  scheme: CategorySchemeName | null;
  /** The triage series the review was set through; null: the item alone. */
  series: number | null;
}

export interface MediaItem {
  id: number;
  sha256: string;
  md5: string | null;
  pdq: string | null;
  mime: string | null;
  size: number | null;
  present: boolean;
  status: MatchStatus;
  matches: { list: string; category: string | null; distance: number; hashType: string }[];
  posts: number;
  firstAt: string | null;
  firstPostedBy: number | null;
  groups: number[];
  review: Review | null;
}

/** An evidence item as custody sees it (every role that may read evidence). */
export interface EvidenceCustody {
  id: number;
  sha256: string;
  size: number;
  kind: string;
  device: string;
  examiner: string | null;
  acquiredAt: string | null;
  ingestedAt: string | null;
  toolVersion: string;
  lastVerification: { at: string | null; by: string; ok: boolean } | null;
}

/** A row of GET …/evidence: the path and the reader's notes only for those who may read case content. */
export interface EvidenceRow extends EvidenceCustody {
  path?: string;
  notes?: Record<string, unknown>;
}

export interface Verification {
  id: number;
  ok: boolean;
  status: 'ok' | 'changed' | 'missing';
  expected: string;
  actual: string | null;
  error: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  args: unknown;
  result: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditPage extends Page<AuditEntry> {
  verification: {
    ok: boolean;
    entries: number;
    /** The last entry, `seq:hash`; null for an empty log. */
    head: string | null;
    caseKeyId: string | null;
    keyId: string | null;
    problems: { seq: number; problem: string; detail: string }[];
  };
}

/** One entry of the evidence share (GET …/intake/share). */
export interface ShareEntry {
  name: string;
  /** `refused`: a symbolic link, a device, a FIFO or a socket; never read (`reason` says which). */
  kind: 'file' | 'dir' | 'refused';
  /** Bytes of a file; null for folders and refused entries. */
  size: number | null;
  reason?: string;
}

export interface ShareListing {
  /** The folder listed, relative to the share's root ('' for the root). */
  path: string;
  entries: ShareEntry[];
  /** Entries in the folder, all pages together. */
  total: number;
  offset: number;
  limit: number;
}

/**
 * POST …/intake/preview: what discovery found, before anything is written. The web app reads these fields;
 * the response holds more of discovery's detail (`filet ingest --dry-run --json` prints the same object).
 */
export interface IntakePreview {
  devices: {
    label: string;
    instances: {
      platform: string;
      owner: { number?: string } | null;
      artifacts: { kind: string; path: string }[];
    }[];
  }[];
  /** Evidence files read as they are (chat exports, bare databases, backup folders). */
  evidenceFiles: { path: string; kind: string | null; problem?: string }[];
  secretsNeeded: {
    path: string;
    secret: 'android-key' | 'backup-password';
    satisfied: boolean;
    /** What opens it (in words, for the lead). */
    accepts: string;
  }[];
}

/** What became of one evidence file or discovered artifact. */
export interface IntakeOutcome {
  path: string;
  status: 'ingested' | 'already-ingested' | 'duplicate-argument' | 'skipped';
  /** Discovered artifacts: where in which device they were found. */
  device?: string;
  instance?: string;
  inner?: string;
  /** Ingested: the evidence item made. */
  evidence?: number;
  sha256?: string;
  stats?: unknown;
  /** Skipped: why. */
  reason?: string;
}

/** POST …/intake/ingest: done in the request (200), or queued as jobs (202, their ids). */
export type IntakeResult =
  { devices: string[]; outcomes: IntakeOutcome[]; skipped: number; match: unknown } | { jobs: number[] };

/** POST …/intake/upload: the stored upload (201 new, 200 the same bytes already there). */
export interface StoredUploadView {
  sha256: string;
  name: string;
  size: number;
  existed: boolean;
}

/** Someone who speaks or acts in a conversation window: their account as the case resolves it. */
export interface ConversationPerson {
  id: number;
  label: string;
  country: string | null;
  roles: Role[];
}

/** A message's media, under the wellness rules: known material by its hashes and category only. */
export interface ConversationMedia {
  id: number;
  status: MatchStatus;
  category: string | null;
  distance: number | null;
  sha256: string;
  md5: string | null;
  pdq: string | null;
  mime: string | null;
}

export type ConversationEntry =
  | {
      type: 'message';
      id: number;
      /** Its place in the chat, to load the window before or after it. */
      cursor: string;
      at: string;
      /** The sender's account (after identity merges); null for a message the source gives no sender. */
      sender: number | null;
      kind: string;
      text: string | null;
      forwarded: boolean;
      /** WhatsApp's forwarding score (how often it was forwarded), where the source has it. */
      forwardScore: number | null;
      /** The media file's name as the message gave it, and the media item when the case holds it. */
      mediaName: string | null;
      media: ConversationMedia | null;
      deletedLater: number | null;
    }
  | {
      type: 'event';
      id: number;
      cursor: string;
      at: string;
      /** created, added, left, removed, subject_changed, … (the system line). */
      event: string;
      actor: number | null;
      targets: number[];
      value: string | null;
    };

/** GET …/chats/:id/conversation and …/messages/:id/conversation: one window of a chat. */
export interface ConversationPage {
  chat: {
    id: number;
    kind: 'group' | 'direct';
    key: string;
    subject: string | null;
    /** Null for a direct chat or before analysis. */
    flagged: boolean | null;
    messages: number;
    events: number;
  };
  /** Everyone the window's entries name, by account id. */
  people: Record<string, ConversationPerson>;
  items: ConversationEntry[];
  /** Cursors to load the window before and after this one; null at the chat's start or end. */
  before: string | null;
  after: string | null;
  /** The message the window was opened at. */
  focus: number | null;
}

/** A plain-text excerpt (never HTML): the client escapes it and highlights `marks`. */
export interface Snippet {
  text: string;
  /** [start, end) offsets in `text` (UTF-16 code units) of the words the query matched. */
  marks: [number, number][];
}

/** One message that matched a search (GET …/search). */
export interface SearchHit {
  messageId: number;
  chat: { id: number; subject: string | null; kind: string | null };
  /** The sender as merges stand (the person's account), null for a message without one. */
  sender: { id: number; display: string } | null;
  at: string;
  kind: string;
  text: string | null;
  mediaName: string | null;
  /** Set when an older state of a database holds the message and its newest state does not. */
  deletedLater: number | null;
  snippet: Snippet;
  score: number;
}

export interface SearchResult {
  query: string;
  total: number;
  offset: number;
  limit: number;
  items: SearchHit[];
  /** Accounts whose display names match (as merges stand), and chats whose subjects match. */
  accounts: { id: number; display: string; names: string[] }[];
  groups: { id: number; subject: string }[];
}

/** GET …/priority: the weights in force (docs/priority.md) and whether the stored ranking used them. */
export interface PriorityState {
  weights: Record<string, number>;
  /** `default`: nobody set weights for this case (or they were reset); `case`: a lead set them. */
  source: 'default' | 'case';
  by: string | null;
  at: string | null;
  factors: readonly string[];
  defaults: Record<string, number>;
  /** The weights in force guarantee every producer outranks every non-producer. */
  producersFirst: boolean;
  analysis: {
    run: number;
    at: string | null;
    weights: Record<string, number> | null;
    current: boolean;
  } | null;
}

/** PUT …/priority: the new state, the weights before, and the analysis run recomputed with them. */
export interface PriorityChanged extends PriorityState {
  previous: Record<string, number>;
  analysisRun: number | null;
}

/** GET …/accounts/:id/timeline: one person on one time axis, a lane per chat (docs/api.md). */
export interface SuspectTimeline {
  account: number;
  /** The span of everything on the axis. */
  from: string | null;
  to: string | null;
  lanes: {
    chatId: number;
    subject: string | null;
    kind: 'group' | 'direct';
    flagged: boolean | null;
    /** Membership periods (groups); an open end is null. */
    intervals: Interval[];
    admin: boolean;
    /** Their messages in this chat without media. */
    posts: { id: number; at: string }[];
    /** Their messages with media, under the wellness rules (status, never content). */
    media: { messageId: number; at: string; mediaId: number | null; status: MatchStatus | null }[];
    /** Events they took part in (added, removed, left, admin, subject …). */
    events: { id: number; at: string; type: string }[];
  }[];
}

// ---- triage of novel media (docs/triage.md) ----------------------------------------------------------------

/** One reason of a series' urgency (src/triage/urgency.ts): a factor, its points and what it rests on. */
export interface TriageReason {
  factor: 'recency' | 'original' | 'role' | 'size';
  points: number;
  text: string;
  messageIds: number[];
}

/** A media item of a series: ids and facts only, never bytes (thumbnails: GET …/media/:id/thumbnail). */
export interface TriageItem {
  id: number;
  sha256: string;
  /** Null for media without a usable PDQ (a series of one). */
  pdq: string | null;
  mime: string | null;
  posts: number;
  firstAt: string | null;
  review: Review | null;
}

/** GET …/triage: one entry of the queue, a series of novel media. */
export interface TriageSeries {
  /** The smallest media id of the series. */
  id: number;
  urgency: number;
  reasons: TriageReason[];
  size: number;
  firstAt: string | null;
  firstPostedBy: number | null;
  forwarded: boolean | null;
  /** How much of the series is reviewed: none, some, or every item. */
  reviewed: 'none' | 'partial' | 'all';
  /** Reviewed items per normalized category. */
  categories: Record<string, number>;
  itemIds: number[];
}

export interface TriageQueue extends Page<TriageSeries> {
  /** The PDQ distance (bits of 256) within which novel images join a series. */
  threshold: number;
  scheme: CategorySchemeName;
  /** Novel media in the case, and how many of them carry a review. */
  novel: number;
  reviewed: number;
}

/** GET …/triage/series/:id: one series with its items and the PDQ links that joined it. */
export interface TriageSeriesDetail extends TriageSeries {
  items: TriageItem[];
  links: { a: number; b: number; distance: number }[];
}

/** POST …/triage/series/:id/review */
export interface TriageSeriesReviewResult {
  series: number;
  category: string;
  code: number;
  scheme: CategorySchemeName;
  status: ReviewStatus;
  items: number[];
}

/** GET/PUT …/categories/scheme */
export interface CategorySchemeView {
  scheme: CategorySchemeName;
  source: 'default' | 'case';
  by: string | null;
  at: string | null;
  schemes: CategorySchemeName[];
  categories: { code: number; category: string; label: string }[];
}

// ---- Annotations: notes, tags and bookmarks (docs/annotations.md) ---------------------------------------

export type AnnotationTargetKind = 'account' | 'chat' | 'message' | 'media';
export type AnnotationKind = 'note' | 'tag' | 'bookmark';

export interface AnnotationTarget {
  kind: AnnotationTargetKind;
  id: number;
}

/** One note, tag or bookmark (GET …/annotations items; POST, PATCH and DELETE answer one). */
export interface Annotation {
  id: number;
  /** What it was written on. */
  target: AnnotationTarget;
  /** Where the case shows it now: an account merged into another shows its annotations on that one. */
  shownOn: AnnotationTarget;
  kind: AnnotationKind;
  /** A note's body, a tag's name, a bookmark's label (null: a bookmark without one). */
  text: string | null;
  /** Included in the report and the referral packages. */
  inReport: boolean;
  by: string;
  at: string;
  editedAt: string | null;
  editedBy: string | null;
  /** Set only in the answer to DELETE: lists never show deleted annotations. */
  deletedAt: string | null;
  deletedBy: string | null;
}

/** GET …/annotations/tags: every tag in use, most used first. */
export interface AnnotationTags {
  items: {
    name: string;
    key: string;
    count: number;
    byKind: Record<AnnotationTargetKind, number>;
  }[];
}

// ---- keyword lists (docs/keywords.md) -------------------------------------------------------------------

/** GET …/keywords: one list of terms, with its provenance. */
export interface KeywordList {
  id: number;
  name: string;
  category: string | null;
  language: string | null;
  terms: number;
  /** The imported file (an upload: path `(upload)`, the SHA-256 of its terms, one a line). */
  source: { path: string; sha256: string };
  /** The file said SYNTHETIC (test data generated by code), or the upload was marked so. */
  synthetic: boolean;
  importedBy: string;
  importedAt: string;
}

export interface KeywordLists {
  lists: KeywordList[];
}

/** POST …/keywords, `filet keywords import`: the list written, the one it replaced, duplicates dropped. */
export interface KeywordImported {
  list: KeywordList;
  replaced: number | null;
  duplicates: number;
}

/** Hits of one term: the messages it matches now. */
export interface KeywordTermHits {
  id: number;
  listId: number;
  list: string;
  term: string;
  category: string | null;
  language: string | null;
  line: number;
  messages: number;
}

/** Counts are of distinct messages; `lists` / `categories`: messages per list name / term category. */
export interface KeywordAccountHits {
  /** The person as merges stand (the account others were merged into). */
  id: number;
  display: string;
  messages: number;
  terms: number;
  lists: Record<string, number>;
  categories: Record<string, number>;
  groupIds: number[];
  /** Up to 100 message ids, oldest id first. */
  messageIds: number[];
}

export interface KeywordGroupHits {
  id: number;
  subject: string | null;
  kind: string | null;
  messages: number;
  /** Distinct senders (persons) of the matching messages. */
  senders: number;
  lists: Record<string, number>;
  categories: Record<string, number>;
  messageIds: number[];
}

/** GET …/keywords/hits: what the lists find in the case now. */
export interface KeywordHits {
  /** The list asked for (null: all). */
  list: string | null;
  /** Distinct messages matched by any term. */
  messages: number;
  lists: (KeywordList & { messages: number })[];
  categories: { category: string; messages: number }[];
  terms: KeywordTermHits[];
  accounts: KeywordAccountHits[];
  groups: KeywordGroupHits[];
}
