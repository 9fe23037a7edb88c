import { userInfo } from 'node:os';
import type { CaseStore } from '../store/case-store.js';
import { openCase, type CaseFile } from '../store/case-dir.js';
import { UserError } from '../util/errors.js';

/** Who runs the command, for the audit log: FILET_USER when a lab sets it, else the OS account. */
export function actor(): string {
  if (process.env.FILET_USER) return process.env.FILET_USER;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

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

/**
 * Runs a command that changes the case and appends its audit entry (arguments and result, or the error it
 * failed with: a rejected attempt is part of the chain of custody too).
 */
export async function audited<T>(
  store: CaseStore,
  action: string,
  args: Record<string, unknown>,
  fn: () => Promise<T>,
  summarize: (r: T) => unknown = (r) => r,
): Promise<T> {
  try {
    const result = await fn();
    await store.appendAudit(actor(), action, args, { ok: true, ...(summarize(result) as object) });
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await store.appendAudit(actor(), action, args, { ok: false, error: message }).catch(() => undefined);
    throw err;
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
