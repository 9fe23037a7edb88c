import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The audit key of this test run (docs/audit.md): in a fresh private temporary folder, never the user's
// ~/.config/filet/audit.key. Tests and the CLI processes they start (test/helpers/cli.ts) inherit it.
const auditKeyDir = mkdtempSync(join(tmpdir(), 'filet-test-audit-key-'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    env: { FILET_AUDIT_KEY_FILE: join(auditKeyDir, 'audit.key') },
    globalSetup: ['test/helpers/audit-key-setup.ts'],
  },
});
