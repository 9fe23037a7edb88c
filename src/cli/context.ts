export { actor, audited, auditedRead, auditedSteps } from '../app/audited.js';
import type { CaseStore } from '../store/case-store.js';
import { queueForCase } from '../jobs/open.js';
import type { JobSpec } from '../jobs/types.js';
import { caseStoreUrl, openCase, type CaseFile } from '../store/case-dir.js';
import { UserError } from '../util/errors.js';

export interface CaseContext {
  dir: string;
  store: CaseStore;
  caseFile: CaseFile;
}

export async function withCase<T>(
  dir: string,
  opts: { store?: string },
  fn: (c: CaseContext) => Promise<T>,
): Promise<T> {
  const ctx = await openCase(dir, opts);
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

/** `--jobs` on a command that is one job (analyze, report): queues it and says how to run it. */
export async function enqueueOne(
  dir: string,
  opts: { store?: string; json?: boolean },
  spec: JobSpec,
): Promise<void> {
  const ids = await withCase(dir, opts, async ({ store, dir: caseDir }) => {
    const queue = await queueForCase({ store, dir: caseDir }, caseStoreUrl(caseDir, opts.store));
    try {
      return await queue.enqueue(store, [spec]);
    } finally {
      await queue.close();
    }
  });
  if (opts.json) printJson({ jobs: ids });
  else console.log(`queued ${spec.kind} job ${ids[0]}; run it with: filet worker ${dir}`);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function parsePositiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new UserError(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

export function table(rows: [string, string | number][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}
