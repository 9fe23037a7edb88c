/**
 * The normalized case model. Readers (src/evidence) emit `ParsedRecord`s; the store persists them with
 * one provenance row per (fact, evidence item, location). Every timestamp is milliseconds since the Unix
 * epoch, UTC; where the source carried no zone, the zone that was assumed is kept beside it.
 *
 * Natural keys make facts from different sources meet:
 *  - accounts:  `phone:+<E164>` · `lid:<opaque>@lid` · `name:<device>:<display name>` · `owner:<device>`
 *  - chats:     groups `jid:<jid>` (databases) or `export:<device>:<final subject>` (exports, no JID);
 *               one-to-one chats `direct:<account key>|<account key>`, the owner's and the partner's in
 *               sorted order (`directChatKey`), the owner being `owner:<device>` when unknown
 *  - messages:  `id:<chat key>:<WhatsApp key id>` when the source has one, else
 *               `dig:<chat key>:<sender key>:<minute>:<sha256(text) prefix>`
 */

/** Where in an evidence item a fact was read. */
export interface Location {
  /** `row` (a database row), `line` (a text line), `zip-entry`, `file` (a file in a media folder). */
  kind: 'row' | 'line' | 'zip-entry' | 'file';
  table?: string;
  rowId?: number;
  line?: number;
  /** Zip entry name, or a file path relative to the evidence item. */
  entry?: string;
}

export type EvidenceKind =
  | 'chat-export-txt'
  | 'chat-export-zip'
  | 'android-msgstore'
  | 'android-msgstore-crypt'
  | 'android-wa-db'
  | 'ios-chatstorage'
  | 'ios-backup'
  | 'media-folder';

export interface EvidenceItem {
  id: number;
  path: string;
  sha256: string;
  size: number;
  kind: EvidenceKind;
  deviceLabel: string;
  examiner: string | null;
  acquiredAt: number | null;
  ingestedAt: number;
  toolVersion: string;
  /** Reader options that shaped the reading (time zone, locale hint, date-order rule…). */
  notes: Record<string, unknown>;
}

export const MEMBERSHIP_EVENT_TYPES = [
  'created',
  'added',
  'joined_via_link',
  'left',
  'removed',
  'subject_changed',
  'icon_changed',
  'description_changed',
  'admin_promoted',
  'admin_demoted',
  'number_changed',
  'security_code_changed',
  'encryption_notice',
  'invite_link_reset',
  'settings_changed',
  'unknown',
] as const;
export type MembershipEventType = (typeof MEMBERSHIP_EVENT_TYPES)[number];

export const MESSAGE_KINDS = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'gif',
  'contact',
  'location',
  'system',
  'deleted',
  'other',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * What is known of the media file behind a message:
 * present — the file was in the evidence and hashed; hash-only — the source recorded its SHA-256 but the
 * file is absent; omitted — the export left it out (nothing known); mismatch — a file was found but its
 * SHA-256 differs from the one the database recorded (tampering or re-encoding: never linked silently).
 */
export type MediaStatus = 'present' | 'hash-only' | 'omitted' | 'mismatch';

export interface ParsedAccount {
  type: 'account';
  key: string;
  /** E.164 (`+34612345678`) when known. */
  phone: string | null;
  jids: string[];
  displayNames: string[];
  loc: Location;
}

export interface ParsedGroup {
  type: 'group';
  key: string;
  jid: string | null;
  subject: string | null;
  createdAt: number | null;
  creatorKey: string | null;
  loc: Location;
}

/** A membership as the source saw it at acquisition (a snapshot, not an event). */
export interface ParsedMember {
  type: 'member';
  groupKey: string;
  accountKey: string;
  /** 0 member, 1 admin, 2 superadmin (creator). */
  rank: number;
  active: boolean;
  loc: Location;
}

export interface ParsedEvent {
  type: 'event';
  groupKey: string;
  eventType: MembershipEventType;
  actorKey: string | null;
  targetKeys: string[];
  at: number;
  /** New subject / description, new number… */
  value: string | null;
  /** The source's own code or line, kept verbatim. */
  raw: string | null;
  loc: Location;
}

