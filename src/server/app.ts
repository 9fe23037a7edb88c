import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { CaseStore } from '../store/case-store.js';
import { caseStoreUrl, openCase } from '../store/case-dir.js';
import { startJobHost } from './job-host.js';
import { Workspace } from '../store/workspace.js';
import { createContext } from './context.js';
import { InstallationDirectory, SingleCaseDirectory, type CaseDirectory } from './directory.js';
import {
  canInCase,
  canInInstallation,
  isCasePermission,
  isCaseRoute,
  isPermission,
  isPublicRoute,
} from './policy.js';
import { crossCaseFollowUp } from '../app/cross-case.js';
import { crossCaseRoutes } from './routes/cross-case.js';
import { intakeRoutes } from './routes/intake.js';
import { EvidenceShare } from '../evidence/share.js';
import { installationRoutes } from './routes/installation.js';
import { annotationRoutes } from './routes/annotations.js';
import { caseRoutes } from './routes/case.js';
import { conversationRoutes } from './routes/conversation.js';
import { custodyRoutes } from './routes/custody.js';
import { downloadRoutes } from './routes/downloads.js';
import { jobRoutes } from './routes/jobs.js';
import { keywordRoutes } from './routes/keywords.js';
import { searchRoutes } from './routes/search.js';
import { mediaRoutes } from './routes/media.js';
import { priorityRoutes } from './routes/priority.js';
import { SESSION_COOKIE, sessionRoutes } from './routes/session.js';
import { triageRoutes } from './routes/triage.js';
import { AuthService, DEFAULT_AUTH, type AuthSettings } from './services/auth.js';
import { HttpError } from './services/paging.js';

export interface ServerOptions {
  /** The case a single case's server serves (with `store` or `caseStore`); or give a workspace instead. */
  caseDir?: string;
  /** PostgreSQL URL when the case (or the workspace) lives there (as `--store`). */
  store?: string;
  /** An already open store (tests, the demo); the server then does not close it. */
  caseStore?: CaseStore;
  /** The evidence share the web app's intake reads from (`--evidence-root`); none: share intake is off. */
  evidenceRoot?: string;
  /**
   * The job queue (docs/jobs.md): intake ingests are queued instead of run in the request. Embedded, the
   * server runs them itself; on PostgreSQL `filet worker` processes do, and this one too with `worker`.
   * Unset: no queue, an ingest runs in its request.
   */
  jobs?: { worker?: boolean };
  /** An installation: its folder (opened and closed by the server) or an open workspace (left open). */
  workspace?: string | Workspace;
  /** The built UI; defaults to `web/dist` of this package. */
  webRoot?: string;
  auth?: Partial<AuthSettings>;
  loginPerIpPerMinute?: number;
  /**
   * The TLS-terminating proxy in front of the server (addresses/CIDRs, or a function of address and hop):
   * only requests from it have their X-Forwarded-For / X-Forwarded-Proto honoured (client address for the
   * login limits and the audit, Secure cookies). Unset: the headers are ignored.
   */
  trustProxy?: string[] | ((address: string, hop: number) => boolean);
  logger?: boolean;
  /**
   * Host names the server answers for besides the address it listens on (`--allowed-host`, repeatable):
   * `name` (any port) or `name:port`. Any other `Host` gets 421 (DNS rebinding).
   */
  allowedHosts?: string[];
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

const SAFE_METHODS = new Set(['GET', 'HEAD']);
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The two refusals of the access gate. One answer per case, whatever the path: an unknown path, a route the
 * role may not use and a known route look the same (no route enumeration).
 */
export const NOT_LOGGED_IN = 'not logged in (or the session expired)';
export const NOT_PERMITTED = 'not permitted, or no such route';
/** A case route for a case that does not exist, or of which the user is not a member: the same answer. */
export const NO_SUCH_CASE = 'no such case';
const MISDIRECTED = 'this server does not answer for that host';

/** A host name or `host:port` as `--allowed-host` takes it (lower-cased); throws on anything else. */
export function parseAllowedHost(value: string): string {
  const v = value.trim().toLowerCase();
  const m =
    /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:(\d{1,5}))?$/.exec(
      v,
    );
  if (!m || (m[6] !== undefined && Number(m[6]) > 65535))
    throw new Error(`allowed host must be a host name or host:port (no scheme, no path), got "${value}"`);
  return v;
}

