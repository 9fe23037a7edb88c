/**
 * Older states of one device database. WhatsApp on Android keeps, beside `msgstore.db(.cryptNN)`, up to
 * about seven daily copies `msgstore-YYYY-MM-DD.N.db(.cryptNN)`: the same database as it was on that day.
 * Each state is an evidence item of its own (its file, its SHA-256), read by the usual reader; facts meet
 * by their natural keys (a message by its WhatsApp key id), so a message held by two states is one message
 * with a provenance row per state — never two messages. What this module adds is the relation between the
 * states and what follows from it: a fact read from an older state and absent from the newest state of
 * the same database is **deleted later** (`deleted_later` = the newest state's evidence id).
 *
 * **Which states are one database** (the lineage rule):
 * 1. Same identity: the same app flavour (consumer / Business, from discovery, else the file's path) and
 *    the same owner account as the reader resolved it (device files or --owner; without either, the
 *    per-device placeholder `owner:<device>`, so states of different devices never meet).
 * 2. And the same chats: a state joins a lineage of that identity only when it shares at least one chat
 *    (group JID or one-to-one partner) with the states already in it. An unrelated database that happens
 *    to sit in the same folder (and so gets the same owner from its shared_prefs) shares no chat and forms
 *    a lineage of its own. A state sharing chats with two lineages joins them into one. A state holding no
 *    chat at all joins the one lineage of its identity when there is exactly one (a database whose every
 *    chat was deleted is still that database), else stands alone.
 * **Order**: a dated state by its date; an undated one (`msgstore.db`, the current database) is newer than
 * every dated one; between two undated ones, the one holding the later message is newer. Ties: evidence id.
 * The marks are recomputed for the whole lineage each time a state is added, inside the ingest's
 * transaction, so the result does not depend on the order in which the states were ingested.
 */
import { stateDateOfName } from '../model/database-state.js';
import type { EvidenceItem } from '../model/types.js';
import type { Param, SqlDriver } from './driver.js';

/** Evidence kinds that are a state of an Android msgstore. */
const STATE_KINDS = new Set(['android-msgstore', 'android-msgstore-crypt']);

export interface DatabaseStateNote {
  /** The lineage this state belongs to (`android:<app>:<owner key>#<n>`). */
  instance: string;
  /** Backup day of a dated older copy; null for a current database. */
  stateDate: string | null;
  /** Why it joined (or did not join) other states. */
  decision: string;
}

export interface LineageState {
  evidenceId: number;
  stateDate: string | null;
  newestAt: number | null;
}

export interface Lineage {
  instance: string;
  /** Oldest first; the last is the newest state. */
  states: LineageState[];
  deletedLater: { messages: number; events: number; memberships: number };
}

function stateDateOf(item: Pick<EvidenceItem, 'path' | 'notes'>): string | null {
  const enc = item.notes.encryptedBackup as { olderBackupOf?: unknown } | undefined;
  if (typeof enc?.olderBackupOf === 'string') return enc.olderBackupOf;
  const disc = item.notes.discovery as { artifact?: unknown } | undefined;
  return stateDateOfName(typeof disc?.artifact === 'string' ? disc.artifact : item.path);
}

function identityOf(item: Pick<EvidenceItem, 'path' | 'notes'>): string | null {
  const owner = item.notes.owner as { key?: unknown } | undefined;
  if (typeof owner?.key !== 'string') return null;
  const disc = item.notes.discovery as { instance?: { app?: unknown; user?: unknown } } | undefined;
  const app =
    typeof disc?.instance?.app === 'string'
      ? disc.instance.app
      : /(^|[/\\])com\.whatsapp\.w4b([/\\]|$)/.test(item.path)
        ? 'business'
        : 'consumer';
  const user =
    typeof disc?.instance?.user === 'number' && disc.instance.user ? `:user${disc.instance.user}` : '';
  return `android:${app}${user}:${owner.key}`;
}

const place = (xs: unknown[]) => xs.map(() => '?').join(',');

