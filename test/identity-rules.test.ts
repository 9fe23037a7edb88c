/**
 * The identity-resolution rules of src/model/identity.ts on hand-written facts: an export (device DE,
 * names as its owner saved them) and a database (device CL, numbers) of one chat.
 */
import { describe, expect, it } from 'vitest';
import { toE164 } from '../src/evidence/wa-db/jids.js';
import {
  coOccurrences,
  combineCandidates,
  decideIdentities,
  numberChanges,
  identityPairKey,
  linkChats,
  type ChatFacts,
  type SourcedEvent,
  type SourcedMessage,
} from '../src/model/identity.js';

const CAMILA = 'name:DE:Camila L.';
const BORIS = 'name:DE:Boris';
const P1 = 'phone:+56911111111';
const P2 = 'phone:+56922222222';
let nextId = 1;
const msg = (device: string, sender: string | null, minute: number, content: string): SourcedMessage => ({
  id: nextId++,
  chat: 7,
  device,
  sender,
  minute,
  content,
});
const ev = (
  device: string,
  type: string,
  actor: string | null,
  targets: string[],
  minute: number,
): SourcedEvent => ({ id: nextId++, chat: 7, device, type, actor, targets, minute, value: null });

describe('number changes', () => {
  const changed = (device: string, actor: string, value: string | null, minute = 300): SourcedEvent => ({
    ...ev(device, 'number_changed', actor, [], minute),
    value,
  });

  it('"X changed to +56 9 2222 2222" pairs the account with the new number; seen twice it counts once', () => {
    const a = changed('DE', P1, '+56 9 2222 2222');
    const b = changed('CL', P1, '+56 9 2222 2222');
    const c = numberChanges([a, b, changed('DE', P1, null), changed('DE', P1, 'a new number')], toE164);
    expect(c).toEqual([
      {
        from: P1,
        into: P2,
        support: 2,
        reasons: [
          { kind: 'number-changed', chat: 7, minute: 300, facts: [a.id, a.id] },
          { kind: 'number-changed', chat: 7, minute: 300, facts: [b.id, b.id] },
        ],
      },
    ]);
    // Two numbers: a suggestion at any support, never an automatic merge.
    const d = decideIdentities(c, { minSupport: 1 });
    expect(d.merges).toEqual([]);
    expect(d.suggestions.map((x) => [x.from, x.into])).toEqual([[P1, P2]]);
  });

  it('a saved name that changed number adds its unit to the lines that pair it', () => {
    const lines = coOccurrences([msg('DE', CAMILA, 100, 't:abc'), msg('CL', P2, 100, 't:abc')], []);
    const all = combineCandidates(lines, numberChanges([changed('DE', CAMILA, '+56922222222')], toE164));
    expect(all.map((x) => [x.from, x.into, x.support, x.reasons.map((r) => r.kind)])).toEqual([
      [CAMILA, P2, 2, ['message', 'number-changed']],
    ]);
    expect(decideIdentities(all, { minSupport: 2 }).merges.map((x) => x.from)).toEqual([CAMILA]);
  });
});

describe('co-occurrences', () => {
  it('one message seen from an export and a database pairs the saved name with the number', () => {
    const c = coOccurrences([msg('DE', CAMILA, 100, 't:abc'), msg('CL', P1, 100, 't:abc')], []);
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ from: CAMILA, into: P1, support: 1 });
    expect(c[0]!.reasons[0]).toMatchObject({ kind: 'message', chat: 7, minute: 100 });
  });

  it('a different minute, content or chat is no evidence; two numbers are never paired', () => {
    const c = coOccurrences(
      [
        msg('DE', CAMILA, 100, 't:abc'),
        msg('CL', P1, 101, 't:abc'),
        msg('CL', P1, 100, 't:xyz'),
        { ...msg('CL', P1, 100, 't:abc'), chat: 8 },
        msg('ES', P2, 200, 't:q'),
        msg('CL', P1, 200, 't:q'),
      ],
      [],
    );
    expect(c).toEqual([]);
  });

  it('an ambiguous unit (two senders of the same text in one minute on one device) counts for nothing', () => {
    const c = coOccurrences(
      [msg('DE', CAMILA, 100, 't:ok'), msg('CL', P1, 100, 't:ok'), msg('CL', P2, 100, 't:ok')],
      [],
    );
    expect(c).toEqual([]);
  });

  it('two copies on one device of a message from one sender still count, once', () => {
    const c = coOccurrences(
      [msg('DE', CAMILA, 100, 't:ok'), msg('CL', P1, 100, 't:ok'), msg('CL', P1, 100, 't:ok')],
      [],
    );
    expect(c).toEqual([expect.objectContaining({ from: CAMILA, into: P1, support: 1 })]);
  });

  it('system events pair actors, and the one target left after the shared ones', () => {
    const c = coOccurrences(
      [],
      [ev('DE', 'added', CAMILA, [BORIS, P2], 300), ev('CL', 'added', P1, ['phone:+56933333333', P2], 300)],
    );
    expect(c.map((x) => [x.from, x.into, x.reasons[0]!.kind])).toEqual([
      [BORIS, 'phone:+56933333333', 'event-target'],
      [CAMILA, P1, 'event-actor'],
    ]);
  });

  it('two events of one type in one minute on one device pair nobody', () => {
    const c = coOccurrences(
      [],
      [ev('DE', 'left', CAMILA, [], 300), ev('DE', 'left', BORIS, [], 300), ev('CL', 'left', P1, [], 300)],
    );
    expect(c).toEqual([]);
  });
});

