import { createContext, useContext } from 'react';
import type { CaseEntry, CasePermission, Session } from './types';

export const SessionContext = createContext<Session | null>(null);

/** The case the screens show, with the user's role and permissions in it. */
export const CaseContext = createContext<CaseEntry | null>(null);

/** Whether the user's role in the current case holds a permission: the UI hides what the API would refuse. */
export function useCan(): (p: CasePermission) => boolean {
  const c = useContext(CaseContext);
  return (p) => !!c?.permissions.includes(p);
}
