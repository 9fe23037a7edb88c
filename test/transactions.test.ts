import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCase } from '../src/store/case-dir.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation } from './helpers/synth-cache.js';

/**
 * Issue 9, finding 5: transactions are handles. Concurrent callers never share a transaction, a write
 * issued while another transaction is open is not rolled back with it, and a change commits with its
 * audit entry.
 */
const within = <T>(ms: number, p: Promise<T>, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, rej) =>
      setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms),
    ),
  ]);

describe.each(STORE_TARGETS)('transactions on $name', (target) => {
  const open = async () =>
    (
      await initCase(join(tempDir(), 'case'), {
        store: target.name === 'postgres' ? target.store : undefined,
      })
    ).store;

  it('30 concurrent audit appends all return, each once, in one intact chain', async () => {
    const store = await open();
    try {
      const before = (await store.readAudit()).length;
      await within(
        20_000,
        Promise.all(Array.from({ length: 30 }, (_, i) => store.appendAudit('u', 'view.test', { i }, null))),
        'concurrent appends',
      );
      const entries = (await store.readAudit()).slice(before);
      expect(entries).toHaveLength(30);
      expect(new Set(entries.map((e) => (e.args as { i: number }).i)).size).toBe(30);
      expect((await store.verifyAudit()).ok).toBe(true);
    } finally {
      // Bounded: a store whose transactions never ended cannot close (its pool waits for them).
      await within(10_000, store.close(), 'closing the store');
    }
  });

  it('a write issued while another transaction is open is not rolled back with it', async () => {
    const store = await open();
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const inside = new Promise<void>((r) => (started = r));
      const failing = store.db.transaction(store.caseId, async (tx) => {
        await tx.run("INSERT INTO case_meta (case_id, key, value) VALUES (?, 'inside', '1')", [store.caseId]);
        started();
        await gate;
        throw new Error('the change fails');
      });
      await within(10_000, Promise.race([inside, failing]), 'the transaction to start');
      // Unrelated, while the other transaction is open.
      const unrelated = store.setMeta('outside', '1');
      release();
      await expect(failing).rejects.toThrow(/the change fails/);
      await within(10_000, unrelated, 'the unrelated write');
      expect(await store.getMeta('outside')).toBe('1');
      expect(await store.getMeta('inside')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('statements sent to the driver instead of the handle inside a transaction are refused', async () => {
    const store = await open();
    try {
      await expect(
        store.db.transaction(store.caseId, async () => {
          await store.getMeta('x');
        }),
      ).rejects.toThrow(/use the transaction handle/);
    } finally {
      await store.close();
    }
  });
});

describe('the CLI commits each change with its audit entry', () => {
  it('ingest good bad: evidence #1 lands with its own audit entry; the failure is recorded too', async () => {
    const op = await synthOperation(7, 'small');
    const dir = join(tempDir(), 'case');
    expect(filet(['init', dir]).code).toBe(0);
    const good = join(op.dir, op.devices[1]!.files[0]!);
    const src = readFileSync(join(op.dir, op.devices[0]!.files[0]!));
    const bad = join(tempDir(), 'truncated.zip');
    writeFileSync(bad, src.subarray(0, Math.floor(src.length / 2)));
    const r = filet(['ingest', dir, good, bad, '--device', 'D1', '--json']);
    expect(r.code).not.toBe(0);
    const shown = JSON.parse(filet(['audit', 'show', dir, '--json']).stdout) as {
      action: string;
      result: { ok: boolean; items?: { path: string; status: string; evidence?: number }[] };
    }[];
    const ingest = shown.filter((e) => e.action === 'ingest');
    const ok = ingest.filter((e) => e.result.ok);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.result.items).toEqual([
      expect.objectContaining({ path: good, status: 'ingested', evidence: 1 }),
    ]);
    expect(ingest.filter((e) => !e.result.ok)).toHaveLength(1);
    expect(filet(['audit', 'verify', dir]).code).toBe(0);
  });
});
