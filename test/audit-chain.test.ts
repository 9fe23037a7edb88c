import { createHash, createHmac } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCase, openCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

/**
 * The audit chain against an attacker who can write the case's store but does not hold the installation's
 * key (docs/audit.md). Each attack is done the way that attacker would: SQL on the store, and — where they
 * recompute hashes — with plain SHA-256, since they have no key. Expected values (key ids, MACs, canonical
 * text) are computed here from the documented formats, not by the code under test.
 */

interface RawRow {
  case_id: string;
  seq: number;
  at: number;
  actor: string;
  action: string;
  args: string;
  result: string;
  prev_hash: string;
  hash: string;
}

const ZERO = '0'.repeat(64);
const TEST_KEY_FILE = process.env.FILET_AUDIT_KEY_FILE ?? '';

/** The key file's bytes: 64 hex digits (32 bytes) and a newline (docs/audit.md). */
const keyBytes = (file: string) => Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
const keyIdOf = (file: string) =>
  createHash('sha256').update('filet-audit-key-id').update(keyBytes(file)).digest('hex').slice(0, 16);

/** The MAC input of docs/audit.md, written out independently. */
function macOf(key: Buffer, caseId: string, r: RawRow): string {
  const msg = [
    'filet-audit/2',
    caseId,
    String(r.seq),
    r.prev_hash,
    String(r.at),
    JSON.stringify(r.actor),
    JSON.stringify(r.action),
    r.args,
    r.result,
  ].join('\n');
  return createHmac('sha256', key).update(msg).digest('hex');
}

