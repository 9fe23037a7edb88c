import { createContext, useContext } from 'react';
import type { Permission, Session } from './types';

export const SessionContext = createContext<Session | null>(null);

/** Whether the signed-in role holds a permission: the UI hides what the API would refuse. */
export function useCan(): (p: Permission) => boolean {
  const s = useContext(SessionContext);
  return (p) => !!s?.permissions.includes(p);
}
