/**
 * Hostile and damaged SQLite databases under the read budget (src/evidence/wa-db/budget.ts): each is a
 * synthetic msgstore.db altered by hand below, and each must end in a UserError naming the file and the
 * problem, within the budget, with nothing written to the case.
 */
import { copyFileSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../src/evidence/ingest.js';
import { parseSqliteBudget } from '../src/evidence/wa-db/budget.js';
import { initCase } from '../src/store/case-dir.js';
import { writeAndroidMsgstore } from '../src/synth/devices/android-msgstore-writer.js';
import { buildOperation } from '../src/synth/operation.js';
import { UserError } from '../src/util/errors.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

const tmp = tempDir('filet-budget-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let base: string;
let owner: string;

beforeAll(async () => {
  const op = buildOperation({ seed: 11, scale: 'small' });
  const device = op.devices.find((d) => d.platform === 'android' && d.database === 'new')!;
  owner = device.owner;
  const s = await writeAndroidMsgstore(op, device, join(tmp, 'base'), {
    schema: 'new',
    mediaBytes: (id) => Buffer.from(`synthetic benign media item ${id}`),
    presentFraction: 0,
  });
  base = s.path;
}, 120_000);

/** A copy of the synthetic database in a folder of its own, altered by `sql`. */
function variant(name: string, sql: string): string {
  const dir = join(tmp, name, 'databases');
  mkdirSync(dir, { recursive: true });
  const p = join(dir, 'msgstore.db');
  copyFileSync(base, p);
  const db = new Database(p);
  db.exec(sql);
  db.close();
  return p;
}

describe('budget option', () => {
  it('parses units and refuses what it cannot read', () => {
    expect(parseSqliteBudget('stall=10m,total=24h,heap=8GB,cell=512MB')).toEqual({
      stallSeconds: 600,
      totalSeconds: 86_400,
      heapMb: 8192,
      maxCellBytes: 512 * 1024 ** 2,
    });
    expect(parseSqliteBudget('stall=30')).toEqual({ stallSeconds: 30 });
    expect(() => parseSqliteBudget('stall=soon')).toThrow(/--sqlite-budget: cannot read "stall=soon"/);
    expect(() => parseSqliteBudget('cells=1MB')).toThrow(UserError);
    expect(() => parseSqliteBudget('total=0')).toThrow(UserError);
  });
});

describe.each(STORE_TARGETS)('hostile databases on $name', (target) => {
  const store = target.name === 'postgres' ? target.store : undefined;

  /** Ingests `path` with `budget`; returns the error and how long it took, and checks the case is untouched. */
  async function refused(path: string, budget?: string) {
    const c = await initCase(join(tempDir(), 'case'), { store });
    try {
      const before = await c.store.counts();
      const t0 = Date.now();
      const err = await ingestPaths(c.store, [path], {
        owner,
        ...(budget ? { sqliteBudget: parseSqliteBudget(budget) } : {}),
      }).then(
        () => null,
        (e: unknown) => e,
      );
      const ms = Date.now() - t0;
      expect(err).toBeInstanceOf(UserError);
      expect(await c.store.counts()).toEqual(before);
      expect(await c.store.listEvidence()).toEqual([]);
      return { message: (err as Error).message, ms };
    } finally {
      await c.store.close();
    }
  }

  it('the unaltered database is read (the budget does not get in the way)', async () => {
    const c = await initCase(join(tempDir(), 'case'), { store });
    try {
      const [o] = await ingestPaths(c.store, [base], { owner });
      expect(o!.status).toBe('ingested');
      expect((await c.store.counts()).messages).toBeGreaterThan(100);
    } finally {
      await c.store.close();
    }
  }, 60_000);

  it('a cell of 200 MB is refused before it is read, naming the table', async () => {
    const p = variant(
      `big-cell-${target.name}`,
      `UPDATE message SET text_data = printf('%.*c', 200 * 1024 * 1024, 'x') WHERE _id = (SELECT MIN(_id) FROM message)`,
    );
    expect(statSync(p).size).toBeGreaterThan(200_000_000);
    const r = await refused(p);
    expect(r.message).toContain(p);
    expect(r.message).toMatch(/table message holds a record of 200 MB, over the 64 MB budget for one record/);
    expect(r.message).toMatch(/--sqlite-budget cell=/);
    expect(r.ms).toBeLessThan(20_000);
    rmSync(p);
  }, 60_000);

  it('a corrupted file (pages overwritten in the middle of the message table) is a clear error', async () => {
    const p = variant(`corrupt-${target.name}`, 'VACUUM');
    const size = statSync(p).size;
    const fd = openSync(p, 'r+');
    const page = Buffer.alloc(4096);
    readSync(fd, page, 0, 4096, 0);
    const pageSize = page.readUInt16BE(16) === 1 ? 65536 : page.readUInt16BE(16);
    // Garbage over the second half of the file (leaf and interior pages of the big tables), past the schema.
    const junk = Buffer.alloc(pageSize, 0xa5);
    for (let off = Math.floor(size / 2 / pageSize) * pageSize; off < size; off += pageSize * 2)
      writeSync(fd, junk, 0, pageSize, off);
    closeSync(fd);
    const r = await refused(p, 'stall=20s,total=30s');
    expect(r.message).toContain(p);
    expect(r.message).toMatch(
      /unreadable SQLite database \(corrupt or truncated\?\): database disk image is malformed/,
    );
  }, 60_000);

  it('a view hiding an endless recursive query is never read', async () => {
    const p = variant(
      `view-${target.name}`,
      `ALTER TABLE message RENAME TO message_real;
       CREATE VIEW message AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
         SELECT n AS _id, NULL AS chat_row_id FROM r`,
    );
    const r = await refused(p, 'stall=20s,total=30s');
    expect(r.message).toContain(p);
    expect(r.message).toMatch(/missing message \(new schema\).*message is a view, which is never read/);
    expect(r.ms).toBeLessThan(15_000);
  }, 60_000);

  it('a database that takes forever under a naive read (lying statistics, no index) stops at the total budget', async () => {
    // 60,000 messages and a message_forwarded table without its key, whose statistics claim one row: the
    // reader's join becomes 60,000 × 60,000 row comparisons (minutes), rows trickling out all along.
    const p = variant(
      `quadratic-${target.name}`,
      `DROP TABLE message_forwarded;
       CREATE TABLE message_forwarded (message_row_id INTEGER, forward_score INTEGER);
       WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 60000)
         INSERT INTO message (chat_row_id, from_me, key_id, timestamp, message_type, text_data, sort_id)
         SELECT (SELECT MIN(_id) FROM chat), 0, printf('JUNK%012d', n), 1500000000000 + n, 0, 'junk', 0 FROM r;
       WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 60000)
         INSERT INTO message_forwarded SELECT n + 1000000, 1 FROM r;
       ANALYZE;
       UPDATE sqlite_stat1 SET stat = '1' WHERE tbl = 'message_forwarded';`,
    );
    const r = await refused(p, 'stall=60s,total=4s');
    expect(r.message).toContain(p);
    expect(r.message).toMatch(/took longer than its budget \(4 s in all\).*--sqlite-budget total=/);
    expect(r.ms).toBeGreaterThanOrEqual(4_000);
    expect(r.ms).toBeLessThan(12_000);
  }, 60_000);

  it('millions of junk rows the reader skips stop at the stall budget', async () => {
    // 2,000,000 message rows without a chat: skipped one after the other, no record for seconds.
    const p = variant(
      `junk-${target.name}`,
      `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2000000)
         INSERT INTO message (chat_row_id, from_me, key_id, timestamp, message_type, text_data, sort_id)
         SELECT -1, 0, printf('J%d', n), 0, 0, NULL, 0 FROM r;`,
    );
    const r = await refused(p, 'stall=1s,total=60s');
    expect(r.message).toContain(p);
    expect(r.message).toMatch(/took longer than its budget \(no record for 1 s\).*--sqlite-budget stall=/);
    expect(r.ms).toBeLessThan(10_000);
  }, 60_000);

  it('a table too large to hold ends the worker at its heap budget, not the process', async () => {
    // 600,000 JID rows of 200 characters: the reader holds the jid table whole (it is small on a phone).
    const p = variant(
      `heap-${target.name}`,
      `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 600000)
         INSERT INTO jid (user, server, agent, device, type, raw_string)
         SELECT printf('%015d', n), 's.whatsapp.net', 0, 0, 0, printf('%0200d@s.whatsapp.net', n) FROM r;`,
    );
    const r = await refused(p, 'heap=64MB,stall=60s,total=60s');
    expect(r.message).toContain(p);
    expect(r.message).toMatch(/needed more memory than its budget \(heap 64 MB\).*--sqlite-budget heap=/);
  }, 90_000);
});