/** What an attacker without the key can compute: the unkeyed SHA-256 chain filet used to write. */
function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
    .join(',')}}`;
}
function plainHash(prev: string, r: Pick<RawRow, 'at' | 'actor' | 'action' | 'args' | 'result'>): string {
  const body = sortedJson({
    at: r.at,
    actor: r.actor,
    action: r.action,
    args: JSON.parse(r.args),
    result: JSON.parse(r.result),
  });
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

const caseIdOf = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { caseId: string }).caseId;

async function withStore<T>(dir: string, fn: (s: CaseStore) => Promise<T>): Promise<T> {
  const { store } = await openCase(dir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const rawRows = (s: CaseStore) =>
  s.db
    .all<RawRow>('SELECT * FROM audit WHERE case_id = ? ORDER BY seq', [s.caseId])
    .then((rows) => rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) })));

const setHeadMeta = (s: CaseStore, seq: number, hash: string) =>
  s.db.run("UPDATE case_meta SET value = ? WHERE case_id = ? AND key = 'audit_head'", [
    JSON.stringify({ seq, hash }),
    s.caseId,
  ]);

interface VerifyJson {
  ok: boolean;
  entries: number;
  head: string;
  problems: { seq: number; problem: string; detail: string }[];
}
function verifyJson(dir: string, extra: string[] = [], env: Record<string, string> = {}) {
  const r = filet(['audit', 'verify', dir, '--json', ...extra], env);
  let v: VerifyJson | null;
  try {
    v = JSON.parse(r.stdout) as VerifyJson;
  } catch {
    v = null;
  }
  return { ...r, v };
}
const problemsOf = (v: VerifyJson | null) => (v?.problems ?? []).map((p) => p.problem);

it('the test run keeps its audit key in a temporary folder, never in the home folder', () => {
  expect(TEST_KEY_FILE).not.toBe('');
  expect(TEST_KEY_FILE.startsWith(homedir() + '/')).toBe(false);
});

describe.each(STORE_TARGETS)('audit chain on $name', ({ name, store: storeArg }) => {
  const init = (dir: string, env: Record<string, string> = {}) =>
    filet(['init', dir, ...(name === 'postgres' ? ['--store', storeArg] : [])], env);

  it('a fresh case verifies, starts with a genesis entry bound to its id, and still verifies after several commands', () => {
    const dir = join(tempDir(), 'case');
    expect(init(dir).code).toBe(0);
    const fresh = filet(['audit', 'verify', dir]);
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/intact: 2 entries/);
    const shown = JSON.parse(filet(['audit', 'show', dir, '--json']).stdout) as {
      seq: number;
      action: string;
      args: { caseId?: string; keyId?: string };
    }[];
    expect(shown.map((e) => e.action)).toEqual(['audit.genesis', 'init']);
    expect(shown[0]!.seq).toBe(1);
    expect(shown[0]!.args.caseId).toBe(caseIdOf(dir));
    expect(shown[0]!.args.keyId).toBe(keyIdOf(TEST_KEY_FILE));

    expect(filet(['verify', dir]).code).toBe(0);
    expect(filet(['export', dir, '--out', join(dir, 'exports', 'e.json')]).code).toBe(0);
    expect(filet(['verify', dir]).code).toBe(0);
    const v = verifyJson(dir);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.v).toMatchObject({ ok: true, entries: 5, problems: [] });
    // The head it prints is accepted back as --expect-head, as seq:hash and as the hash alone.
    expect(v.v!.head).toMatch(/^5:[0-9a-f]{64}$/);
    expect(filet(['audit', 'verify', dir, '--expect-head', v.v!.head]).code).toBe(0);
    expect(filet(['audit', 'verify', dir, '--expect-head', v.v!.head.split(':')[1]!]).code).toBe(0);
  });

  it('every entry is an HMAC under the installation key over the case id, its place and its stored text', async () => {
    const dir = join(tempDir(), 'case');
    expect(init(dir).code).toBe(0);
    expect(filet(['verify', dir]).code).toBe(0);
    const key = keyBytes(TEST_KEY_FILE);
    const caseId = caseIdOf(dir);
    await withStore(dir, async (s) => {
      const rows = await rawRows(s);
      expect(rows).toHaveLength(3);
      let prev = ZERO;
      for (const r of rows) {
        expect(r.prev_hash).toBe(prev);
        expect(r.hash).toBe(macOf(key, caseId, r));
        prev = r.hash;
      }
      expect(await s.getMeta('audit_key_id')).toBe(keyIdOf(TEST_KEY_FILE));
    });
  });

  it('(a) deleting every entry and the recorded head does not verify: there is no genesis entry', async () => {
    const dir = join(tempDir(), 'case');
    expect(init(dir).code).toBe(0);
    expect(filet(['verify', dir]).code).toBe(0);
    await withStore(dir, async (s) => {
      await s.db.run('DELETE FROM audit WHERE case_id = ?', [s.caseId]);
      await s.db.run("DELETE FROM case_meta WHERE case_id = ? AND key = 'audit_head'", [s.caseId]);
    });
    const r = verifyJson(dir);
    expect(r.code).toBe(3);
    expect(problemsOf(r.v)).toContain('no-genesis');
    const text = filet(['audit', 'verify', dir]);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/no genesis entry/);
  });

  it('(b) a truncated tail with the recorded head moved back fails against the head printed in an earlier export and report', async () => {
    const dir = join(tempDir(), 'case');
    expect(init(dir).code).toBe(0); // 1 genesis, 2 init
    expect(filet(['verify', dir]).code).toBe(0); // 3
    const exportFile = join(tempDir(), 'export.json');
    expect(filet(['export', dir, '--out', exportFile]).code).toBe(0); // 4 (the export names head 3)
    const reportFile = join(tempDir(), 'report.html');
    expect(filet(['report', dir, '--out', reportFile]).code).toBe(0); // 5 (the report names head 4)
    const refDir = join(tempDir(), 'referrals');
    expect(filet(['referrals', dir, '--out', refDir]).code).toBe(0); // 6 (the packages name head 5)
    expect(filet(['verify', dir]).code).toBe(0); // 7

    // What was handed out before the attack: copies of the head outside the case.
    const exported = (JSON.parse(readFileSync(exportFile, 'utf8')) as { case: { auditHead?: string } }).case
      .auditHead;
    expect(exported).toMatch(/^3:[0-9a-f]{64}$/);
    const reported = /\b(\d+:[0-9a-f]{64})\b/.exec(readFileSync(reportFile, 'utf8'))?.[1];
    expect(reported).toMatch(/^4:/);
    const manifest = readFileSync(join(refDir, 'unresolved', 'MANIFEST.sha256'), 'utf8');
    const referred = /^# .*\b(\d+:[0-9a-f]{64})\b/m.exec(manifest)?.[1];
    expect(referred).toMatch(/^5:/);
    expect(readFileSync(join(refDir, 'unresolved', 'summary.html'), 'utf8')).toContain(referred!);
    expect(
      (
        JSON.parse(readFileSync(join(refDir, 'unresolved', 'evidence.json'), 'utf8')) as {
          case: { auditHead?: string };
        }
      ).case.auditHead,
    ).toBe(referred);
    expect(filet(['referrals', 'verify', refDir]).code).toBe(0);

    // The attack: entries 3.. go, and the recorded head is moved to entry 2.
    await withStore(dir, async (s) => {
      const rows = await rawRows(s);
      await s.db.run('DELETE FROM audit WHERE case_id = ? AND seq >= 3', [s.caseId]);
      await setHeadMeta(s, 2, rows[1]!.hash);
    });
    // The case alone cannot tell (its head was moved with the log): that is what the copies are for.
    expect(filet(['audit', 'verify', dir]).code).toBe(0);
    for (const head of [exported!, reported!, referred!]) {
      const r = verifyJson(dir, ['--expect-head', head]);
      expect(r.code, head).toBe(3);
      expect(problemsOf(r.v), head).toContain('truncated');
    }
    // The hash alone does not say where the log should reach: the entry is just not there.
    const hashOnly = verifyJson(dir, ['--expect-head', reported!.split(':')[1]!]);
    expect(hashOnly.code).toBe(3);
    expect(problemsOf(hashOnly.v)).toContain('head-mismatch');
    const text = filet(['audit', 'verify', dir, '--expect-head', exported!]);
    expect(text.stdout).toMatch(/truncated/);
  });

  it('(b) a head that the chain holds under a different hash is a head mismatch', async () => {
    const dir = join(tempDir(), 'case');
    expect(init(dir).code).toBe(0);
    expect(filet(['verify', dir]).code).toBe(0);
    const r = verifyJson(dir, ['--expect-head', `2:${'ab'.repeat(32)}`]);
    expect(r.code).toBe(3);
    expect(problemsOf(r.v)).toEqual(['head-mismatch']);
    const bad = filet(['audit', 'verify', dir, '--expect-head', 'not-a-head']);
    expect(bad.code).not.toBe(0);
    expect(bad.code).not.toBe(3);
    expect(bad.stderr).toMatch(/--expect-head/);
  });

  it('(c) an entry rewritten and every later entry re-chained with plain SHA-256 does not verify', async () => {
    const dir = join(tempDir(), 'case');
    expect(init(dir).code).toBe(0);
    expect(filet(['verify', dir]).code).toBe(0);
    expect(filet(['verify', dir]).code).toBe(0);
    let edited = 0;
    await withStore(dir, async (s) => {
      const rows = await rawRows(s);
      const at = rows.findIndex((r) => r.action === 'init');
      const target = rows[at]!;
      edited = target.seq;
      const args = JSON.parse(target.args) as Record<string, unknown>;
      target.args = JSON.stringify({ ...args, name: 'another-name' });
      let prev = at === 0 ? ZERO : rows[at - 1]!.hash;
      for (const r of rows.slice(at)) {
        r.prev_hash = prev;
        r.hash = plainHash(prev, r);
        prev = r.hash;
        await s.db.run('UPDATE audit SET args = ?, prev_hash = ?, hash = ? WHERE case_id = ? AND seq = ?', [
          r.args,
          r.prev_hash,
          r.hash,
          s.caseId,
          r.seq,
        ]);
      }
      await setHeadMeta(s, rows.length, prev);
    });
    const r = verifyJson(dir);
    expect(r.code).toBe(3);
    expect(r.v!.problems).toContainEqual(expect.objectContaining({ seq: edited, problem: 'edited' }));
  });

  it('(e) a log copied from another case does not verify: foreign case', async () => {
    const a = join(tempDir(), 'case-a');
    const b = join(tempDir(), 'case-b');
    expect(init(a).code).toBe(0);
    expect(init(b).code).toBe(0);
    expect(filet(['verify', b]).code).toBe(0);
    const fromB = await withStore(b, async (s) => ({
      rows: await rawRows(s),
      head: await s.getMeta('audit_head'),
      keyId: await s.getMeta('audit_key_id'),
    }));
    await withStore(a, async (s) => {
      await s.db.run('DELETE FROM audit WHERE case_id = ?', [s.caseId]);
      await s.db.insertMany(
        'audit',
        ['case_id', 'seq', 'at', 'actor', 'action', 'args', 'result', 'prev_hash', 'hash'],
        fromB.rows.map((r) => [
          s.caseId,
          r.seq,
          r.at,
          r.actor,
          r.action,
          r.args,
          r.result,
          r.prev_hash,
          r.hash,
        ]),
      );
      await s.setMeta('audit_head', fromB.head ?? '');
      if (fromB.keyId) await s.setMeta('audit_key_id', fromB.keyId);
    });
    const r = verifyJson(a);
    expect(r.code).toBe(3);
    expect(problemsOf(r.v)).toContain('foreign-case');
    expect(r.v!.problems.find((p) => p.problem === 'foreign-case')!.detail).toContain(caseIdOf(b));
  });

  it('(f) verifying with another installation key fails and names both key ids; appending with it is refused', () => {
    const dir = join(tempDir(), 'case');
    expect(init(dir).code).toBe(0);
    const otherKey = join(tempDir('filet-otherkey-'), 'audit.key');
    // Another installation: its key is created by its first use.
    expect(init(join(tempDir(), 'elsewhere'), { FILET_AUDIT_KEY_FILE: otherKey }).code).toBe(0);
    expect(existsSync(otherKey)).toBe(true);
    const mine = keyIdOf(TEST_KEY_FILE);
    const theirs = keyIdOf(otherKey);
    expect(theirs).not.toBe(mine);

    const r = verifyJson(dir, [], { FILET_AUDIT_KEY_FILE: otherKey });
    expect(r.code).toBe(3);
    expect(problemsOf(r.v)).toContain('wrong-key');
    const detail = r.v!.problems.find((p) => p.problem === 'wrong-key')!.detail;
    expect(detail).toContain(mine);
    expect(detail).toContain(theirs);
    // Not one "edited" per entry: the key is the problem, and it is said once.
    expect(problemsOf(r.v)).not.toContain('edited');

    const append = filet(['verify', dir], { FILET_AUDIT_KEY_FILE: otherKey });
    expect(append.code).not.toBe(0);
    expect(append.stderr).toContain(mine);
    // Nothing was appended with the wrong key: the log still verifies with the right one.
    expect(filet(['audit', 'verify', dir]).code).toBe(0);
  });
});

describe.each(STORE_TARGETS)('audit store on $name', ({ store: storeArg }) => {
  it('stores the canonical JSON it MACs: sorted keys, no whitespace', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      await store.appendAudit(
        'tester',
        'x',
        { b: 1, a: [1, 'é\n', { d: null, c: true }], e: -0.5 },
        { z: 1e21 },
      );
      const last = (await rawRows(store)).at(-1)!;
      expect(last.args).toBe('{"a":[1,"é\\n",{"c":true,"d":null}],"b":1,"e":-0.5}');
      expect(last.result).toBe('{"z":1e+21}');
      expect((await store.verifyAudit()).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses values that have no JSON form: NaN, Infinity, undefined in an array', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const before = (await rawRows(store)).length;
      await expect(store.appendAudit('tester', 'x', { n: NaN }, null)).rejects.toThrow(/finite/);
      await expect(store.appendAudit('tester', 'x', { n: [Infinity] }, null)).rejects.toThrow(/finite/);
      await expect(store.appendAudit('tester', 'x', [1, undefined], null)).rejects.toThrow(/undefined/);
      expect((await rawRows(store)).length).toBe(before);
    } finally {
      await store.close();
    }
  });

  it('an entry appended on a store bound to a transaction that rolls back is not in the log', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const before = (await rawRows(store)).length;
      await expect(
        store.transaction(async (s) => {
          await s.appendAudit('tester', 'x', { i: 1 }, null);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow(/the change failed/);
      expect((await rawRows(store)).length).toBe(before);
      await store.transaction((s) => s.appendAudit('tester', 'y', { i: 2 }, null));
      expect((await rawRows(store)).length).toBe(before + 1);
      expect((await store.verifyAudit()).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('(d) stored arguments with a duplicate key, or not in canonical form, are edited', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      const e = await store.appendAudit('tester', 'x', { i: 2 }, { ok: true });
      await store.appendAudit('tester', 'y', { i: 3 }, { ok: true });
      expect((await store.verifyAudit()).ok).toBe(true);
      // JSON.parse keeps the last of two equal keys: a reader that trusts it sees {"i":2}; another sees 99.
      const stored = (await rawRows(store)).find((r) => r.seq === e.seq)!.args;
      expect(stored).toBe('{"i":2}');
      for (const forged of ['{"i":99,"i":2}', '{ "i": 2 }', '{"i":2.0}']) {
        await store.db.run('UPDATE audit SET args = ? WHERE case_id = ? AND seq = ?', [
          forged,
          store.caseId,
          e.seq,
        ]);
        const v = await store.verifyAudit();
        expect(v.ok, forged).toBe(false);
        expect(v.problems, forged).toContainEqual(expect.objectContaining({ seq: e.seq, problem: 'edited' }));
        if (forged.includes('99'))
          expect(v.problems.find((p) => p.seq === e.seq)!.detail).toMatch(/duplicate key "i"/);
      }
    } finally {
      await store.close();
    }
  });

  it('(a) an empty log never verifies, even with no recorded head', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      await store.db.run('DELETE FROM audit WHERE case_id = ?', [store.caseId]);
      await store.db.run("DELETE FROM case_meta WHERE case_id = ? AND key LIKE 'audit%'", [store.caseId]);
      const v = await store.verifyAudit();
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => p.problem)).toEqual(['no-genesis']);
    } finally {
      await store.close();
    }
  });

  it('a case from before the genesis entry (unkeyed chain) fails with "no genesis entry", and is still readable', async () => {
    const { store } = await initCase(join(tempDir(), 'case'), { store: storeArg });
    try {
      // What an older filet wrote: an unkeyed chain from a zero hash, no genesis entry, no key id.
      await store.db.run('DELETE FROM audit WHERE case_id = ?', [store.caseId]);
      await store.db.run("DELETE FROM case_meta WHERE case_id = ? AND key LIKE 'audit%'", [store.caseId]);
      let prev = ZERO;
      for (let seq = 1; seq <= 3; seq++) {
        const r = {
          at: 1_700_000_000_000 + seq,
          actor: 'old',
          action: `a${seq}`,
          args: `{"i":${seq}}`,
          result: 'null',
        };
        const hash = plainHash(prev, r);
        await store.db.run(
          'INSERT INTO audit (case_id, seq, at, actor, action, args, result, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [store.caseId, seq, r.at, r.actor, r.action, r.args, r.result, prev, hash],
        );
        prev = hash;
      }
      await store.setMeta('audit_head', JSON.stringify({ seq: 3, hash: prev }));
      const v = await store.verifyAudit();
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => p.problem)).toEqual(['no-genesis']);
      expect((await store.readAudit()).map((e) => e.args)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
    } finally {
      await store.close();
    }
  });
});

describe('the audit key file', () => {
  it('is created on first use with mode 0600 in a folder with mode 0700', () => {
    const keyFile = join(tempDir('filet-key-'), 'nested', 'filet', 'audit.key');
    expect(filet(['init', join(tempDir(), 'case')], { FILET_AUDIT_KEY_FILE: keyFile }).code).toBe(0);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(keyFile, '..')).mode & 0o777).toBe(0o700);
  });

  it('is found at FILET_AUDIT_KEY_FILE, else under XDG_CONFIG_HOME, else ~/.config', async () => {
    const { auditKeyPath } = await import('../src/store/audit-key.js');
    expect(auditKeyPath({ FILET_AUDIT_KEY_FILE: '/k/a.key', XDG_CONFIG_HOME: '/x' })).toBe('/k/a.key');
    expect(auditKeyPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/filet/audit.key');
    expect(auditKeyPath({ XDG_CONFIG_HOME: 'relative/is/ignored' })).toBe(
      join(homedir(), '.config', 'filet', 'audit.key'),
    );
    expect(auditKeyPath({})).toBe(join(homedir(), '.config', 'filet', 'audit.key'));
  });

  it('is refused when group or others can read it, when malformed, or when it lies inside the case folder', () => {
    const good = join(tempDir('filet-key-'), 'audit.key');
    const dir = join(tempDir(), 'case');
    expect(filet(['init', dir], { FILET_AUDIT_KEY_FILE: good }).code).toBe(0);

    const loose = join(tempDir('filet-key-'), 'audit.key');
    copyFileSync(good, loose);
    chmodSync(loose, 0o644);
    let r = filet(['verify', dir], { FILET_AUDIT_KEY_FILE: loose });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/group or others/);
    expect(r.stderr).toContain(loose);
    r = filet(['audit', 'verify', dir], { FILET_AUDIT_KEY_FILE: loose });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/group or others/);

    const bad = join(tempDir('filet-key-'), 'audit.key');
    writeFileSync(bad, 'not a key\n', { mode: 0o600 });
    r = filet(['init', join(tempDir(), 'case2')], { FILET_AUDIT_KEY_FILE: bad });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/malformed/);

    const inside = join(dir, 'derived', 'audit.key');
    copyFileSync(good, inside);
    chmodSync(inside, 0o600);
    r = filet(['verify', dir], { FILET_AUDIT_KEY_FILE: inside });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/inside the case folder/);
    // A new case is not created around a key either, and nothing is left half-made.
    const fresh = join(tempDir(), 'case3');
    r = filet(['init', fresh], { FILET_AUDIT_KEY_FILE: join(fresh, 'audit.key') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/inside the case folder/);
    expect(existsSync(join(fresh, 'case.json'))).toBe(false);
    expect(existsSync(join(fresh, 'audit.key'))).toBe(false);
    // A lost key: appending is refused and no new key is made for a case chained with one; the log can
    // still be read, not verified.
    const lost = join(tempDir('filet-key-'), 'audit.key');
    r = filet(['verify', dir], { FILET_AUDIT_KEY_FILE: lost });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no audit key/);
    expect(existsSync(lost)).toBe(false);
    r = filet(['audit', 'verify', dir, '--json'], { FILET_AUDIT_KEY_FILE: lost });
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as VerifyJson).problems.map((p) => p.problem)).toEqual(['wrong-key']);
    expect(existsSync(lost)).toBe(false);
    r = filet(['audit', 'show', dir, '--json'], { FILET_AUDIT_KEY_FILE: lost });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { action: string }[]).map((e) => e.action)).toEqual([
      'audit.genesis',
      'init',
    ]);
    // The right key still verifies the untouched log.
    expect(filet(['audit', 'verify', dir], { FILET_AUDIT_KEY_FILE: good }).code).toBe(0);
  });
});
