/**
 * The thin seam between the case store and a database engine. SQL is written with `?` placeholders; the
 * PostgreSQL driver rewrites them to `$n`. Rows come back as plain objects with BIGINT columns as numbers.
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
  /** Runs `fn` in one transaction that holds the case's write lock; rolls back if it throws. */
  transaction<T>(caseId: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function conflictClause(onConflict: boolean | string): string {
  if (onConflict === true) return ' ON CONFLICT DO NOTHING';
  return onConflict ? ` ${onConflict}` : '';
}