describe('decisions', () => {
  const three = [0, 1, 2].flatMap((i) => [
    msg('DE', CAMILA, 10 + i, `t:${i}`),
    msg('CL', P1, 10 + i, `t:${i}`),
  ]);

  it('at least minSupport units and no contradiction: merged; fewer: a suggestion with its reasons', () => {
    const d = decideIdentities(coOccurrences(three, []), { minSupport: 3 });
    expect(d.merges.map((m) => [m.from, m.into, m.support])).toEqual([[CAMILA, P1, 3]]);
    expect(d.merges[0]!.reasons).toHaveLength(3);
    const two = decideIdentities(coOccurrences(three.slice(0, 4), []), { minSupport: 3 });
    expect(two.merges).toEqual([]);
    expect(two.suggestions.map((m) => [m.from, m.into, m.support])).toEqual([[CAMILA, P1, 2]]);
  });

  it('one name matching two numbers is a contradiction: shown, not merged', () => {
    const d = decideIdentities(
      coOccurrences([...three, msg('DE', CAMILA, 50, 't:z'), msg('CL', P2, 50, 't:z')], []),
      { minSupport: 3 },
    );
    expect(d.merges).toEqual([]);
    expect(d.contradictions).toHaveLength(1);
    expect(d.contradictions[0]!.identity).toBe(CAMILA);
    expect(d.contradictions[0]!.candidates.map((c) => c.into).sort()).toEqual([P1, P2]);
  });

  it('two saved names of one phone claiming one number is a contradiction too', () => {
    const d = decideIdentities(
      coOccurrences([...three, msg('DE', BORIS, 60, 't:y'), msg('CL', P1, 60, 't:y')], []),
      { minSupport: 3 },
    );
    expect(d.merges).toEqual([]);
    expect(d.contradictions.map((c) => c.identity)).toEqual([P1]);
  });

  it('a rejected pair is neither merged nor suggested again', () => {
    const d = decideIdentities(coOccurrences(three, []), {
      minSupport: 3,
      rejected: new Set([identityPairKey(CAMILA, P1)]),
    });
    expect(d).toEqual({ merges: [], suggestions: [], contradictions: [] });
  });

  it('the result does not depend on the order of the facts', () => {
    const facts = [...three, msg('DE', BORIS, 60, 't:y'), msg('CL', P2, 60, 't:y')];
    const a = decideIdentities(coOccurrences(facts, []), { minSupport: 1 });
    const b = decideIdentities(coOccurrences([...facts].reverse(), []), { minSupport: 1 });
    const shape = (d: typeof a) => d.merges.map((m) => `${m.from}>${m.into}:${m.support}`).sort();
    expect(shape(b)).toEqual(shape(a));
    expect(shape(a)).toEqual([`${BORIS}>${P2}:1`, `${CAMILA}>${P1}:3`]);
  });
});

