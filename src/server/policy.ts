import {
  CASE_PERMISSIONS,
  INSTALLATION_PERMISSIONS,
  type CasePermission,
  type InstallationPermission,
} from '../api/contract.js';
import { isCaseRole, type AccountRole, type CaseRole, type InstallationRole } from '../store/user-store.js';

/**
 * The one table of who may do what. Every route names a permission or is one of PUBLIC_ROUTES; nothing
 * else decides access (the UI only mirrors these lists, which `GET /api/session` returns). app.ts refuses,
 * at startup, a route that names neither, names an unknown permission, names a case permission outside
 * `/api/cases/:caseId/…` or an installation permission inside it, or calls itself public without being
 * listed below. See docs/security-server.md.
 *
 * Two kinds of permission, because there are two kinds of role. A case permission is held through one's
 * role in THAT case (lead of A, analyst on B): the gate resolves the case of the URL first, and a user with
 * no role in it is told the case does not exist. An installation permission is held through one's account
 * (any logged-in user; an installation administrator), and never reaches a case's content.
 */
export { CASE_PERMISSIONS, INSTALLATION_PERMISSIONS, type CasePermission, type InstallationPermission };

export type Permission = CasePermission | InstallationPermission;
export const PERMISSIONS: readonly Permission[] = [...INSTALLATION_PERMISSIONS, ...CASE_PERMISSIONS];

const CASE_POLICY: Record<CaseRole, readonly CasePermission[]> = {
  lead: CASE_PERMISSIONS,
  analyst: [
    'case.read',
    'media.reveal',
    'media.review',
    'identity.merge',
    'evidence.read',
    'evidence.verify',
    'members.read',
    'annotate',
  ],
  viewer: ['case.read', 'evidence.read', 'members.read'],
  // Oversight only: the chain of custody and the audit trail, never the case content itself.
  auditor: ['evidence.read', 'evidence.verify', 'audit.read', 'members.read'],
};

const INSTALLATION_POLICY: Record<InstallationRole, readonly InstallationPermission[]> = {
  admin: INSTALLATION_PERMISSIONS,
  member: ['session'],
};

/** The prefix of every case route; its `:caseId` is resolved against the user's memberships first. */
export const CASE_PREFIX = '/api/cases/:caseId';

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

export function isCasePermission(p: unknown): p is CasePermission {
  return (CASE_PERMISSIONS as readonly unknown[]).includes(p);
}

export function isCaseRoute(url: string): boolean {
  return url === CASE_PREFIX || url.startsWith(`${CASE_PREFIX}/`);
}

export function isPublicRoute(method: string, url: string): boolean {
  return PUBLIC_ROUTES.includes(`${method === 'HEAD' ? 'GET' : method} ${url}`);
}

/** A case permission, held through the role in the case. */
export function canInCase(role: CaseRole, permission: CasePermission): boolean {
  return CASE_POLICY[role].includes(permission);
}

/**
 * An installation permission, held through the account. A single case's accounts (whose role is a case
 * role) hold only `session`: a lone case has no installation to administer.
 */
export function canInInstallation(role: AccountRole, permission: InstallationPermission): boolean {
  return isCaseRole(role) ? permission === 'session' : INSTALLATION_POLICY[role].includes(permission);
}

export function casePermissionsOf(role: CaseRole): CasePermission[] {
  return [...CASE_POLICY[role]];
}

export function installationPermissionsOf(role: AccountRole): InstallationPermission[] {
  return INSTALLATION_PERMISSIONS.filter((p) => canInInstallation(role, p));
}
