import { auditedChange, auditedView, type AuditPolicy } from '../app/audited.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CaseStore } from '../store/case-store.js';
import type { Permission } from './policy.js';
import type { AuthService, AuthedUser } from './services/auth.js';
import type { CaseViewCache } from './services/case-view.js';
import type { CaseDirectory, OpenCase } from './directory.js';
import { HttpError } from './services/paging.js';
import type { CaseRole, SessionRow } from '../store/user-store.js';

/**
 * What every route module receives: the directory of cases, the auth service and, for the request being
 * answered, the case the gate resolved from its URL (`/api/cases/:caseId/…`). A case route reads and writes
 * only through `store(req)` / `views(req)` / `caseDir(req)` and audits through `audited` / `viewed` /
 * `audit`, which write into that case's log; nothing here is shared between cases.
 */
export interface ServerContext {
  directory: CaseDirectory;
  auth: AuthService;
  /** Name of the session cookie: `filet_session_<port>` (cookies ignore ports; two servers must not share one). */
  readonly sessionCookie: string;
  /** The case of a case route (set by the gate); throws on any other route, which is a programming error. */
  caseOf(req: FastifyRequest): OpenCase;
  /** The requesting user's role in the case of the route. */
  roleOf(req: FastifyRequest): CaseRole;
  store(req: FastifyRequest): CaseStore;
  caseDir(req: FastifyRequest): string;
  views(req: FastifyRequest): CaseViewCache;
  /** Appends an audit entry, in the case's log, in the name of the request's user. */
  audit(req: FastifyRequest, action: string, args: unknown, result: unknown): Promise<void>;
  /**
   * A change of the case and its audit entry, in one transaction: `change` runs on a store bound to it
   * (build stores on `s`, not on `ctx.store(req)`), the entry `{ ok: true, ...result(r) }` is appended through
   * `s`, and both commit or neither does. A refusal (an HttpError from `change`) rolls the change back and
   * is audited on its own as `{ ok: false, status, error }`.
   */
  audited<T>(
    req: FastifyRequest,
    action: string,
    args: unknown,
    change: (s: CaseStore) => Promise<T>,
    result?: (r: T) => Record<string, unknown>,
  ): Promise<T>;
  /**
   * A read of case content: `read` runs, then `{ ok: true, ...result(r) }` is appended, and only then is the
   * answer returned (no entry, no data). Refusals are audited like those of `audited`.
   */
  viewed<T>(
    req: FastifyRequest,
    action: string,
    args: unknown,
    read: () => Promise<T> | T,
    result?: (r: T) => Record<string, unknown>,
  ): Promise<T>;
  /** Like `audited`, for a change of the installation (its users, cases, members), in its own log. */
  installationAudited<T>(
    req: FastifyRequest,
    action: string,
    args: unknown,
    change: (s: CaseStore) => Promise<T>,
    result?: (r: T) => Record<string, unknown>,
  ): Promise<T>;
}

/** The audit policy of the routes, in one place: who (the session's user), what, and when it commits. */
export function createContext(
  parts: Pick<ServerContext, 'directory' | 'auth'>,
  sessionCookie: () => string,
): ServerContext {
  // The routes' policy: the session's user; a refusal (an HttpError) is recorded, a crash is not (it is
  // logged by the server and says nothing about what the user asked for).
  const policy = (req: FastifyRequest): AuditPolicy => ({
    actor: userName(req),
    failure: (err) =>
      err instanceof HttpError ? { ok: false, status: err.statusCode, error: err.message } : null,
  });
  const caseOf = (req: FastifyRequest): OpenCase => {
    if (!req.caseAccess) throw new Error(`route ${req.routeOptions.url} is not a case route`);
    return req.caseAccess.open;
  };
  return {
    ...parts,
    get sessionCookie() {
      return sessionCookie();
    },
    caseOf,
    roleOf: (req) => {
      caseOf(req);
      return req.caseAccess!.role;
    },
    store: (req) => caseOf(req).store,
    caseDir: (req) => caseOf(req).caseDir,
    views: (req) => caseOf(req).views,
    audit: async (req, action, args, result) => {
      await caseOf(req).store.appendAudit(userName(req), action, args, result);
    },
    audited: (req, action, args, change, result) =>
      auditedChange(caseOf(req).store, policy(req), action, args, change, (r) => result?.(r) ?? {}),
    viewed: (req, action, args, read, result) =>
      auditedView(caseOf(req).store, policy(req), action, args, read, (r) => result?.(r) ?? {}),
    installationAudited: (req, action, args, change, result) =>
      auditedChange(parts.directory.accounts, policy(req), action, args, change, (r) => result?.(r) ?? {}),
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthedUser | null;
    session: SessionRow | null;
    /** The case of a case route and the user's role in it, resolved by the gate before anything else. */
    caseAccess: { open: OpenCase; role: CaseRole } | null;
  }
  interface FastifyContextConfig {
    /** The permission the route needs (src/server/policy.ts). Every route has one, or is public. */
    permission?: Permission;
    /** Reachable without a session; only for the routes listed in PUBLIC_ROUTES (policy.ts). */
    public?: boolean;
  }
}

/** The largest `offset` a list accepts: beyond it no list has items, and the stores' integers stay safe. */
export const MAX_OFFSET = 10_000_000;

export const PAGING = {
  offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
} as const;

/** The `:caseId` of a case route (already resolved by the gate; declared so that params schemas accept it). */
export const CASE_ID_PARAM = { caseId: { type: 'string', minLength: 1, maxLength: 64 } } as const;

export const ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { ...CASE_ID_PARAM, id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

export function userName(req: FastifyRequest): string {
  return req.user?.name ?? 'anonymous';
}

export function sendBytes(reply: FastifyReply, bytes: Buffer, type: string, filename?: string) {
  reply.header('Content-Type', type);
  if (filename)
    reply.header('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  return reply.send(bytes);
}
