import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The stores every store-level test runs against. PostgreSQL comes from FILET_TEST_PG_URL (set by .ci/run).
 * In CI (CI=true) a missing PostgreSQL fails the run; on a laptop its tests are skipped with a visible reason.
 */
export interface StoreTarget {
  name: 'sqlite' | 'postgres';
  /** Value for `--store` / initCase's store option. */
  store: string;
}

const pgUrl = process.env.FILET_TEST_PG_URL;

if (!pgUrl) {
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but FILET_TEST_PG_URL is not set: the PostgreSQL store tests cannot be skipped in CI',
    );
  }
  console.warn(
    '[filet tests] FILET_TEST_PG_URL is not set: PostgreSQL store tests are SKIPPED on this machine',
  );
}

export const STORE_TARGETS: StoreTarget[] = [
  { name: 'sqlite', store: 'sqlite' },
  ...(pgUrl ? [{ name: 'postgres' as const, store: pgUrl }] : []),
];

export function tempDir(prefix = 'filet-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
