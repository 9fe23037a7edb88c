import { auditedChange, auditedView, type AuditPolicy } from '../app/audited.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CaseStore } from '../store/case-store.js';
import type { Permission } from './policy.js';
import type { AuthService, AuthedUser } from './services/auth.js';
import type { CaseViewCache } from './services/case-view.js';
import { HttpError } from './services/paging.js';
import type { SessionRow } from '../store/user-store.js';

/** What every route module receives: the store, the case folder, the shared view and the services. */
export interface ServerContext {
  store: CaseStore;
  caseDir: string;
  views: CaseViewCache;
  auth: AuthService;
  /** Name of the session cookie: `filet_session_<port>` (cookies ignore ports; two servers must not share one). */
  readonly sessionCookie: string;
  /** Appends an audit entry in the name of the request's user. */
  audit(req: FastifyRequest, action: string, args: unknown, result: unknown): Promise<void>;
  /**
   * A change of the case and its audit entry, in one transaction: `change` runs on a store bound to it
   * (build stores on `s`, not on `ctx.store`), the entry `{ ok: true, ...result(r) }` is appended through
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
}

/** The audit policy of the routes, in one place: who (the session's user), what, and when it commits. */
export function createContext(
  parts: Pick<ServerContext, 'store' | 'caseDir' | 'views' | 'auth'>,
  sessionCookie: () => string,
): ServerContext {
  const { store } = parts;
  // The routes' policy: the session's user; a refusal (an HttpError) is recorded, a crash is not (it is
  // logged by the server and says nothing about what the user asked for).
  const policy = (req: FastifyRequest): AuditPolicy => ({
    actor: userName(req),
    failure: (err) =>
      err instanceof HttpError ? { ok: false, status: err.statusCode, error: err.message } : null,
  });
  return {
    ...parts,
    get sessionCookie() {
      return sessionCookie();
    },
    audit: async (req, action, args, result) => {
      await store.appendAudit(userName(req), action, args, result);
    },
    audited: (req, action, args, change, result) =>
      auditedChange(store, policy(req), action, args, change, (r) => result?.(r) ?? {}),
    viewed: (req, action, args, read, result) =>
      auditedView(store, policy(req), action, args, read, (r) => result?.(r) ?? {}),
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthedUser | null;
    session: SessionRow | null;
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

export const ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
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
