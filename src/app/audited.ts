import { userInfo } from 'node:os';
import type { CaseStore } from '../store/case-store.js';

/**
 * The audit policy of the application services, shared by the CLI and the web server: a change to the case
 * and its audit entry commit in one transaction; reads are recorded after they happened; a failed change is
 * recorded on its own once it rolled back.
 */
/** Who runs the command, for the audit log: FILET_USER when a lab sets it, else the OS account. */
export function actor(): string {
  if (process.env.FILET_USER) return process.env.FILET_USER;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function failureEntry(store: CaseStore, action: string, args: Record<string, unknown>, err: unknown) {
  const message = err instanceof Error ? err.message : String(err);
  // A rejected attempt is part of the chain of custody too; written once the failed change rolled back.
  return store.appendAudit(actor(), action, args, { ok: false, error: message }).catch(() => undefined);
}

/**
 * Runs a change to the case and appends its audit entry IN THE SAME TRANSACTION: `fn` gets the store bound
 * to that transaction and must do all its work through it. Either both land or neither does (then the
 * failure is recorded on its own).
 */
export async function audited<T>(
  store: CaseStore,
  action: string,
  args: Record<string, unknown>,
  fn: (s: CaseStore) => Promise<T>,
  summarize: (r: T) => unknown = (r) => r,
): Promise<T> {
  try {
    return await store.transaction(async (s) => {
      const result = await fn(s);
      await s.appendAudit(actor(), action, args, { ok: true, ...(summarize(result) as object) });
      return result;
    });
  } catch (err) {
    await failureEntry(store, action, args, err);
    throw err;
  }
}

/**
 * Long work made of several transactions of its own (ingest: one per evidence item; match: hashing, then
 * the matches). `fn` receives `record(s, result)`, to be called inside each step's transaction so each
 * step's change and its entry commit together; a failure is recorded once the failed step rolled back.
 */
export async function auditedSteps<T>(
  store: CaseStore,
  action: string,
  args: Record<string, unknown>,
  fn: (record: (s: CaseStore, result: Record<string, unknown>) => Promise<void>) => Promise<T>,
): Promise<T> {
  try {
    return await fn(async (s, result) => {
      await s.appendAudit(actor(), action, args, { ok: true, ...result });
    });
  } catch (err) {
    await failureEntry(store, action, args, err);
    throw err;
  }
}

/** A command that only reads the case (exports, reports): the audit entry records the read. */
export async function auditedRead<T>(
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
    await failureEntry(store, action, args, err);
    throw err;
  }
}
