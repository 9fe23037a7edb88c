import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { permissionsOf } from '../policy.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../services/paging.js';
import type { SessionRow } from '../../store/user-store.js';
import type { AuthedUser } from '../services/auth.js';

/** Prefix of the session cookie's name; the server appends its port (ServerContext.sessionCookie). */
export const SESSION_COOKIE = 'filet_session';

function sessionBody(ctx: ServerContext, user: AuthedUser, s: SessionRow) {
  return {
    user,
    csrfToken: s.csrf,
    permissions: permissionsOf(user.role),
    expiresAt: new Date(s.expiresAt).toISOString(),
    idleExpiresAt: new Date(s.lastSeen + ctx.auth.settings.idleTimeoutMs).toISOString(),
  };
}

export function sessionRoutes(app: FastifyInstance, ctx: ServerContext, loginPerIpPerMinute: number): void {
  app.get('/api/health', { config: { public: true } }, async () => ({ ok: true }));

  app.post(
    '/api/session',
    {
      config: { public: true, rateLimit: { max: loginPerIpPerMinute, timeWindow: 60_000 } },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 100 },
            password: { type: 'string', minLength: 1, maxLength: 1024 },
          },
        },
      },
    },
    async (req: FastifyRequest<{ Body: { username: string; password: string } }>, reply: FastifyReply) => {
      const { username, password } = req.body;
      try {
        const r = await ctx.auth.login(username, password);
        req.user = r.user;
        reply.setCookie(ctx.sessionCookie, r.sessionId, {
          httpOnly: true,
          sameSite: 'strict',
          secure: req.protocol === 'https',
          path: '/',
          expires: new Date(r.session.expiresAt),
        });
        await ctx.audit(req, 'login', { ip: req.ip }, { ok: true });
        return sessionBody(ctx, r.user, r.session);
      } catch (err) {
        if (err instanceof HttpError)
          await ctx.store.appendAudit(
            username,
            'login.failed',
            { ip: req.ip },
            { status: err.statusCode, error: err.message },
          );
        throw err;
      }
    },
  );

  app.get('/api/session', { config: { permission: 'session' } }, async (req) =>
    sessionBody(ctx, req.user!, req.session!),
  );

  app.delete('/api/session', { config: { permission: 'session' } }, async (req, reply) => {
    await ctx.auth.logout(req.session!.idHash);
    await ctx.audit(req, 'logout', {}, { ok: true });
    reply.clearCookie(ctx.sessionCookie, { path: '/' });
    return reply.code(204).send();
  });
}
