/**
 * `filet identity suggestions` on a real SQLite case: two phones exported one group; phone A shows a member
 * under the name its owner saved ("Camila L."), phone B shows her number. The lines both exports hold pair
 * the name with the number; a name that shares one line only stays a suggestion; nothing is merged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCase } from '../src/store/case-dir.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS } from './helpers/stores.js';

const root = mkdtempSync(join(tmpdir(), 'filet-idsug-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Hand-written exports (synthetic people and numbers). Phone A saved Camila and Boris by name; phone B did not.
const A = [
  '12/03/2026, 10:00 - Ana created group "Garden club"',
  '12/03/2026, 10:01 - Camila L.: the tomatoes are up',
  '12/03/2026, 10:02 - Camila L.: photos tomorrow',
  '12/03/2026, 10:05 - Boris: great',
  '12/03/2026, 10:07 - Camila L.: who has the key to the shed?',
  '12/03/2026, 10:09 - Boris: me',
  '12/03/2026, 10:10 - Camila L. left',
  '',
].join('\n');
const B = [
  '12/03/2026, 10:01 - +56 9 1111 1111: the tomatoes are up',
  '12/03/2026, 10:02 - +56 9 1111 1111: photos tomorrow',
  '12/03/2026, 10:05 - +49 151 2222222: great',
  '12/03/2026, 10:07 - +56 9 1111 1111: who has the key to the shed?',
  '12/03/2026, 10:08 - +49 151 2222222: not me',
  '12/03/2026, 10:10 - +56 9 1111 1111 left',
  '',
].join('\n');

describe.each(STORE_TARGETS)('identity suggestions and merges on $name', ({ name, store: storeArg }) => {
  const kase = join(root, `case-${name}`);
  it('pairs saved names with numbers from lines both phones hold, with reasons, and merges nothing', () => {
    writeFileSync(join(root, 'WhatsApp Chat with Garden club.txt'), A);
    expect(filet(['init', kase, ...(name === 'postgres' ? ['--store', storeArg] : [])]).code).toBe(0);
    const ingest = (file: string, device: string, owner: string) =>
      filet([
        'ingest',
        kase,
        join(root, file),
        '--device',
        device,
        '--owner',
        owner,
        '--tz',
        'UTC',
        '--json',
      ]);
    expect(ingest('WhatsApp Chat with Garden club.txt', 'A', '+34600000001').code).toBe(0);
    writeFileSync(join(root, 'WhatsApp Chat with Garden club.txt'), B);
    expect(ingest('WhatsApp Chat with Garden club.txt', 'B', '+34600000002').code).toBe(0);

    const r = filet(['identity', 'suggestions', kase, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      unambiguous: {
        from: { key: string };
        into: { key: string };
        support: number;
        reasons: { kind: string }[];
      }[];
      suggestions: { from: { key: string }; into: { key: string }; support: number }[];
      contradictions: unknown[];
    };
    expect(out.unambiguous.map((c) => [c.from.key, c.into.key, c.support])).toEqual([
      ['name:A:Camila L.', 'phone:+56911111111', 4],
    ]);
    expect(out.unambiguous[0]!.reasons.map((x) => x.kind)).toEqual([
      'message',
      'message',
      'message',
      'event-actor',
    ]);
    // Boris shares one line with B's +49 number ("great"); "me" / "not me" differ: one unit, a suggestion.
    expect(out.suggestions.map((c) => [c.from.key, c.into.key, c.support])).toEqual([
      ['name:A:Boris', 'phone:+491512222222', 1],
    ]);
    expect(out.contradictions).toEqual([]);
    // Read only: no merge was made, and the read is in the audit log.
    expect(JSON.parse(filet(['identity', 'list', kase, '--json']).stdout)).toEqual([]);
    const audit = filet(['audit', 'show', kase, '--json']);
    expect(audit.stdout).toContain('identity.suggestions');
    // A bad threshold is a clear error.
    const bad = filet(['identity', 'suggestions', kase, '--min-support', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--min-support');
  });

  const facts = async () => {
    const { store } = await openCase(kase);
    try {
      const n = await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages WHERE case_id = ?', [
        store.caseId,
      ]);
      const prov = await store.db.all<{ text: string; devices: string }>(
        `SELECT m.text AS text, e.device_label AS devices FROM messages m
           JOIN provenance p ON p.case_id = m.case_id AND p.fact_type = 'message' AND p.fact_id = m.id
           JOIN evidence e ON e.case_id = p.case_id AND e.id = p.evidence_id
         WHERE m.case_id = ? AND m.text = ? ORDER BY e.device_label`,
        [store.caseId, 'photos tomorrow'],
      );
      const left = await store.db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM events WHERE case_id = ? AND type = 'left'",
        [store.caseId],
      );
      return { messages: Number(n?.n), left: Number(left?.n), photos: prov.map((r) => r.devices) };
    } finally {
      await store.close();
    }
  };

  it('a merge joins the copies of each message into one with a provenance row per phone; the undo restores them', async () => {
    const before = await facts();
    // 5 lines of A with an author + 5 of B (the creation line is an event).
    expect(before).toEqual({ messages: 10, left: 2, photos: ['A', 'B'] });
    const m = filet([
      'identity',
      'merge',
      kase,
      'name:A:Camila L.',
      '+56911111111',
      '--reason',
      'suggestion: 3 lines',
      '--json',
    ]);
    expect(m.stderr).toBe('');
    expect(JSON.parse(m.stdout)).toMatchObject({ joined: { messages: 3, events: 1 } });
    const after = await facts();
    expect(after.messages).toBe(7);
    expect(after.left).toBe(1);
    // One message, read from both phones.
    expect(after.photos).toEqual(['A', 'B']);
    const { store } = await openCase(kase);
    try {
      const one = await store.db.all<{ id: number }>(
        'SELECT id FROM messages WHERE case_id = ? AND text = ?',
        [store.caseId, 'photos tomorrow'],
      );
      expect(one).toHaveLength(1);
    } finally {
      await store.close();
    }
    const split = filet(['identity', 'split', kase, '1', '--json']);
    expect(split.stderr).toBe('');
    expect(JSON.parse(split.stdout)).toMatchObject({ joined: { messages: 3, events: 1 } });
    expect(await facts()).toEqual(before);
    // The facts are as before; the undone merge keeps the pair apart (rejectedPairs): no longer listed.
    const again = JSON.parse(filet(['identity', 'suggestions', kase, '--json']).stdout) as {
      unambiguous: unknown[];
      suggestions: { from: { key: string } }[];
    };
    expect(again.unambiguous).toHaveLength(0);
    expect(again.suggestions.map((c) => c.from.key)).toEqual(['name:A:Boris']);
  });

  it('resolve merges only the unambiguous pair, with its reasons; after an undo it does not come back', () => {
    const k2 = join(root, `case2-${name}`);
    expect(filet(['init', k2, ...(name === 'postgres' ? ['--store', storeArg] : [])]).code).toBe(0);
    const file = join(root, 'WhatsApp Chat with Garden club.txt');
    for (const [text, device, owner] of [
      [A, 'A', '+34600000001'],
      [B, 'B', '+34600000002'],
    ] as const) {
      writeFileSync(file, text);
      expect(filet(['ingest', k2, file, '--device', device, '--owner', owner, '--tz', 'UTC']).code).toBe(0);
    }
    const r = filet(['identity', 'resolve', k2, '--json']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      merged: { id: number; from: string; into: string; support: number }[];
    };
    expect(out).toMatchObject({ suggestions: 1, contradictions: 0 });
    expect(out.merged.map((m) => [m.from, m.into, m.support])).toEqual([
      ['name:A:Camila L.', 'phone:+56911111111', 4],
    ]);
    const list = JSON.parse(filet(['identity', 'list', k2, '--json']).stdout) as {
      by: string;
      reason: string;
    }[];
    expect(list).toHaveLength(1);
    expect(list[0]!.by).toBe('filet (automatic identity resolution)');
    expect(list[0]!.reason).toMatch(
      /^automatic: 4 facts seen from two devices pair name:A:Camila L\. with phone:\+56911111111 \(message \d+\/\d+/,
    );
    expect(filet(['audit', 'show', k2, '--json']).stdout).toContain('identity.resolve');
    expect(filet(['identity', 'split', k2, String(out.merged[0]!.id)]).code).toBe(0);
    const again = JSON.parse(filet(['identity', 'resolve', k2, '--json']).stdout) as { merged: unknown[] };
    expect(again.merged).toEqual([]);
  });
});