describe('chat identity', () => {
  const chat = (id: number, device: string, subjects: string[], jid: string | null = null): ChatFacts => ({
    id,
    devices: [device],
    kind: 'group',
    jid,
    subjects,
  });
  const lines = (chatId: number, from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ chat: chatId, minute: from + i, content: `t:${from + i}` }));

  it('two unrelated groups with one subject on two phones stay two', () => {
    const links = linkChats(
      [chat(1, 'DE', ['Family']), chat(2, 'CL', ['Family'], '1203@g.us')],
      [...lines(1, 0, 20), ...lines(2, 1000, 20)],
      { minShared: 3 },
    );
    expect(links).toEqual([]);
  });

  it('an export and a database group holding the same messages are one chat, into the one with the JID', () => {
    const links = linkChats(
      [chat(1, 'DE', ['Garden club']), chat(2, 'CL', ['Garden', 'Garden club'], '1203@g.us')],
      [...lines(1, 0, 5), ...lines(2, 0, 8)],
      { minShared: 3 },
    );
    expect(links).toEqual([{ from: 1, into: 2, shared: 5, sameSubject: true }]);
  });

  it('too few shared lines, or two equally good candidates, link nothing; one JID always links', () => {
    expect(
      linkChats(
        [chat(1, 'DE', ['A']), chat(2, 'CL', ['B'], 'x@g.us')],
        [...lines(1, 0, 2), ...lines(2, 0, 2)],
        {
          minShared: 3,
        },
      ),
    ).toEqual([]);
    expect(
      linkChats(
        [chat(1, 'DE', ['A']), chat(2, 'CL', ['A'], 'x@g.us'), chat(3, 'ES', ['A'], 'y@g.us')],
        [...lines(1, 0, 6), ...lines(2, 0, 6), ...lines(3, 0, 6)],
        { minShared: 3 },
      ).filter((l) => l.from === 1),
    ).toEqual([]);
    expect(
      linkChats([chat(1, 'CL', ['A'], 'x@g.us'), chat(2, 'ES', ['B'], 'x@g.us')], [], { minShared: 3 }),
    ).toEqual([{ from: 2, into: 1, shared: 0, sameSubject: false }]);
  });

  it("a one-to-one export with a saved name is the database's chat with the number, never another number's", () => {
    const direct = (id: number, device: string, parties: string[]): ChatFacts => ({
      id,
      devices: [device],
      kind: 'direct',
      jid: null,
      subjects: [],
      parties,
    });
    const OWNER = 'phone:+34600000001';
    // The owner's own export (Camila saved by name) and the owner's database, and a chat with someone else.
    const chats = [direct(1, 'A', [OWNER, CAMILA]), direct(2, 'A', [OWNER, P1]), direct(3, 'A', [OWNER, P2])];
    expect(
      linkChats(chats, [...lines(1, 0, 6), ...lines(2, 0, 6), ...lines(3, 500, 6)], { minShared: 3 }),
    ).toEqual([{ from: 1, into: 2, shared: 6, sameSubject: false }]);
    // Lines shared with both numbers' chats alike: no clear best, nothing linked; two numbers never link.
    expect(
      linkChats(chats, [...lines(1, 0, 6), ...lines(2, 0, 6), ...lines(3, 0, 6)], { minShared: 3 }),
    ).toEqual([]);
    // Two saved names of one phone are two contacts; another owner's chat is another chat.
    expect(
      linkChats(
        [
          direct(1, 'A', [OWNER, CAMILA]),
          direct(2, 'A', [OWNER, BORIS]),
          direct(3, 'B', ['phone:+34600000002', P1]),
        ],
        [...lines(1, 0, 6), ...lines(2, 0, 6), ...lines(3, 0, 6)],
        { minShared: 3 },
      ),
    ).toEqual([]);
  });

  it("one phone's export of its own database's group is one chat; two exports of one phone stay two", () => {
    expect(
      linkChats(
        [chat(1, 'CL', ['Club']), chat(2, 'CL', ['Club'], 'x@g.us')],
        [...lines(1, 0, 5), ...lines(2, 0, 5)],
        { minShared: 3 },
      ),
    ).toEqual([{ from: 1, into: 2, shared: 5, sameSubject: true }]);
    expect(
      linkChats(
        [chat(1, 'CL', ['Club']), chat(2, 'CL', ['Club 2'])],
        [...lines(1, 0, 5), ...lines(2, 0, 5)],
        {
          minShared: 3,
        },
      ),
    ).toEqual([]);
    // Two JIDs that differ are two groups, however many lines they share (a forwarded burst).
    expect(
      linkChats(
        [chat(1, 'CL', ['A'], 'x@g.us'), chat(2, 'ES', ['A'], 'y@g.us')],
        [...lines(1, 0, 9), ...lines(2, 0, 9)],
        { minShared: 3 },
      ),
    ).toEqual([]);
  });
});
