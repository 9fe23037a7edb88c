import type { UserRole } from '../store/user-store.js';

/**
 * The one table of who may do what. Every route names a permission or is one of PUBLIC_ROUTES; nothing
 * else decides access (the UI only mirrors this list, which `GET /api/session` returns). app.ts refuses,
 * at startup, a route that names neither, names an unknown permission, or calls itself public without
 * being listed below. See docs/security-server.md.
 */
export const PERMISSIONS = [
  // Any logged-in user: read one's own session, log out.
  'session',
  'case.read',
  'media.reveal',
  'media.review',
  'identity.merge',
  'evidence.read',
  'evidence.verify',
  'audit.read',
  'export',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const POLICY: Record<UserRole, readonly Permission[]> = {
  lead: PERMISSIONS,
  analyst: [
    'session',
    'case.read',
    'media.reveal',
    'media.review',
    'identity.merge',
    'evidence.read',
    'evidence.verify',
  ],
  viewer: ['session', 'case.read', 'evidence.read'],
  // Oversight only: the chain of custody and the audit trail, never the case content itself.
  auditor: ['session', 'evidence.read', 'evidence.verify', 'audit.read'],
};

/**
 * The only routes answered without a session ("METHOD url" as registered; HEAD goes with GET). Besides
 * these, a GET for a path that matches no route and is not an API path gets the SPA index (app.ts).
 */
export const PUBLIC_ROUTES: readonly string[] = [
  'GET /api/health',
  'POST /api/session',
  'GET /',
  'GET /index.html',
  'GET /assets/:file',
];

export function isPermission(p: unknown): p is Permission {
  return (PERMISSIONS as readonly unknown[]).includes(p);
}

export function isPublicRoute(method: string, url: string): boolean {
  return PUBLIC_ROUTES.includes(`${method === 'HEAD' ? 'GET' : method} ${url}`);
}

export function can(role: UserRole, permission: Permission): boolean {
  return POLICY[role].includes(permission);
}

export function permissionsOf(role: UserRole): Permission[] {
  return [...POLICY[role]];
}
