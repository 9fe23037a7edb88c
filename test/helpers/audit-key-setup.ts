import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TestProject } from 'vitest/node';

/** Removes the test run's audit key folder (vitest.config.ts) when the run ends. */
export default function setup(project: TestProject) {
  const keyFile = project.config.env.FILET_AUDIT_KEY_FILE;
  return () => {
    if (typeof keyFile === 'string' && basename(dirname(keyFile)).startsWith('filet-test-audit-key-'))
      rmSync(dirname(keyFile), { recursive: true, force: true });
  };
}
