import { useEffect, useState } from 'react';

/** Hash routes (`#/accounts/12?tab=x`): the server needs no knowledge of client paths, and reloads work. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}

function parse(): Route {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?', 2);
  return { parts: path ? path.split('/').map(decodeURIComponent) : [], query: new URLSearchParams(qs ?? '') };
}

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
  overview: () => '#/overview',
  network: () => '#/network',
  suspects: () => '#/accounts',
  account: (id: number) => `#/accounts/${id}`,
  groups: () => '#/groups',
  group: (id: number, message?: number) => `#/groups/${id}${message ? `?message=${message}` : ''}`,
  media: (q?: Record<string, string | number>) =>
    `#/media${q ? `?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]))}` : ''}`,
  evidence: (id?: number) => `#/evidence${id ? `?id=${id}` : ''}`,
  identity: () => '#/identity',
  audit: () => '#/audit',
  exports: () => '#/exports',
};
