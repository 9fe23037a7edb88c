import Database from 'better-sqlite3';
import {
  conflictClause,
  openTransaction,
  refuseInsideTransaction,
  type Param,
  type Row,
  type SqlDriver,
} from './driver.js';

/**
 * The embedded store: one `case.sqlite` file in WAL mode, one connection, synchronous underneath. One
 * transaction runs at a time on the connection; statements sent outside it wait until it ends, so they
 * can never become part of it (several processes are kept apart by SQLite's own write lock).
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly inTransaction = false;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Resolves when the open transaction ends; null when none is open. */
  private active: Promise<void> | null = null;

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

  /** @internal the statement cache, shared with transaction handles. */
  prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** @internal runs `sql` now, on the connection (a transaction handle, or the driver once idle). */
  execNow(sql: string): void {
    this.db.exec(sql);
  }

  /** @internal */
  insertNow(table: string, columns: string[], rows: Param[][], onConflict: boolean | string): void {
    // One prepared statement run per row: measured faster than multi-row VALUES here (binding big arrays
    // costs more than the per-call overhead it saves).
    const stmt = this.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})` +
        conflictClause(onConflict),
    );
    for (const r of rows) stmt.run(r);
  }

  /**
   * Runs `f` once no transaction is open. The last check and `f` run in one synchronous stretch, so no
   * transaction can begin in between (an `await` there would let one start, and `f` would join it).
   */
  private async whenIdle<T>(f: () => T): Promise<T> {
    refuseInsideTransaction(this);
    while (this.active) await this.active;
    return f();
  }

  exec(sql: string): Promise<void> {
    return this.whenIdle(() => void this.db.exec(sql));
  }

  all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.whenIdle(() => this.prepare(sql).all(...params) as T[]);
  }

  get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return this.whenIdle(() => this.prepare(sql).get(...params) as T | undefined);
  }

  run(sql: string, params: Param[] = []): Promise<number> {
    return this.whenIdle(() => this.prepare(sql).run(...params).changes);
  }

  async insertMany(
    table: string,
    columns: string[],
    rows: Param[][],
    onConflict: boolean | string = false,
  ): Promise<void> {
    if (rows.length === 0) return;
    // Outside a case transaction, batch in a transaction of our own (one fsync instead of one per row).
    await this.whenIdle(() => this.db.transaction(() => this.insertNow(table, columns, rows, onConflict))());
  }

  async transaction<T>(_caseId: string, fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    refuseInsideTransaction(this);
    // Check and claim with no await in between: two callers can never both see the connection free.
    while (this.active) await this.active;
    let release!: () => void;
    this.active = new Promise<void>((r) => (release = r));
    const tx = new SqliteTransaction(this);
    try {
      // IMMEDIATE takes the write lock now: a second writer waits (busy_timeout) instead of failing midway.
      this.db.exec('BEGIN IMMEDIATE');
      const result = await openTransaction.run(this, () => fn(tx));
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      tx.end();
      this.active = null;
      release();
    }
  }

  async close(): Promise<void> {
    while (this.active) await this.active;
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

/** The handle of one open SQLite transaction: its statements run at once, on the connection. */
class SqliteTransaction implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly inTransaction = true;
  readonly location: string;
  private open = true;

  constructor(private readonly driver: SqliteDriver) {
    this.location = driver.location;
  }

  end(): void {
    this.open = false;
  }

  private check(): void {
    if (!this.open) throw new Error('the transaction has ended: its handle cannot be used any more');
  }

  async exec(sql: string): Promise<void> {
    this.check();
    this.driver.execNow(sql);
  }

  async all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    this.check();
    return this.driver.prepare(sql).all(...params) as T[];
  }

  async get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    this.check();
    return this.driver.prepare(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: Param[] = []): Promise<number> {
    this.check();
    return this.driver.prepare(sql).run(...params).changes;
  }

  async insertMany(
    table: string,
    columns: string[],
    rows: Param[][],
    onConflict: boolean | string = false,
  ): Promise<void> {
    this.check();
    if (rows.length) this.driver.insertNow(table, columns, rows, onConflict);
  }

  async transaction<T>(_caseId: string, fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    this.check();
    return fn(this);
  }

  async close(): Promise<void> {
    throw new Error('a transaction handle is not closed: it ends with its transaction');
  }
}
