import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../src/synth/index.js';
import type { DeviceEntry } from '../../src/synth/truth.js';

/** One seized device of a synthetic operation, as devices.json lists it. */
export type DeviceInfo = DeviceEntry;

/**
 * A synthetic operation shared by the tests of one run (deterministic per seed, so reusing a previous
 * run's folder is safe: synth refuses nothing it wrote itself and rewrites identical bytes).
 */
export async function synthOperation(
  seed = 7,
  scale: 'small' | 'medium' = 'small',
): Promise<{ dir: string; devices: DeviceInfo[] }> {
  const dir = join(tmpdir(), `filet-test-op-${scale}-${seed}-${process.pid}`);
  if (!existsSync(join(dir, 'devices.json'))) await synthesize({ out: dir, seed, scale });
  const devices = JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8')) as DeviceInfo[];
  return { dir, devices };
}