const isLoopback = (ip: string) => ip === '::1' || /^127\./.test(ip) || /^::ffff:127\./.test(ip);
const isUnspecified = (ip: string) => ip === '0.0.0.0' || ip === '::';
const bracket = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);

/**
 * The path as any reader might take it: percent-decoded (repeatedly), lower-cased, `\` as `/`, empty and
 * `.` segments dropped, `..` applied, `;…` parameters cut. Used only to keep the SPA fallback away from
 * anything that could mean the API.
 */
function normalisedPath(url: string): string {
  let p = url;
  if (!p.startsWith('/')) {
    try {
      p = new URL(p).pathname;
    } catch {
      return p.toLowerCase();
    }
  }
  p = p.split(/[?#]/)[0]!;
  for (let i = 0; i < 4; i++) {
    let d: string;
    try {
      d = decodeURIComponent(p);
    } catch {
      break;
    }
    if (d === p) break;
    p = d;
  }
  const out: string[] = [];
  for (const raw of p.toLowerCase().replace(/\\/g, '/').split('/')) {
    const seg = raw.split(';')[0]!.trim();
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** True when a path could name the API under some reading (`/API`, `/%2561pi/…`, `//api`, `/x/../api`…). */
export const isApiPath = (url: string) => normalisedPath(url).startsWith('/api');

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

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

/** The PostgreSQL URL pg-boss needs, when the cases live there (null: embedded, or not known). */
async function pgUrlOf(directory: CaseDirectory, opts: ServerOptions): Promise<string | null> {
  if (directory instanceof InstallationDirectory) return directory.workspace.storeUrl;
  if (directory.accounts.db.dialect !== 'postgres') return null;
  const [t] = await directory.targets();
  const url = t ? caseStoreUrl(t.dir, opts.store) : null;
  if (!url) throw new Error('the case lives in PostgreSQL but its URL is not known: give --store');
  return url;
}

/** The cases the server serves: one case, or every case of a workspace; and what closes with the server. */
async function openDirectory(opts: ServerOptions): Promise<{ directory: CaseDirectory; owned: boolean }> {
  if (opts.workspace !== undefined) {
    if (opts.caseDir !== undefined || opts.caseStore)
      throw new Error('serve either one case or a workspace, not both');
    const owned = typeof opts.workspace === 'string';
    const ws =
      typeof opts.workspace === 'string'
        ? await Workspace.open(opts.workspace, { store: opts.store })
        : opts.workspace;
    return { directory: new InstallationDirectory(ws), owned };
  }
  if (opts.caseDir === undefined) throw new Error('serve needs a case folder or a workspace');
  const caseDir = resolve(opts.caseDir);
  const store = opts.caseStore ?? (await openCase(caseDir, { store: opts.store })).store;
  const name = (await store.getCase())?.name ?? store.caseId;
  return { directory: new SingleCaseDirectory(store, caseDir, name, !opts.caseStore), owned: true };
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  // The share first: a wrong --evidence-root fails before anything is opened.
  const share = opts.evidenceRoot ? await EvidenceShare.open(opts.evidenceRoot) : null;
  const { directory, owned } = await openDirectory(opts);
  const workspace = directory instanceof InstallationDirectory ? directory.workspace : undefined;
  const followUpFor = workspace
    ? (st: CaseStore) => crossCaseFollowUp(workspace.installation, st)
    : () => undefined;
  const jobs = opts.jobs
    ? await startJobHost(directory, {
        pgUrl: await pgUrlOf(directory, opts),
        worker: opts.jobs.worker === true,
        workspace,
        followUp: followUpFor,
      })
    : null;
  // Malformed targets (a bad %-escape, an over-long parameter) never reach the hooks; set below.
  let frameworkError: (req: FastifyRequest, reply: FastifyReply) => Promise<void> = async () => {};
  const app = Fastify({
    frameworkErrors: (_err, req, reply) => void frameworkError(req, reply),
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 64 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
    },
    schemaErrorFormatter,
  });
  // Deny by default: a route that names no known permission, or calls itself public without being listed
  // in PUBLIC_ROUTES (policy.ts), is refused here, when it is registered (the server does not start).
  const table: RouteEntry[] = [];
  ROUTE_TABLES.set(app, table);
  app.addHook('onRoute', (r) => {
    const cfg = r.config ?? {};
    for (const method of [r.method].flat()) {
      const what = `route ${method} ${r.url}`;
      if (cfg.public === true) {
        if (cfg.permission !== undefined)
          throw new Error(`${what} is both public and needs ${cfg.permission}`);
        if (!isPublicRoute(method, r.url))
          throw new Error(`${what} is marked public but is not in PUBLIC_ROUTES (src/server/policy.ts)`);
      } else if (!isPermission(cfg.permission))
        throw new Error(
          `${what} declares no permission: every route needs config.permission (src/server/policy.ts) or config.public` +
            (cfg.permission !== undefined ? ` (unknown permission "${String(cfg.permission)}")` : ''),
        );
      else if (isCaseRoute(r.url) !== isCasePermission(cfg.permission))
        throw new Error(
          isCaseRoute(r.url)
            ? `${what} is a case route but needs the installation permission ${cfg.permission}`
            : `${what} needs the case permission ${cfg.permission} but is not under /api/cases/:caseId`,
        );
      table.push({ method, url: r.url, permission: cfg.permission ?? null, public: cfg.public === true });
    }
  });
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('caseAccess', null);

  // The hosts this server answers for: the address it listens on (with the loopback names for a loopback or
  // wildcard bind) and the configured ones. Before listen (app.inject) only the configured ones.
  const configuredHosts = (opts.allowedHosts ?? []).map(parseAllowedHost);
  let servedHosts: Set<string> | null = null;
  const served = (): Set<string> => {
    if (servedHosts) return servedHosts;
    const out = new Set<string>();
    const addrs = app.addresses().filter((a): a is AddressInfo => typeof a !== 'string');
    for (const a of addrs) {
      const names = [bracket(a.address)];
      if (isLoopback(a.address) || isUnspecified(a.address)) names.push('localhost', '127.0.0.1', '[::1]');
      if (isUnspecified(a.address))
        for (const list of Object.values(networkInterfaces()))
          for (const i of list ?? []) names.push(bracket(i.address));
      for (const n of names) {
        out.add(`${n}:${a.port}`);
        if (a.port === 80) out.add(n);
      }
    }
    if (addrs.length) servedHosts = out;
    return out;
  };
  const hostAllowed = (host: string | undefined): boolean => {
    if (!host) return false;
    const h = host.toLowerCase();
    if (served().has(h)) return true;
    const name = h.replace(/:\d+$/, '');
    return configuredHosts.some((c) => c === h || (!/:\d+$/.test(c) && c === name));
  };

  // Cookies ignore ports: the name carries the port (or, not listening, this instance's id).
  const instanceId = randomBytes(4).toString('hex');
  const sessionCookie = () => {
    const port = app.addresses().find((a): a is AddressInfo => typeof a !== 'string')?.port;
    return `${SESSION_COOKIE}_${port ?? instanceId}`;
  };

  const ctx = createContext(
    {
      directory,
      auth: new AuthService(directory.accounts, { ...DEFAULT_AUTH, ...opts.auth }, (role) =>
        directory.admits(role),
      ),
    },
    sessionCookie,
  );

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

  // The access gate, on every request before anything else (and before validation, so a stranger learns
  // nothing from a 400). It decides on the route the router matched, never on the raw URL: the Host, then
  // public or not, then the session, then (case routes) the case and the user's role in it, then the
  // permission, then CSRF for state changes. A case the user has no role in is "no such case" (404) before
  // anything is validated or counted, so another case's user learns nothing, not even that it exists.
  const hostOk = (req: FastifyRequest): boolean => {
    const target = req.raw.url ?? '/';
    // Absolute-form: the target's authority is the host (RFC 9112 §3.2.2); both must be ours.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
      let authority: string | undefined;
      try {
        authority = new URL(target).host;
      } catch {
        return false;
      }
      if (!hostAllowed(authority)) return false;
    }
    const hosts = req.raw.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'host').length;
    return hosts === 1 && hostAllowed(req.headers.host);
  };
  const sessionOf = async (sid: string | undefined) => (sid ? ctx.auth.resolve(sid) : null);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store');
    if (!hostOk(req)) throw new HttpError(421, MISDIRECTED);
    const cfg = req.routeOptions.config;
    if (req.is404) {
      // No route: only a GET for a path that cannot mean the API gets something (the SPA index).
      if (SAFE_METHODS.has(req.method) && !isApiPath(req.raw.url ?? '/')) return;
    } else if (cfg.public === true) return;
    const found = await sessionOf(req.cookies[ctx.sessionCookie]);
    if (!found) throw new HttpError(401, NOT_LOGGED_IN);
    req.user = found.user;
    req.session = found.session;
    const permission = cfg.permission;
    if (req.is404 || !permission) throw new HttpError(403, NOT_PERMITTED);
    if (isCasePermission(permission)) {
      const caseId = (req.params as { caseId?: unknown }).caseId;
      const access = typeof caseId === 'string' ? await directory.enter(caseId, found.user) : null;
      if (!access) throw new HttpError(404, NO_SUCH_CASE);
      if (!canInCase(access.role, permission)) throw new HttpError(403, NOT_PERMITTED);
      req.caseAccess = access;
    } else if (!canInInstallation(found.user.role, permission)) throw new HttpError(403, NOT_PERMITTED);
    if (!SAFE_METHODS.has(req.method) && !sameSecret(req.headers['x-csrf-token'], found.session.csrf))
      throw new HttpError(403, 'missing or invalid CSRF token');
  });

  // A target the router cannot read is answered like one it does not know (a 400 or 414 naming the path
  // would tell a param route from no route).
  frameworkError = async (req, reply) => {
    let body = { statusCode: 421, error: 'Misdirected Request', message: MISDIRECTED };
    if (hostOk(req)) {
      const sid = app.parseCookie(req.headers.cookie ?? '')[ctx.sessionCookie];
      body = (await sessionOf(sid))
        ? { statusCode: 403, error: 'Forbidden', message: NOT_PERMITTED }
        : { statusCode: 401, error: 'Unauthorized', message: NOT_LOGGED_IN };
    }
    await reply
      .code(body.statusCode)
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(body);
  };

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
      421: 'Misdirected Request',
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
  if (directory instanceof InstallationDirectory) {
    installationRoutes(app, ctx, directory.workspace);
    crossCaseRoutes(app, ctx, directory.workspace);
  }
  caseRoutes(app, ctx);
  conversationRoutes(app, ctx);
  mediaRoutes(app, ctx);
  custodyRoutes(app, ctx);
  downloadRoutes(app, ctx);
  intakeRoutes(app, ctx, share, { followUpFor, queue: jobs?.queue ?? null });
  jobRoutes(app, ctx);
  priorityRoutes(app, ctx);
  searchRoutes(app, ctx);
  triageRoutes(app, ctx);
  annotationRoutes(app, ctx);
  keywordRoutes(app, ctx);

  // The UI: the index (also for client-side paths) and the built assets, nothing else of web/dist.
  const webRoot = resolve(opts.webRoot ?? join(PACKAGE_ROOT, 'web', 'dist'));
  const hasUi = existsSync(join(webRoot, 'index.html'));
  const assetsDir = join(webRoot, 'assets');
  const assets = new Set(
    hasUi && existsSync(assetsDir)
      ? readdirSync(assetsDir).filter((f) => !f.startsWith('.') && statSync(join(assetsDir, f)).isFile())
      : [],
  );
  if (hasUi) await app.register(fastifyStatic, { root: webRoot, serve: false });
  const index = (_req: FastifyRequest, reply: FastifyReply) =>
    hasUi
      ? reply.type('text/html; charset=utf-8').sendFile('index.html', { cacheControl: false })
      : reply
          .code(404)
          .type('text/plain')
          .send('filet: the web UI is not built (run npm run build:web); the API is under /api');
  const ui = { config: { public: true } };
  app.get('/', ui, index);
  app.get('/index.html', ui, index);
  app.get<{ Params: { file: string } }>('/assets/:file', ui, (req, reply) =>
    assets.has(req.params.file)
      ? reply.sendFile(`assets/${req.params.file}`, { maxAge: '365d', immutable: true })
      : reply.code(404).type('text/plain').send('no such asset'),
  );
  app.setNotFoundHandler((req, reply) => {
    // The gate let through only a GET for a non-API path; refuse anything else here too, in case.
    if (!SAFE_METHODS.has(req.method) || isApiPath(req.raw.url ?? '/'))
      throw new HttpError(403, NOT_PERMITTED);
    return index(req, reply);
  });

  app.addHook('onClose', async () => {
    await jobs?.close();
    if (owned) await directory.close();
  });
  return app;
}
