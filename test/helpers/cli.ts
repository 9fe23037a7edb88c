import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(REPO, 'test', 'helpers', 'cli-entry.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (from the TypeScript source, so tests never run a stale build) in a child process. */
export function filet(args: string[], env: Record<string, string> = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, FILET_USER: 'test-runner', ...env },
    cwd: REPO,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function filetAsync(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, FILET_USER: 'test-runner', ...env },
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
