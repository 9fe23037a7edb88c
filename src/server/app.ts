import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { CaseStore } from '../store/case-store.js';
import { openCase } from '../store/case-dir.js';
import { userName, type ServerContext } from './context.js';
import { can } from './policy.js';
import { caseRoutes } from './routes/case.js';
import { custodyRoutes } from './routes/custody.js';
import { downloadRoutes } from './routes/downloads.js';
import { mediaRoutes } from './routes/media.js';
import { SESSION_COOKIE, sessionRoutes } from './routes/session.js';
import { AuthService, DEFAULT_AUTH, type AuthSettings } from './services/auth.js';
import { CaseViewCache } from './services/case-view.js';
import { HttpError } from './services/paging.js';

export interface ServerOptions {
  caseDir: string;
  /** PostgreSQL URL when the case lives there (as `--store`). */
  store?: string;
  /** An already open store (tests, the demo); the server then does not close it. */
  caseStore?: CaseStore;
  /** The built UI; defaults to `web/dist` of this package. */
  webRoot?: string;
  auth?: Partial<AuthSettings>;
  loginPerIpPerMinute?: number;
  logger?: boolean;
}

/** One registered route, as `routeTable` lists it. */
export interface RouteEntry {
  method: string;
  url: string;
  permission: string | null;
  public: boolean;
}

const ROUTE_TABLES = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route the server registered (collected by an `onRoute` hook): what the security tests walk. */
export function routeTable(app: FastifyInstance): readonly RouteEntry[] {
  return ROUTE_TABLES.get(app) ?? [];
}

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Validation messages that name the field: `querystring/limit must be <= 500`, `unknown query parameter "x"`. */
function schemaErrorFormatter(
  errors: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[],
  dataVar: string,
) {
  const e = errors[0]!;
  if (e.keyword === 'additionalProperties') {
    const what =
      dataVar === 'querystring'
        ? 'query parameter'
        : dataVar === 'body'
          ? 'body property'
          : `${dataVar} field`;
    return new Error(`unknown ${what} "${String(e.params.additionalProperty)}"`);
  }
  return new Error(`${dataVar}${e.instancePath} ${e.message ?? 'is invalid'}`);
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const opened = opts.caseStore ? null : await openCase(opts.caseDir, { store: opts.store });
  const store = opts.caseStore ?? opened!.store;
  const caseDir = resolve(opts.caseDir);
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 64 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
    },
    schemaErrorFormatter,
  });
  const table: RouteEntry[] = [];
  ROUTE_TABLES.set(app, table);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      table.push({
        method,
        url: r.url,
        permission: r.config?.permission ?? null,
        public: r.config?.public === true,
      });
  });
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);

  const ctx: ServerContext = {
    store,
    caseDir,
    views: new CaseViewCache(store),
    auth: new AuthService(store, { ...DEFAULT_AUTH, ...opts.auth }),
    audit: async (req, action, args, result) => {
      await store.appendAudit(userName(req), action, args, result);
    },
  };

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'blob:', 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyRateLimit, { global: false });

  // Authentication, CSRF and the role check run before validation, so a stranger learns nothing from a 400.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    reply.header('Cache-Control', 'no-store');
    const cfg = req.routeOptions.config;
    if (cfg.public || !req.routeOptions.url) return;
    const sid = req.cookies[SESSION_COOKIE];
    const found = sid ? await ctx.auth.resolve(sid) : null;
    if (!found) throw new HttpError(401, 'not logged in (or the session expired)');
    req.user = found.user;
    req.session = found.session;
    if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== found.session.csrf)
      throw new HttpError(403, 'missing or invalid CSRF token');
    if (cfg.permission && !can(found.user.role, cfg.permission))
      throw new HttpError(403, `role ${found.user.role} may not ${cfg.permission}`);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err instanceof HttpError ? err.statusCode : err.validation ? 400 : (err.statusCode ?? 500);
    if (status >= 500 && status !== 501) req.log.error(err);
    const message = status >= 500 && status !== 501 ? 'internal error' : err.message;
    const names: Record<number, string> = {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      413: 'Payload Too Large',
      415: 'Unsupported Media Type',
      423: 'Locked',
      429: 'Too Many Requests',
      501: 'Not Implemented',
    };
    reply.header('Cache-Control', 'no-store');
    return reply
      .code(status)
      .send({ statusCode: status, error: names[status] ?? 'Internal Server Error', message });
  });

  sessionRoutes(app, ctx, opts.loginPerIpPerMinute ?? 20);
  caseRoutes(app, ctx);
  mediaRoutes(app, ctx);
  custodyRoutes(app, ctx);
  downloadRoutes(app, ctx);

  const webRoot = resolve(opts.webRoot ?? join(PACKAGE_ROOT, 'web', 'dist'));
  const hasUi = existsSync(join(webRoot, 'index.html'));
  if (hasUi) await app.register(fastifyStatic, { root: webRoot, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.url === '/api' || req.method !== 'GET') {
      // An unknown API path tells a stranger nothing more than a known one.
      if (!req.cookies[SESSION_COOKIE])
        return reply.code(401).send({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'not logged in (or the session expired)',
        });
      return reply.code(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: `no route ${req.method} ${req.url.split('?')[0]}`,
      });
    }
    if (!hasUi)
      return reply
        .code(404)
        .type('text/plain')
        .send('filet: the web UI is not built (run npm run build:web); the API is under /api');
    return reply.sendFile('index.html');
  });

  if (opened) app.addHook('onClose', async () => opened.store.close());
  return app;
}