/**
 * Records an ingested msgstore state and recomputes the deleted-later marks of its lineage. Runs inside
 * the ingest transaction, after the item's records are written. Returns the note for the item (null when
 * the item is not a msgstore state, or its owner is unknown to the reader).
 */
export async function linkDatabaseState(
  db: SqlDriver,
  caseId: string,
  evidenceId: number,
  item: Pick<EvidenceItem, 'path' | 'notes' | 'kind'>,
): Promise<DatabaseStateNote | null> {
  if (!STATE_KINDS.has(item.kind)) return null;
  const identity = identityOf(item);
  if (!identity) return null;
  const stateDate = stateDateOf(item);
  const newest = await db.get<{ t: number | null }>(
    `SELECT MAX(m.at) AS t FROM provenance p JOIN messages m ON m.case_id = p.case_id AND m.id = p.fact_id
      WHERE p.case_id = ? AND p.fact_type = 'message' AND p.evidence_id = ?`,
    [caseId, evidenceId],
  );
  const mine = await chatsOf(db, caseId, evidenceId);
  const rows = await db.all<{ instance: string; evidence_id: number }>(
    'SELECT instance, evidence_id FROM database_states WHERE case_id = ? AND identity = ?',
    [caseId, identity],
  );
  const lineages = new Map<string, number[]>();
  for (const r of rows)
    (lineages.get(r.instance) ?? lineages.set(r.instance, []).get(r.instance)!).push(Number(r.evidence_id));
  const overlapping: string[] = [];
  for (const [inst, ids] of lineages) {
    const theirs = new Set<number>();
    for (const id of ids) for (const c of await chatsOf(db, caseId, id)) theirs.add(c);
    if ([...mine].some((c) => theirs.has(c))) overlapping.push(inst);
  }
  let instance: string;
  let decision: string;
  if (overlapping.length) {
    overlapping.sort();
    instance = overlapping[0]!;
    decision = `same owner and app, shares chats with the states of ${instance}`;
    if (overlapping.length > 1) {
      // One state bridging two lineages shows they were one database all along.
      await db.run(
        `UPDATE database_states SET instance = ? WHERE case_id = ? AND instance IN (${place(overlapping)})`,
        [instance, caseId, ...overlapping],
      );
      decision += ` (and with ${overlapping.slice(1).join(', ')}, now one lineage)`;
    }
  } else if (!mine.size && lineages.size === 1) {
    instance = [...lineages.keys()][0]!;
    decision = `holds no chat; the only database of this owner and app is ${instance}`;
  } else {
    let n = 1;
    while (lineages.has(`${identity}#${n}`)) n++;
    instance = `${identity}#${n}`;
    decision = lineages.size
      ? `no chat in common with ${[...lineages.keys()].join(', ')}: a database of its own`
      : 'first state of this database in the case';
  }
  await db.run(
    `INSERT INTO database_states (case_id, evidence_id, identity, instance, state_date, newest_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [caseId, evidenceId, identity, instance, stateDate, newest?.t ?? null],
  );
  await recomputeMarks(db, caseId, instance);
  return { instance, stateDate, decision };
}

/** Chats an evidence item holds: groups it declared and chats of the messages it holds. */
async function chatsOf(db: SqlDriver, caseId: string, evidenceId: number): Promise<Set<number>> {
  const rows = await db.all<{ c: number }>(
    `SELECT fact_id AS c FROM provenance WHERE case_id = ? AND fact_type = 'chat' AND evidence_id = ?
     UNION
     SELECT m.chat_id AS c FROM provenance p JOIN messages m ON m.case_id = p.case_id AND m.id = p.fact_id
      WHERE p.case_id = ? AND p.fact_type = 'message' AND p.evidence_id = ?`,
    [caseId, evidenceId, caseId, evidenceId],
  );
  return new Set(rows.map((r) => Number(r.c)));
}

function compareStates(a: LineageState, b: LineageState): number {
  if (a.stateDate !== b.stateDate) {
    if (a.stateDate === null) return 1;
    if (b.stateDate === null) return -1;
    return a.stateDate < b.stateDate ? -1 : 1;
  }
  if (a.stateDate === null && (a.newestAt ?? -Infinity) !== (b.newestAt ?? -Infinity))
    return (a.newestAt ?? -Infinity) - (b.newestAt ?? -Infinity);
  return a.evidenceId - b.evidenceId;
}

async function statesOf(db: SqlDriver, caseId: string, instance: string): Promise<LineageState[]> {
  const rows = await db.all<{ evidence_id: number; state_date: string | null; newest_at: number | null }>(
    'SELECT evidence_id, state_date, newest_at FROM database_states WHERE case_id = ? AND instance = ?',
    [caseId, instance],
  );
  return rows
    .map((r) => ({
      evidenceId: Number(r.evidence_id),
      stateDate: r.state_date ?? null,
      newestAt: r.newest_at === null ? null : Number(r.newest_at),
    }))
    .sort(compareStates);
}

/** Clears and sets the deleted-later marks of one lineage from its states' provenance. */
async function recomputeMarks(db: SqlDriver, caseId: string, instance: string): Promise<void> {
  const states = await statesOf(db, caseId, instance);
  const all = states.map((s) => s.evidenceId);
  const newest = all[all.length - 1]!;
  const older = all.slice(0, -1);
  for (const t of ['messages', 'events', 'memberships'])
    await db.run(
      `UPDATE ${t} SET deleted_later = NULL WHERE case_id = ? AND deleted_later IN (${place(all)})`,
      [caseId, ...all],
    );
  if (!older.length) return;
  for (const [table, factType] of [
    ['messages', 'message'],
    ['events', 'event'],
  ] as const) {
    const params: Param[] = [newest, caseId, caseId, factType, ...older, factType, newest];
    await db.run(
      `UPDATE ${table} SET deleted_later = ? WHERE case_id = ? AND deleted_later IS NULL
         AND id IN (SELECT fact_id FROM provenance WHERE case_id = ? AND fact_type = ?
                     AND evidence_id IN (${place(older)}))
         AND NOT EXISTS (SELECT 1 FROM provenance q WHERE q.case_id = ${table}.case_id AND q.fact_type = ?
                     AND q.fact_id = ${table}.id AND q.evidence_id = ?)`,
      params,
    );
  }
  await db.run(
    `UPDATE memberships SET deleted_later = ? WHERE case_id = ? AND deleted_later IS NULL
       AND EXISTS (SELECT 1 FROM provenance p WHERE p.case_id = memberships.case_id AND p.fact_type = 'membership'
                   AND p.fact_id = memberships.chat_id AND p.fact_aux = memberships.account_id
                   AND p.evidence_id IN (${place(older)}))
       AND NOT EXISTS (SELECT 1 FROM provenance q WHERE q.case_id = memberships.case_id AND q.fact_type = 'membership'
                   AND q.fact_id = memberships.chat_id AND q.fact_aux = memberships.account_id
                   AND q.evidence_id = ?)`,
    [newest, caseId, ...older, newest],
  );
}

/** Every lineage of the case with its states (oldest first) and how many facts are deleted later. */
export async function databaseLineages(db: SqlDriver, caseId: string): Promise<Lineage[]> {
  const names = await db.all<{ instance: string }>(
    'SELECT DISTINCT instance FROM database_states WHERE case_id = ? ORDER BY instance',
    [caseId],
  );
  const out: Lineage[] = [];
  for (const { instance } of names) {
    const states = await statesOf(db, caseId, instance);
    const newest = states[states.length - 1]!.evidenceId;
    const count = async (t: string) =>
      Number(
        (
          await db.get<{ n: number }>(
            `SELECT COUNT(*) AS n FROM ${t} WHERE case_id = ? AND deleted_later = ?`,
            [caseId, newest],
          )
        )?.n ?? 0,
      );
    out.push({
      instance,
      states,
      deletedLater: {
        messages: await count('messages'),
        events: await count('events'),
        memberships: await count('memberships'),
      },
    });
  }
  return out;
}
