/**
 * The conversation reader over a real case on both engines: hand-written export lines (the expected order
 * and contents are the lines themselves), and a long generated chat walked window by window in both
 * directions, whose truth is the order the generator wrote its lines in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationEntry, ConversationPage } from '../src/api/contract.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { buildCaseView } from '../src/server/services/case-view.js';
import { conversation } from '../src/server/services/conversation.js';
import { HttpError } from '../src/server/services/paging.js';
import { accountTimeline } from '../src/server/services/timeline.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

// Minutes of one day (UTC): 10:00, 10:01, … written as Android "en" export times.
const time = (minute: number) => {
  const h = 10 + Math.floor(minute / 60);
  const m = minute % 60;
  return `3/14/23, ${h > 12 ? h - 12 : h}:${String(m).padStart(2, '0')} ${h >= 12 ? 'PM' : 'AM'}`;
};

const SMALL = [
  `${time(0)} - Ana created group "SYNTHETIC garden club"`,
  `${time(0)} - Ana: first words`,
  `${time(1)} - Ana: second words`,
  // The same minute: the system line comes first in the reader's order, then the message, whatever the
  // lines' order in the file.
  `${time(2)} - Boris: Boris speaks at 10:02`,
  `${time(2)} - Ana added Boris`,
  `${time(3)} - Boris: last words`,
];

const LONG = 1000;

function exportFile(dir: string, name: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, `WhatsApp Chat with ${name}.txt`);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const label = (e: ConversationEntry) => (e.type === 'message' ? `m:${e.text}` : `e:${e.event}`);

describe.each(STORE_TARGETS)('conversation reader on $name', (target) => {
  let store: CaseStore;
  let smallChat: number;
  let longChat: number;

  beforeAll(async () => {
    const root = tempDir('filet-conversation-');
    ({ store } = await initCase(join(root, 'case'), { store: target.store }));
    await store.setSynthetic(true);
    const small = exportFile(join(root, 'ev'), 'SYNTHETIC garden club', SMALL);
    const long = exportFile(join(root, 'ev2'), 'SYNTHETIC long chat', [
      `${time(0)} - Carla created group "SYNTHETIC long chat"`,
      ...Array.from(
        { length: LONG },
        (_, i) => `${time(Math.floor(i / 2))} - ${['Carla', 'Dora', 'Emil'][i % 3]}: line ${i}`,
      ),
    ]);
    for (const p of [small, long]) {
      const [o] = await ingestPaths(store, [p], { tz: 'UTC', owner: '+34 600 000 009' });
      expect(o!.status).toBe('ingested');
    }
    const chats = await store.chats();
    smallChat = chats.find((c) => c.subject?.includes('garden'))!.id;
    longChat = chats.find((c) => c.subject?.includes('long'))!.id;
  }, 120_000);
  afterAll(async () => store?.close());

  it('reads a chat in order, system lines inline, senders named', async () => {
    const v = await buildCaseView(store);
    const p = await conversation(store, v, smallChat, { limit: 50 });
    expect(p.items.map(label)).toEqual([
      'e:created',
      'm:first words',
      'm:second words',
      'e:added',
      'm:Boris speaks at 10:02',
      'm:last words',
    ]);
    expect([p.before, p.after]).toEqual([null, null]);
    expect(p.chat).toMatchObject({ kind: 'group', messages: 4, events: 2 });
    const boris = p.items.find((e) => e.type === 'message' && e.text === 'last words')!;
    expect(boris.type === 'message' && p.people[String(boris.sender)]!.label).toContain('Boris');
    const added = p.items.find((e) => e.type === 'event' && e.event === 'added')!;
    expect(added.type === 'event' && added.targets.map((t) => p.people[String(t)]!.label)).toEqual([
      expect.stringContaining('Boris'),
    ]);
  });

  it('walks a long chat forward and backward window by window, each item once, in the written order', async () => {
    const v = await buildCaseView(store);
    const truth = ['e:created', ...Array.from({ length: LONG }, (_, i) => `m:line ${i}`)];
    const forward: string[] = [];
    let page: ConversationPage = await conversation(store, v, longChat, { limit: 64 });
    forward.push(...page.items.map(label));
    while (page.after) {
      page = await conversation(store, v, longChat, { limit: 64, after: page.after });
      forward.push(...page.items.map(label));
    }
    expect(forward).toEqual(truth);
    const backward: string[][] = [];
    page = await conversation(store, v, longChat, { limit: 50, end: 'last' });
    backward.unshift(page.items.map(label));
    while (page.before) {
      page = await conversation(store, v, longChat, { limit: 50, before: page.before });
      backward.unshift(page.items.map(label));
    }
    expect(backward.flat()).toEqual(truth);
  });

  it('opens at a message, which sits in the middle of its window', async () => {
    const v = await buildCaseView(store);
    const all = await conversation(store, v, longChat, { limit: 200 });
    const target = all.items[124]!; // "line 123", after the created line
    const p = await conversation(store, v, longChat, { limit: 21 }, target.id);
    expect(p.focus).toBe(target.id);
    expect(p.items.map(label)).toEqual(Array.from({ length: 21 }, (_, i) => `m:line ${113 + i}`));
    expect(p.before).not.toBeNull();
    expect(p.after).not.toBeNull();
    // A message of another chat is not opened in this one.
    const other = (await conversation(store, v, smallChat, { limit: 5 })).items.find(
      (e) => e.type === 'message',
    )!;
    await expect(conversation(store, v, longChat, { limit: 5 }, other.id)).rejects.toThrow(HttpError);
    await expect(conversation(store, v, longChat, { limit: 5, before: '1.x.2' })).rejects.toThrow(
      /not a conversation cursor/,
    );
  });

  it("puts one person's memberships, messages and events on one axis, a lane per chat", async () => {
    const v = await buildCaseView(store);
    const p = await conversation(store, v, smallChat, { limit: 50 });
    const borisId = Object.values(p.people).find((x) => x.label.includes('Boris'))!.id;
    const t = await accountTimeline(store, v, borisId);
    expect(t.lanes.map((l) => l.chatId)).toEqual([smallChat]);
    const lane = t.lanes[0]!;
    // From the lines: Boris wrote at 10:02 and 10:03 and was added at 10:02.
    expect(lane.posts.map((x) => x.at)).toEqual(['2023-03-14T10:02:00.000Z', '2023-03-14T10:03:00.000Z']);
    expect(lane.events.map((e) => [e.type, e.at])).toEqual([['added', '2023-03-14T10:02:00.000Z']]);
    expect(lane.intervals[0]!.from).toBe('2023-03-14T10:02:00.000Z');
    expect([t.from, t.to]).toEqual(['2023-03-14T10:02:00.000Z', '2023-03-14T10:03:00.000Z']);
  });
});
