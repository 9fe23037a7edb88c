import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/c/<case>/accounts/12?tab=x`): the server needs no knowledge of client paths, reloads work,
 * and a link names its case, so two tabs can work on two cases. Paths outside a case: `#/cases`, `#/admin`.
 */
export interface Route {
  /** The case of the route (`#/c/<id>/…`), or null. */
  caseId: string | null;
  parts: string[];
  query: URLSearchParams;
}

function parse(): Route {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?', 2);
  const all = path ? path.split('/').map(decodeURIComponent) : [];
  const inCase = all[0] === 'c' && !!all[1];
  return {
    caseId: inCase ? all[1] : null,
    parts: inCase ? all.slice(2) : all,
    query: new URLSearchParams(qs ?? ''),
  };
}

let linkCase: string | null = null;

/** The case the `href` links point into (App sets it with the current case). */
export function setLinkCase(id: string | null): void {
  linkCase = id;
}

const c = (path: string) => (linkCase ? `#/c/${encodeURIComponent(linkCase)}${path}` : `#${path}`);

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export const href = {
  cases: () => '#/cases',
  admin: () => '#/admin',
  inCase: (id: string) => `#/c/${encodeURIComponent(id)}/overview`,
  overview: () => c('/overview'),
  network: () => c('/network'),
  suspects: () => c('/accounts'),
  account: (id: number) => c(`/accounts/${id}`),
  groups: () => c('/groups'),
  group: (id: number, message?: number) => c(`/groups/${id}${message ? `?message=${message}` : ''}`),
  /** A chat in the conversation reader, from its start (or its end). */
  chat: (id: number, end?: 'last') => c(`/chats/${id}${end ? `?end=${end}` : ''}`),
  search: (q?: Record<string, string>) => c(`/search${q ? `?${new URLSearchParams(q)}` : ''}`),
  /** The conversation reader opened at one message. */
  message: (id: number) => c(`/messages/${id}`),
  media: (q?: Record<string, string | number>) =>
    c(`/media${q ? `?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]))}` : ''}`),
  evidence: (id?: number) => c(`/evidence${id ? `?id=${id}` : ''}`),
  triage: () => c('/triage'),
  keywords: () => c('/keywords'),
  identity: () => c('/identity'),
  audit: () => c('/audit'),
  exports: () => c('/exports'),
  team: () => c('/team'),
  intake: () => c('/intake'),
};
