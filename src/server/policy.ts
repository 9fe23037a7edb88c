import type { UserRole } from '../store/user-store.js';

/**
 * The one table of who may do what. Routes name a permission; nothing else decides access (the UI only
 * mirrors this list, which `GET /api/session` returns).
 */
export const PERMISSIONS = [
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
    'case.read',
    'media.reveal',
    'media.review',
    'identity.merge',
    'evidence.read',
    'evidence.verify',
  ],
  viewer: ['case.read', 'evidence.read'],
  // Oversight only: the chain of custody and the audit trail, never the case content itself.
  auditor: ['evidence.read', 'evidence.verify', 'audit.read'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return POLICY[role].includes(permission);
}

export function permissionsOf(role: UserRole): Permission[] {
  return [...POLICY[role]];
}