export interface ParsedMedia {
  type: 'media';
  sha256: string;
  md5: string | null;
  sha1: string | null;
  mime: string | null;
  size: number | null;
  /** True when the file itself was in the evidence (and so can be hashed perceptually). */
  present: boolean;
  /** Path of the file inside the evidence (zip entry or relative path), when present. */
  fileRef: string | null;
  loc: Location;
}

export interface ParsedMessage {
  type: 'message';
  key: string;
  chatKey: string;
  chatKind: 'group' | 'direct';
  senderKey: string | null;
  at: number;
  tz: string;
  kind: MessageKind;
  text: string | null;
  forwarded: boolean;
  forwardScore: number | null;
  waKeyId: string | null;
  mediaSha256: string | null;
  mediaName: string | null;
  mediaStatus: MediaStatus | null;
  loc: Location;
}

/** A line or row the reader could not classify: kept for the analyst, reported, never silently dropped. */
export interface ParsedUnclassified {
  type: 'unclassified';
  chatKey: string | null;
  raw: string;
  reason: string;
  loc: Location;
}

export type ParsedRecord =
  ParsedAccount | ParsedGroup | ParsedMember | ParsedEvent | ParsedMedia | ParsedMessage | ParsedUnclassified;

export interface ReaderOptions {
  deviceLabel: string;
  /** IANA zone assumed for sources without one (exports). */
  tz: string;
  /** Locale hint for ambiguous date orders, e.g. `en-US`, `es`. */
  locale?: string;
  /** Owner's number (E.164) for device databases that do not store it. */
  owner?: string;
  /** Where `owner` came from when not from `--owner` (discovery: the device file and key). */
  ownerSource?: string;
  /**
   * Where the media of a device database are, when discovery found them elsewhere than beside the
   * database: `evidenceRoot` (media fileRefs are relative to it) and the folders holding `Media/`.
   */
  mediaFolder?: { evidenceRoot: string; bases: string[] };
  /** How the owner appears in the device's own exports (their profile name), mapped to `owner`. */
  ownerName?: string;
  /** Size limits for archives. */
  limits?: { maxEntryBytes: number; maxTotalBytes: number };
  /** Encrypted backups (android-crypt): the key, and where the private plaintext copy goes. */
  decryption?: {
    keyFile?: string;
    keyHex?: string;
    /** Where the 64-digit key came from, for the notes (default: the command line); never the key. */
    keyHexSource?: string;
    workDir?: string;
  };
  /** Look for media, wa.db and owner files beside this path instead (a decrypted working copy's original). */
  layoutFrom?: string;
  /** A wa.db to read instead of the one beside the database (a decrypted wa.db.crypt15). */
  waDbPath?: string;
  /** Limits on reading a seized SQLite database (src/evidence/wa-db/budget.ts); defaults when absent. */
  sqliteBudget?: {
    stallSeconds?: number;
    totalSeconds?: number;
    heapMb?: number;
    maxCellBytes?: number;
  };
}

/** A reader's report on what it did, stored in the evidence item's notes. */
export interface ReaderNotes {
  [key: string]: unknown;
}

/** One module per evidence format, as ALEAPP does: it says what it recognizes and what it extracts. */
export interface EvidenceReader {
  kind: EvidenceKind;
  description: string;
  /** 0 (not mine) … 1 (certainly mine), decided from content, not name alone. */
  detect(path: string): Promise<number>;
  read(path: string, options: ReaderOptions, notes: ReaderNotes): AsyncIterable<ParsedRecord>;
  /**
   * Where discovery (src/evidence/discovery/) finds this reader's artifacts in a folder or container:
   * prefix-independent globs (`**` spans folders, `*` stays within a name) and, for SQLite formats, a
   * table signature (every inner list: one of its tables must exist) that claims a renamed file.
   */
  artifacts?: { patterns: string[]; tables?: string[][] };
}
