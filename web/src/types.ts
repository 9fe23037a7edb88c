/** Response shapes of docs/api.md, as far as the UI reads them. Times are ISO strings (UTC). */
/** What a role may do in a case (src/server/policy.ts CASE_PERMISSIONS). */
export type Permission =
  | 'case.read'
  | 'media.reveal'
  | 'media.review'
  | 'identity.merge'
  | 'evidence.read'
  | 'evidence.verify'
  | 'audit.read'
  | 'export'
  | 'evidence.add'
  | 'members.read'
  | 'members.manage';

/** What an account may do on the installation (src/server/policy.ts INSTALLATION_PERMISSIONS). */
export type InstallationPermission = 'session' | 'installation.admin';

export interface CaseEntry {
  id: string;
  name: string;
  role: string;
  permissions: Permission[];
}

export interface Session {
  user: { name: string; role: string };
  csrfToken: string;
  /** Null on a single case's server; on an installation's, what the account may do there. */
  installation: { permissions: InstallationPermission[] } | null;
  /** The cases the user may enter, with what they may do in each. */
  cases: CaseEntry[];
  expiresAt: string;
  idleExpiresAt: string;
}

export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export const ROLES = ['producer', 'distributor', 'consumer', 'admin', 'recruiter', 'bridge'] as const;
export type Role = (typeof ROLES)[number];

export interface Overview {
  case: { id: string; name: string; synthetic: boolean; store: string };
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

export type JobKind = 'hash' | 'match' | 'ingest' | 'analyze' | 'report';

export interface JobRow {
  id: number;
  kind: JobKind;
  state: 'queued' | 'running' | 'done' | 'failed';
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

export interface JobKindSummary {
  jobs: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  units: number;
  unitsDone: number;
  rate: number | null;
  etaSeconds: number | null;
}

export interface Jobs {
  total: number;
  summary: Partial<Record<JobKind, JobKindSummary>>;
  jobs: JobRow[];
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
}

export type MatchStatus = 'known' | 'novel' | 'unmatched';

/** GET /api/identity/suggestions (docs/identity.md). */
export interface IdentityReason {
  kind: 'message' | 'event-actor' | 'event-target';
  chat: number;
  minute: string;
  /** The two facts (message or event ids) that are one fact seen from two devices. */
  facts: [number, number];
  group: boolean;
}

export interface IdentityCandidate {
  from: { id: number | null; key: string };
  into: { id: number | null; key: string };
  support: number;
  contradicted: boolean;
  reasons: IdentityReason[];
}

export interface IdentitySuggestions {
  minSupport: number;
  unambiguous: IdentityCandidate[];
  suggestions: IdentityCandidate[];
  contradictions: { identity: string; candidates: IdentityCandidate[] }[];
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
    flagged: boolean;
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
    flagged: boolean;
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
  status: 'confirmed' | 'not-relevant' | 'none';
  by: string;
  at: string;
  note: string | null;
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

export interface EvidenceRow {
  id: number;
  path: string;
  sha256: string;
  size: number;
  kind: string;
  device: string;
  examiner: string | null;
  acquiredAt: string | null;
  ingestedAt: string;
  toolVersion: string;
  notes: Record<string, unknown>;
  lastVerification: { at: string; by: string; ok: boolean } | null;
}

export interface Verification {
  id: number;
  ok: boolean;
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
  verification: { ok: boolean; [k: string]: unknown };
}
