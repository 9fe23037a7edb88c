import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CaseStore } from '../store/case-store.js';
import type { Permission } from './policy.js';
import type { AuthService, AuthedUser } from './services/auth.js';
import type { CaseViewCache } from './services/case-view.js';
import type { SessionRow } from '../store/user-store.js';

/** What every route module receives: the store, the case folder, the shared view and the services. */
export interface ServerContext {
  store: CaseStore;
  caseDir: string;
  views: CaseViewCache;
  auth: AuthService;
  /** Appends an audit entry in the name of the request's user. */
  audit(req: FastifyRequest, action: string, args: unknown, result: unknown): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthedUser | null;
    session: SessionRow | null;
  }
  interface FastifyContextConfig {
    /** The permission the route needs (src/server/policy.ts); absent means public. */
    permission?: Permission;
    /** Reachable without a session (login, health). */
    public?: boolean;
  }
}

export const PAGING = {
  offset: { type: 'integer', minimum: 0, default: 0 },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
} as const;

export const ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
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
