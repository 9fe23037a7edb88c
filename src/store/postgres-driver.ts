import { createHash } from 'node:crypto';
import pg from 'pg';
import {
  conflictClause,
  openTransaction,
  refuseInsideTransaction,
  type Param,
  type Row,
  type SqlDriver,
} from './driver.js';

// BIGINT (int8) comes back as a string by default; case values (ids, ms timestamps) fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

/** Rewrites `?` placeholders to `$1…$n` (our SQL never contains a literal `?`). */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

type Queryable = pg.Pool | pg.PoolClient;

async function insertBatches(
  q: Queryable,
  table: string,
  columns: string[],
  rows: Param[][],
  onConflict: boolean | string,
): Promise<void> {
  // PostgreSQL allows 65535 parameters per statement.
  const perBatch = Math.max(1, Math.floor(60000 / columns.length));
  for (let start = 0; start < rows.length; start += perBatch) {
    const batch = rows.slice(start, start + perBatch);
    const params: Param[] = [];
    const tuples = batch.map((r) => {
      const slots = r.map((v) => {
        params.push(v);
        return `$${params.length}`;
      });
      return `(${slots.join(',')})`;
    });
    const sql =
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(',')}` + conflictClause(onConflict);
    await q.query(sql, params);
  }
}

/** The advisory lock key of a case: one writer per case at a time, across processes and machines. */
function lockKey(caseId: string): string {
  return createHash('sha256').update(caseId).digest().readBigInt64BE(0).toString();
}

/**
 * The server store: one PostgreSQL database holds many cases, each row keyed by case_id. Statements sent to
 * the driver run on any pooled connection in autocommit; each transaction has a connection of its own.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly inTransaction = false;
  readonly location: string;
  private readonly pool: pg.Pool;

  constructor(url: string, opts: { poolSize?: number } = {}) {
    this.location = redactUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? Number(process.env.FILET_PG_POOL ?? 10),
    });
  }

  async exec(sql: string): Promise<void> {
    refuseInsideTransaction(this);
    await this.pool.query(sql);
  }

  async all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    refuseInsideTransaction(this);
    return (await this.pool.query(toPgPlaceholders(sql), params)).rows as T[];
  }

  async get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: Param[] = []): Promise<number> {
    refuseInsideTransaction(this);
    return (await this.pool.query(toPgPlaceholders(sql), params)).rowCount ?? 0;
  }

  async nativeQuery(sql: string, params: unknown[]): Promise<{ rows: Row[] }> {
    refuseInsideTransaction(this);
    return { rows: (await this.pool.query(sql, params)).rows as Row[] };
  }

  async insertMany(
    table: string,
    columns: string[],
    rows: Param[][],
    onConflict: boolean | string = false,
  ): Promise<void> {
    refuseInsideTransaction(this);
    if (rows.length === 0) return;
    // Several statements: one transaction of their own, so the batch lands whole.
    await this.transaction('__insert__', (tx) => tx.insertMany(table, columns, rows, onConflict));
  }

  async transaction<T>(caseId: string, fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    refuseInsideTransaction(this);
    const client = await this.pool.connect();
    const tx = new PostgresTransaction(client, this.location);
    try {
      await client.query('BEGIN');
      if (caseId !== '__insert__') await tx.lock(caseId);
      // Tables grow inside this transaction, unseen by the planner's statistics: left alone it plans the
      // writer's natural-key lookups as scans of a table it believes tiny, and ingest turns quadratic.
      await client.query('SET LOCAL enable_seqscan = off');
      const result = await openTransaction.run(this, () => fn(tx));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.end();
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The handle of one open PostgreSQL transaction: its own pooled connection. */
class PostgresTransaction implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly inTransaction = true;
  private open = true;
  private readonly locked = new Set<string>();

  constructor(
    private readonly client: pg.PoolClient,
    readonly location: string,
  ) {}

  end(): void {
    this.open = false;
  }

  private c(): pg.PoolClient {
    if (!this.open) throw new Error('the transaction has ended: its handle cannot be used any more');
    return this.client;
  }

  /** Takes the case's advisory lock (held until COMMIT/ROLLBACK). */
  async lock(caseId: string): Promise<void> {
    if (this.locked.has(caseId)) return;
    await this.c().query('SELECT pg_advisory_xact_lock($1)', [lockKey(caseId)]);
    this.locked.add(caseId);
  }

  async exec(sql: string): Promise<void> {
    await this.c().query(sql);
  }

  async all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return (await this.c().query(toPgPlaceholders(sql), params)).rows as T[];
  }

  async get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: Param[] = []): Promise<number> {
    return (await this.c().query(toPgPlaceholders(sql), params)).rowCount ?? 0;
  }

  async nativeQuery(sql: string, params: unknown[]): Promise<{ rows: Row[] }> {
    return { rows: (await this.c().query(sql, params)).rows as Row[] };
  }

  async insertMany(
    table: string,
    columns: string[],
    rows: Param[][],
    onConflict: boolean | string = false,
  ): Promise<void> {
    await insertBatches(this.c(), table, columns, rows, onConflict);
  }

  async transaction<T>(caseId: string, fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    await this.lock(caseId);
    return fn(this);
  }

  async close(): Promise<void> {
    throw new Error('a transaction handle is not closed: it ends with its transaction');
  }
}
