import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The thin seam between the case store and a database engine. SQL is written with `?` placeholders; the
 * PostgreSQL driver rewrites them to `$n`. Rows come back as plain objects with BIGINT columns as numbers.
 *
 * Transactions are handles: `transaction(caseId, tx => …)` gives the callback its own executor, and only
 * statements sent through that handle belong to the transaction. Nothing about a transaction lives in
 * shared driver state, so concurrent requests never run inside each other's transactions (on PostgreSQL
 * each transaction has its own connection; the embedded SQLite connection runs one transaction at a time
 * and queues other work until it ends).
 */
export type Param = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** A short description for messages (file path, or URL without password). */
  readonly location: string;
  exec(sql: string): Promise<void>;
  all<T = Row>(sql: string, params?: Param[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: Param[]): Promise<T | undefined>;
  run(sql: string, params?: Param[]): Promise<number>;
  /**
   * Inserts many rows. `onConflict`: true appends `ON CONFLICT DO NOTHING`; a string is appended as the
   * conflict clause itself (`ON CONFLICT (…) DO UPDATE SET …`: the same syntax in both engines).
   * SQLite reuses one prepared statement per table; PostgreSQL sends multi-row VALUES batches.
   */
  insertMany(table: string, columns: string[], rows: Param[][], onConflict?: boolean | string): Promise<void>;
  /**
   * Runs `fn` in one transaction that holds the case's write lock and passes it the transaction's handle;
   * commits when `fn` resolves, rolls back if it throws. Called on a handle, it joins that transaction
   * (taking the other case's lock too when `caseId` differs).
   */
  transaction<T>(caseId: string, fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL only: one statement in the engine's own `$n` placeholders, sent as written (through a
   * handle: inside its transaction). For a library that writes its own SQL and must take part in one of
   * ours: pg-boss's `send`, so that a job and its delivery commit together (src/jobs/boss-queue.ts).
   */
  nativeQuery?(sql: string, params: unknown[]): Promise<{ rows: Row[] }>;
  /** True for a transaction handle. */
  readonly inTransaction: boolean;
  close(): Promise<void>;
}

export function conflictClause(onConflict: boolean | string): string {
  if (onConflict === true) return ' ON CONFLICT DO NOTHING';
  return onConflict ? ` ${onConflict}` : '';
}

/**
 * Which driver's transaction the current async context runs inside. Statements sent to the driver itself
 * (not to the handle) from inside a transaction are a bug: on SQLite they would wait for the transaction
 * they are part of, on PostgreSQL they would run outside it. Both drivers refuse them loudly instead.
 */
export const openTransaction = new AsyncLocalStorage<object>();

export function refuseInsideTransaction(driver: object): void {
  if (openTransaction.getStore() === driver)
    throw new Error(
      'statement sent to the driver inside one of its transactions: use the transaction handle',
    );
}
