/**
 * Identity resolution on a real case, both engines: two phones exported one group; phone A shows members
 * under the names its owner saved ("Camila L.", "Boris"), phone B shows their numbers. Ingest links the two
 * exports' chats and merges the name the lines both hold pair with one number (Camila, four units); a name
 * that shares one line only (Boris) stays a suggestion for `filet identity suggestions`.
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
  const file = join(root, 'WhatsApp Chat with Garden club.txt');
  const ingestBoth = (dir: string) => {
    expect(filet(['init', dir, ...(name === 'postgres' ? ['--store', storeArg] : [])]).code).toBe(0);
    const out: string[] = [];
    for (const [text, device, owner] of [
      [A, 'A', '+34600000001'],
      [B, 'B', '+34600000002'],
    ] as const) {
      writeFileSync(file, text);
      const r = filet(['ingest', dir, file, '--device', device, '--owner', owner, '--tz', 'UTC', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      out.push(r.stdout);
    }
    return out;
  };

  it('ingest merges the unambiguous pair with its reasons; the rest are suggestions with theirs', () => {
    const [, second] = ingestBoth(kase);
    // The second item linked the two exports' chats and merged Camila; its output (and audit entry) say so.
    expect(second).toContain('export:B:Garden club');
    expect(second).toContain('name:A:Camila L.');
    const list = JSON.parse(filet(['identity', 'list', kase, '--json']).stdout) as {
      by: string;
      reason: string;
    }[];
    expect(list).toHaveLength(1);
    expect(list[0]!.by).toBe('filet (automatic identity resolution)');
    expect(list[0]!.reason).toMatch(
      /^automatic: 4 facts seen from two devices pair name:A:Camila L\. with phone:\+56911111111 \(message \d+\/\d+/,
    );
    const audit = filet(['audit', 'show', kase, '--json']);
    expect(audit.stdout).toContain('name:A:Camila L.');

    const r = filet(['identity', 'suggestions', kase, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      unambiguous: unknown[];
      suggestions: {
        from: { key: string };
        into: { key: string };
        support: number;
        reasons: { kind: string }[];
      }[];
      contradictions: unknown[];
    };
    expect(out.unambiguous).toEqual([]);
    // Boris shares one line with B's +49 number ("great"); "me" / "not me" differ: one unit, a suggestion.
    expect(out.suggestions.map((c) => [c.from.key, c.into.key, c.support])).toEqual([
      ['name:A:Boris', 'phone:+491512222222', 1],
    ]);
    expect(out.suggestions[0]!.reasons.map((x) => x.kind)).toEqual(['message']);
    expect(out.contradictions).toEqual([]);
    // Reading changes nothing, and the read is in the audit log.
    expect(JSON.parse(filet(['identity', 'list', kase, '--json']).stdout)).toHaveLength(1);
    expect(filet(['audit', 'show', kase, '--json']).stdout).toContain('identity.suggestions');
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
      const chats = await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM chats WHERE case_id = ?', [
        store.caseId,
      ]);
      return {
        chats: Number(chats?.n),
        messages: Number(n?.n),
        left: Number(left?.n),
        photos: prov.map((r) => r.devices),
      };
    } finally {
      await store.close();
    }
  };

  it('the merge joined the copies of each message into one with a provenance row per phone; the undo restores them', async () => {
    // 5 lines of A with an author + 5 of B (the creation line is an event); Camila's three lines and her
    // "left" are one each now, read from both phones, in one chat.
    const merged = await facts();
    expect(merged).toEqual({ chats: 1, messages: 7, left: 1, photos: ['A', 'B'] });
    const split = filet(['identity', 'split', kase, '1', '--json']);
    expect(split.stderr).toBe('');
    expect(JSON.parse(split.stdout)).toMatchObject({ joined: { messages: 3, events: 1 } });
    expect(await facts()).toEqual({ chats: 1, messages: 10, left: 2, photos: ['A', 'B'] });
    // The undone merge keeps the pair apart (rejectedPairs): not listed again, not merged again.
    const again = JSON.parse(filet(['identity', 'suggestions', kase, '--json']).stdout) as {
      unambiguous: unknown[];
      suggestions: { from: { key: string } }[];
    };
    expect(again.unambiguous).toHaveLength(0);
    expect(again.suggestions.map((c) => c.from.key)).toEqual(['name:A:Boris']);
    // An analyst's own merge joins the same copies.
    const m = filet([
      'identity',
      'merge',
      kase,
      'name:A:Camila L.',
      '+56911111111',
      '--reason',
      'checked',
      '--json',
    ]);
    expect(m.stderr).toBe('');
    expect(JSON.parse(m.stdout)).toMatchObject({ joined: { messages: 3, events: 1 } });
    expect(await facts()).toEqual(merged);
  });

  it('resolve applies another threshold; an undone automatic merge does not come back', () => {
    const k2 = join(root, `case2-${name}`);
    ingestBoth(k2);
    const list = JSON.parse(filet(['identity', 'list', k2, '--json']).stdout) as { id: number }[];
    expect(list).toHaveLength(1);
    expect(filet(['identity', 'split', k2, String(list[0]!.id)]).code).toBe(0);
    const r = filet(['identity', 'resolve', k2, '--min-support', '1', '--json']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { merged: { from: string; into: string; support: number }[] };
    expect(out.merged.map((x) => [x.from, x.into, x.support])).toEqual([
      ['name:A:Boris', 'phone:+491512222222', 1],
    ]);
    expect(filet(['audit', 'show', k2, '--json']).stdout).toContain('identity.resolve');
  });
});
