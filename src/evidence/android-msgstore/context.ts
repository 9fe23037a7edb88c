import { directChatKey } from '../../model/keys.js';
import type { Location, ParsedEvent, ParsedRecord, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { AccountEmitter } from '../wa-db/accounts.js';
import { accountKeyOfJid, jidKind, jidString, parseJid, type JidKind } from '../wa-db/jids.js';
import type { MediaFolder } from '../wa-db/media.js';
import type { Owner } from '../wa-db/owner.js';
import type { Db } from '../wa-db/sqlite.js';
import { SELF_EVENTS, actionEvent } from './codes.js';

export interface ChatRef {
  key: string;
  kind: 'group' | 'direct';
  /** For a one-to-one chat, the other party (the sender of every row not from the owner). */
  partnerKey: string | null;
}

/** State shared by the new-schema and legacy passes over one database. */
export class Ctx {
  readonly accounts: AccountEmitter;
  readonly groups = new Set<string>();
  readonly groupsWithMembers = new Set<string>();
  readonly skippedChats: Record<string, number> = {};
  readonly counts = {
    messages: 0,
    events: 0,
    members: 0,
    eventsOutsideGroups: 0,
    rowsInSkippedChats: 0,
    rowsWithoutChat: 0,
    legacyRowsRead: 0,
    legacyRowsAlsoInNewSchema: 0,
    unknownKinds: {} as Record<string, number>,
    unknownActions: {} as Record<string, number>,
  };

  constructor(
    readonly db: Db,
    readonly path: string,
    readonly options: ReaderOptions,
    readonly notes: ReaderNotes,
    readonly owner: Owner,
    readonly media: MediaFolder,
    readonly creators: Map<string, string>,
  ) {
    this.accounts = new AccountEmitter(owner.key);
  }

  skipChat(kind: JidKind): void {
    this.skippedChats[kind] = (this.skippedChats[kind] ?? 0) + 1;
  }

  /**
   * Chat of a JID string (legacy rows, key_remote_jid): null when it is not a chat of people. A one-to-one
   * chat is keyed by the owner and the partner together; `partnerKey` overrides the partner's identity
   * read off the JID (a LID that `jid_map` resolves to a number).
   */
  chatOfJid(raw: string | null, partnerKey?: string | null): ChatRef | { skipped: JidKind } | null {
    const j = parseJid(raw);
    if (!j) return null;
    const kind = jidKind(j);
    if (kind === 'group') return { key: `jid:${jidString(j)}`, kind: 'group', partnerKey: null };
    const acc = partnerKey ?? accountKeyOfJid(j);
    if (acc) return { key: directChatKey(this.owner.key, acc), kind: 'direct', partnerKey: acc };
    return { skipped: kind };
  }

  /** Builds a membership event; the actor of `left` / `joined via link` is the one concerned. */
  event(
    groupKey: string,
    code: number | null,
    actor: string | null,
    targets: string[],
    at: number,
    value: string | null,
    raw: string,
    loc: Location,
  ): ParsedEvent {
    const eventType = actionEvent(code);
    if (eventType === 'unknown') {
      const k = String(code);
      this.counts.unknownActions[k] = (this.counts.unknownActions[k] ?? 0) + 1;
    }
    let t = [...new Set(targets)];
    if (SELF_EVENTS.has(eventType)) {
      actor = actor ?? t[0] ?? null;
      t = t.filter((x) => x !== actor);
    }
    this.counts.events++;
    return { type: 'event', groupKey, eventType, actorKey: actor, targetKeys: t, at, value, raw, loc };
  }

  noteKind(code: number | null): void {
    const k = String(code);
    this.counts.unknownKinds[k] = (this.counts.unknownKinds[k] ?? 0) + 1;
  }

  writeNotes(): void {
    this.notes.owner = { key: this.owner.key, number: this.owner.phone, source: this.owner.source };
    this.notes.skippedChats = this.skippedChats;
    this.notes.counts = { ...this.counts, accounts: this.accounts.size, groups: this.groups.size };
    this.media.writeNotes(this.notes);
  }
}

export type Emit = AsyncGenerator<ParsedRecord, void, undefined>;
