import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LANGUAGES, type Language, type Session } from '../../api/contract.js';
import { casePermissionsOf, installationPermissionsOf } from '../policy.js';
import type { ServerContext } from '../context.js';
import { UserStore, type SessionRow } from '../../store/user-store.js';
import { HttpError } from '../services/paging.js';
import type { AuthedUser } from '../services/auth.js';

/** Prefix of the session cookie's name; the server appends its port (ServerContext.sessionCookie). */
export const SESSION_COOKIE = 'filet_session';

/**
 * Who is logged in, what they may do on the installation, and the cases they may enter with what they may
 * do in each (the UI mirrors these; the gate decides). A case the user has no role in is not listed.
 */
async function sessionBody(ctx: ServerContext, user: AuthedUser, s: SessionRow): Promise<Session> {
  const cases = await ctx.directory.casesOf(user);
  return {
    user,
    csrfToken: s.csrf,
    installation:
      ctx.directory.kind === 'installation' ? { permissions: installationPermissionsOf(user.role) } : null,
    cases: cases.map((c) => ({ ...c, permissions: casePermissionsOf(c.role) })),
    expiresAt: new Date(s.expiresAt).toISOString(),
    idleExpiresAt: new Date(s.lastSeen + ctx.auth.settings.idleTimeoutMs).toISOString(),
  };
}

/**
 * Login and logout. The limits on failed logins are kept in the store by the auth service (shared by every
 * server process); `loginPerIpPerMinute` is only this process's flood guard in front of them (its refusals
 * are counted into the audit's login.failed summaries too). `req.ip` and `req.protocol` honour
 * X-Forwarded-For / X-Forwarded-Proto only when the server was built with `trustProxy`.
 */
export function sessionRoutes(app: FastifyInstance, ctx: ServerContext, loginPerIpPerMinute: number): void {
  app.get('/api/health', { config: { public: true } }, async () => ({ ok: true }));

  // Writes the held-back login.failed summaries once their minute is over, and on shutdown.
  let sweeper: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  const sweep = async (wait: boolean) => {
    // One at a time: a sweep can wait for the case's write lock (a long ingest in another process).
    if (running) {
      if (!wait) return;
      await running;
    }
    running = ctx.auth
      .sweep()
      .catch((err: unknown) => app.log.error(err))
      .finally(() => (running = null));
    await running;
  };
  app.addHook('onReady', async () => {
    sweeper = setInterval(() => void sweep(false), Math.max(1000, ctx.auth.settings.auditWindowMs));
    sweeper.unref();
  });
  app.addHook('preClose', async () => {
    clearInterval(sweeper);
    await sweep(true);
  });

  app.post(
    '/api/session',
    {
      config: {
        public: true,
        rateLimit: {
          max: loginPerIpPerMinute,
          timeWindow: 60_000,
          onExceeded: (req: FastifyRequest) => ctx.auth.noteFlooded(req.ip),
        },
      },
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
      // Counted, audited (login / login.failed) and refused (401/423/429) inside the auth service.
      const r = await ctx.auth.login(username, password, req.ip);
      req.user = r.user;
      reply.setCookie(ctx.sessionCookie, r.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        path: '/',
        expires: new Date(r.session.expiresAt),
      });
      return sessionBody(ctx, r.user, r.session);
    },
  );

  app.get('/api/session', { config: { permission: 'session' } }, async (req) =>
    sessionBody(ctx, req.user!, req.session!),
  );

  // The cases one may enter (the same list as the session's), for a case picker that refreshes it.
  app.get('/api/cases', { config: { permission: 'session' } }, async (req) => ({
    items: (await ctx.directory.casesOf(req.user!)).map((c) => ({
      ...c,
      permissions: casePermissionsOf(c.role),
    })),
  }));

  // The UI language is the account's, so it follows the user to any machine. Audited where the account
  // lives: a lone case's log, or on an installation its own log (installationAudited writes to either).
  app.put(
    '/api/session/language',
    {
      config: { permission: 'session' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['language'],
          properties: { language: { type: 'string', enum: [...LANGUAGES] } },
        },
      },
    },
    async (req: FastifyRequest<{ Body: { language: Language } }>) => {
      const { language } = req.body;
      const user = req.user!;
      await ctx.installationAudited(req, 'user.language', { language }, async (s) => {
        if (!(await new UserStore(s).setLanguage(user.name, language)))
          throw new HttpError(404, 'no such user');
      });
      return sessionBody(ctx, { ...user, language }, req.session!);
    },
  );

  app.delete('/api/session', { config: { permission: 'session' } }, async (req, reply) => {
    await ctx.auth.logout(req.session!.idHash, req.user!.name, req.ip);
    reply.clearCookie(ctx.sessionCookie, { path: '/' });
    return reply.code(204).send();
  });
}
