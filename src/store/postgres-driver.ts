import { createHash } from 'node:crypto';
import pg from 'pg';
import { conflictClause, type Param, type Row, type SqlDriver } from './driver.js';

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

/** The server store: one PostgreSQL database holds many cases, each row keyed by case_id. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;
  private txClient: pg.PoolClient | null = null;

  constructor(url: string) {
    this.location = redactUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
  }

  private client(): pg.Pool | pg.PoolClient {
    return this.txClient ?? this.pool;
  }

  async exec(sql: string): Promise<void> {
    await this.client().query(sql);
  }

  async all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    const r = await this.client().query(toPgPlaceholders(sql), params);
    return r.rows as T[];
  }

  async get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: Param[] = []): Promise<number> {
    const r = await this.client().query(toPgPlaceholders(sql), params);
    return r.rowCount ?? 0;
  }

  async insertMany(
    table: string,
    columns: string[],
    rows: Param[][],
    onConflict: boolean | string = false,
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
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(',')}` +
        conflictClause(onConflict);
      await this.client().query(sql, params);
    }
  }

  async transaction<T>(caseId: string, fn: () => Promise<T>): Promise<T> {
    if (this.txClient) throw new Error('nested transaction');
    const client = await this.pool.connect();
    this.txClient = client;
    try {
      await client.query('BEGIN');
      // One writer per case at a time, across processes and machines; released at COMMIT/ROLLBACK.
      const lockKey = createHash('sha256').update(caseId).digest().readBigInt64BE(0);
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey.toString()]);
      // Tables grow inside this transaction, unseen by the planner's statistics: left alone it plans the
      // writer's natural-key lookups as scans of a table it believes tiny, and ingest turns quadratic.
      await client.query('SET LOCAL enable_seqscan = off');
      const result = await fn();
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.txClient = null;
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
