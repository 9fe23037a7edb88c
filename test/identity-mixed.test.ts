/**
 * The mixed operation of issue 11: one phone handed over as German chat exports with saved contact names,
 * two phones as databases (Android msgstore.db, iOS ChatStorage.sqlite). Whatever the order the evidence is
 * ingested in, on both engines, the case must hold the operation's messages once each, its events once
 * each, one account per person with their number's country, and the roles worked out by hand in
 * test/helpers/mixed-operation.ts — and two unrelated groups that share the subject "Familie" stay two.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../src/evidence/ingest.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import { canonicalizer } from '../src/model/canonical.js';
import { analyzeCase } from '../src/network/analyze.js';
import { initCase } from '../src/store/case-dir.js';
import type { Operation } from '../src/synth/operation.js';
import {
  EXPECTED_ROLES,
  PEOPLE,
  mixedOperation,
  writeMixedOperation,
  type MixedDeviceFiles,
} from './helpers/mixed-operation.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

const root = tempDir('filet-mixed-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

let op: Operation;
let devices: MixedDeviceFiles[];
let lists: string;
beforeAll(async () => {
  op = mixedOperation();
  ({ devices, lists } = await writeMixedOperation(op, join(root, 'op')));
}, 120_000);

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

const ORDERS = permutations([0, 1, 2]);

async function caseOf(storeArg: string, order: number[], n: number) {
  const { store, dir } = await initCase(join(root, `case-${n}`), { store: storeArg });
  for (const i of order) {
    const d = devices[i]!;
    await ingestPaths(store, d.files, {
      device: d.label,
      owner: d.owner,
      ownerName: d.ownerName,
      tz: d.tz,
      locale: d.locale,
    });
  }
  await importHashList(store, join(lists, 'known.csv'));
  await matchCase(store, dir);
  return store;
}

/** What the case says, in the generator's terms (numbers, not ids), with nothing filet-specific. */
async function outcome(storeArg: string, order: number[], n: number) {
  const store = await caseOf(storeArg, order, n);
  try {
    const counts = await store.counts();
    const accounts = await store.accounts();
    const canon = canonicalizer(accounts);
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const people = new Set<number>();
    for await (const page of store.messages())
      for (const m of page) if (m.senderId !== null) people.add(canon(m.senderId));
    for (const e of await store.events()) {
      if (e.actorId !== null) people.add(canon(e.actorId));
      e.targets.forEach((t) => people.add(canon(t)));
    }
    for (const m of await store.memberships()) people.add(canon(m.accountId));
    const result = await analyzeCase(store);
    const analysed = new Map(result.accounts.map((a) => [a.accountId, a]));
    const persons = [...people]
      .map((id) => {
        const a = byId.get(id)!;
        const r = analysed.get(id);
        return {
          who: a.phone ?? a.key,
          country: r?.jurisdiction.country ?? null,
          roles: [...(r?.roles ?? [])].sort(),
        };
      })
      .sort((x, y) => x.who.localeCompare(y.who));
    const phone = (id: number | null) =>
      id === null ? '' : (byId.get(canon(id))!.phone ?? byId.get(canon(id))!.key);
    const minute = (at: number) => new Date(Math.floor(at / 60000) * 60000).toISOString();
    const messages: string[] = [];
    for await (const page of store.messages())
      for (const m of page) messages.push(`${phone(m.senderId)} ${minute(m.at)} ${m.kind} ${m.text ?? ''}`);
    // The export's "messages are end-to-end encrypted" line is a notice of the export, not a group event.
    const events = (await store.events())
      .filter((e) => e.type !== 'encryption_notice')
      .map((e) => `${e.type} ${phone(e.actorId)} ${e.targets.map(phone).sort().join(',')} ${minute(e.at)}`);
    const chats = (await store.chats()).filter((c) => c.kind === 'group').length;
    return {
      messages: messages.sort(),
      events: events.sort(),
      counts: { messages: counts.messages, events: counts.events },
      chats,
      persons,
    };
  } finally {
    await store.close();
  }
}

describe.each(STORE_TARGETS)('a mixed operation on $name', ({ name, store: storeArg }) => {
  it.each(ORDERS.map((o, i) => [o.join('→'), o, i] as const))(
    'ingest order %s: the generator truth exactly',
    async (_label, order, i) => {
      const got = await outcome(storeArg, [...order], (name === 'sqlite' ? 0 : 100) + i);
      const expected = Object.entries(PEOPLE)
        .map(([k, p]) => ({
          who: p.phone,
          country: p.country,
          roles: [...EXPECTED_ROLES[k as keyof typeof PEOPLE]].sort(),
        }))
        .sort((x, y) => x.who.localeCompare(y.who));
      expect(got.persons).toEqual(expected);
      // Every message and event once, as the generator made it (an export shows no seconds and no
      // actor of "X is now an admin": the database copies supply them).
      const minute = (at: number) => new Date(Math.floor(at / 60000) * 60000).toISOString();
      expect(got.messages).toEqual(
        op.messages
          .map((m) => `${m.sender} ${minute(m.at)} ${m.kind} ${m.kind === 'text' ? m.text : ''}`)
          .sort(),
      );
      expect(got.events).toEqual(
        op.events
          .map((e) => `${e.type} ${e.actor ?? ''} ${[...e.targets].sort().join(',')} ${minute(e.at)}`)
          .sort(),
      );
      // 16 messages in Club 7, 2 + 3 in the two families; 6 events in Club 7, 2 in each family.
      expect(got.messages.length).toBe(21);
      expect(got.events.length).toBe(10);
      // Club 7 is one chat; the two groups called "Familie" stay two.
      expect(got.chats).toBe(3);
    },
    120_000,
  );
});
