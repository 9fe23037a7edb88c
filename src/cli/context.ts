export { actor, audited, auditedRead, auditedSteps } from '../app/audited.js';
import type { CaseStore } from '../store/case-store.js';
import { openCase, type CaseFile } from '../store/case-dir.js';
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
