import Database from 'better-sqlite3';
import { conflictClause, type Param, type Row, type SqlDriver } from './driver.js';

/** The embedded store: one `case.sqlite` file in WAL mode, one connection, synchronous underneath. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private inTransaction = false;

  constructor(readonly location: string) {
    this.db = new Database(location);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commit).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    // Page cache ceiling (allocated only as used). An evidence item is one transaction; once its dirty
    // index pages outgrow the cache they spill to the WAL and inserts slow down (5x measured at 200k
    // messages with 64 MiB). 256 MiB bounds peak memory whatever the input size (see bench/results).
    this.db.pragma('cache_size = -262144');
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params) as T[];
  }

  async get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: Param[] = []): Promise<number> {
    return this.prepare(sql).run(...params).changes;
  }

  async insertMany(
    table: string,
    columns: string[],
    rows: Param[][],
    onConflict: boolean | string = false,
  ): Promise<void> {
    if (rows.length === 0) return;
    // One prepared statement run per row: measured faster than multi-row VALUES here (binding big arrays
    // costs more than the per-call overhead it saves).
    const stmt = this.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})` +
        conflictClause(onConflict),
    );
    const insert = () => {
      for (const r of rows) stmt.run(r);
    };
    // Outside a case transaction, batch in a transaction of our own (one fsync instead of one per row).
    if (this.inTransaction) insert();
    else this.db.transaction(insert)();
  }

  async transaction<T>(_caseId: string, fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new Error('nested transaction');
    // IMMEDIATE takes the write lock now: a second writer waits (busy_timeout) instead of failing midway.
    this.db.exec('BEGIN IMMEDIATE');
    this.inTransaction = true;
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
