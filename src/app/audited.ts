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

/** Who an audit entry names, and how a failed change is recorded (null: not recorded). */
export interface AuditPolicy {
  actor: string;
  failure: (err: unknown) => Record<string, unknown> | null;
  /** The CLI keeps the original error even when its failure entry cannot be written (the case is gone). */
  ignoreFailureAuditErrors?: boolean;
}

/** The CLI's policy: the OS account (or FILET_USER); every failure is recorded with its message. */
export function cliPolicy(): AuditPolicy {
  return {
    actor: actor(),
    failure: (err) => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    ignoreFailureAuditErrors: true,
  };
}

async function recordFailure(
  store: CaseStore,
  policy: AuditPolicy,
  action: string,
  args: unknown,
  err: unknown,
) {
  const result = policy.failure(err);
  if (!result) return;
  // A rejected attempt is part of the chain of custody too; written once the failed change rolled back.
  const append = store.appendAudit(policy.actor, action, args, result);
  await (policy.ignoreFailureAuditErrors ? append.catch(() => undefined) : append);
}

/**
 * Runs a change to the case and appends its audit entry IN THE SAME TRANSACTION: `fn` gets the store bound
 * to that transaction and must do all its work through it. Either both land or neither does (then the
 * failure is recorded on its own, as the policy says). Used by the CLI and by the web routes.
 */
export async function auditedChange<T>(
  store: CaseStore,
  policy: AuditPolicy,
  action: string,
  args: unknown,
  fn: (s: CaseStore) => Promise<T>,
  summarize: (r: T) => unknown = () => ({}),
): Promise<T> {
  try {
    return await store.transaction(async (s) => {
      const result = await fn(s);
      await s.appendAudit(policy.actor, action, args, { ok: true, ...(summarize(result) as object) });
      return result;
    });
  } catch (err) {
    await recordFailure(store, policy, action, args, err);
    throw err;
  }
}

/** `auditedChange` with the CLI's policy; the entry's result is the change's result unless summarised. */
export function audited<T>(
  store: CaseStore,
  action: string,
  args: Record<string, unknown>,
  fn: (s: CaseStore) => Promise<T>,
  summarize: (r: T) => unknown = (r) => r,
): Promise<T> {
  return auditedChange(store, cliPolicy(), action, args, fn, summarize);
}

/**
 * Long work made of several transactions of its own (ingest: one per evidence item; match: hashing, then
 * the matches). `fn` receives `record(s, result)`, to be called inside each step's transaction so each
 * step's change and its entry commit together; a failure is recorded once the failed step rolled back.
 * The policy names the actor and how a failure is recorded (default: the CLI's).
 */
export async function auditedSteps<T>(
  store: CaseStore,
  action: string,
  args: Record<string, unknown>,
  fn: (record: (s: CaseStore, result: Record<string, unknown>) => Promise<void>) => Promise<T>,
  policy: AuditPolicy = cliPolicy(),
): Promise<T> {
  try {
    return await fn(async (s, result) => {
      await s.appendAudit(policy.actor, action, args, { ok: true, ...result });
    });
  } catch (err) {
    await recordFailure(store, policy, action, args, err);
    throw err;
  }
}

/**
 * A read of the case (an export, a report, a page of messages): the read runs, then its entry is appended,
 * and only then is the result handed back (no entry, no data). A failed read is recorded as the policy says.
 */
export async function auditedView<T>(
  store: CaseStore,
  policy: AuditPolicy,
  action: string,
  args: unknown,
  read: () => Promise<T> | T,
  summarize: (r: T) => unknown = () => ({}),
): Promise<T> {
  let result: T;
  try {
    result = await read();
  } catch (err) {
    await recordFailure(store, policy, action, args, err);
    throw err;
  }
  await store.appendAudit(policy.actor, action, args, { ok: true, ...(summarize(result) as object) });
  return result;
}

/** A command that only reads the case (exports, reports), with the CLI's policy. */
export function auditedRead<T>(
  store: CaseStore,
  action: string,
  args: Record<string, unknown>,
  fn: () => Promise<T>,
  summarize: (r: T) => unknown = (r) => r,
): Promise<T> {
  return auditedView(store, cliPolicy(), action, args, fn, summarize);
}
