import { useEffect, useRef, useState } from 'react';
import { currentSession, logout, onUnauthorized, setCsrfToken } from './api';
import { Status } from './components/common';
import { href, useRoute, type Route } from './router';
import { Audit } from './screens/Audit';
import { Evidence } from './screens/Evidence';
import { Exports } from './screens/Exports';
import { Group } from './screens/Group';
import { Identity } from './screens/Identity';
import { Groups, Suspects } from './screens/Lists';
import { Login } from './screens/Login';
import { Media } from './screens/Media';
import { Network } from './screens/Network';
import { Overview } from './screens/Overview';
import { Suspect } from './screens/Suspect';
import { SessionContext } from './session';
import { S } from './strings';
import type { Permission, Session } from './types';

interface Screen {
  path: string;
  label: string;
  need: Permission;
  link: string;
}

const SCREENS: Screen[] = [
  { path: 'overview', label: S.nav.overview, need: 'case.read', link: href.overview() },
  { path: 'network', label: S.nav.network, need: 'case.read', link: href.network() },
  { path: 'accounts', label: S.nav.suspects, need: 'case.read', link: href.suspects() },
  { path: 'groups', label: S.nav.groups, need: 'case.read', link: href.groups() },
  { path: 'media', label: S.nav.media, need: 'case.read', link: href.media() },
  { path: 'identity', label: S.nav.identity, need: 'case.read', link: href.identity() },
  { path: 'evidence', label: S.nav.evidence, need: 'evidence.read', link: href.evidence() },
  { path: 'audit', label: S.nav.audit, need: 'audit.read', link: href.audit() },
  { path: 'exports', label: S.nav.exports, need: 'export', link: href.exports() },
];

function idOf(s: string | undefined): number | null {
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : null;
}

function Body({ route }: { route: Route }) {
  const [page, arg] = route.parts;
  const q = route.query;
  switch (page) {
    case 'overview':
      return <Overview />;
    case 'network':
      return <Network initialCountry={q.get('country') ?? undefined} />;
    case 'accounts': {
      const id = idOf(arg);
      return id ? <Suspect id={id} /> : <Suspects initialCountry={q.get('country') ?? undefined} />;
    }
    case 'groups': {
      const id = idOf(arg);
      return id ? <Group id={id} message={idOf(q.get('message') ?? undefined)} /> : <Groups />;
    }
    case 'media':
      return <Media account={q.get('account')} group={q.get('group')} />;
    case 'evidence':
      return <Evidence focus={idOf(q.get('id') ?? undefined)} />;
    case 'identity':
      return <Identity />;
    case 'audit':
      return <Audit />;
    case 'exports':
      return <Exports />;
    default:
      return <p>{S.notFound}</p>;
  }
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    onUnauthorized(() => setSession(null));
    currentSession()
      .then(setSession)
      .catch((e: Error) => setError(e.message));
  }, []);

  const allowed = SCREENS.filter((s) => session?.permissions.includes(s.need));
  const current = SCREENS.find((s) => s.path === route.parts[0]);

  // An unknown or empty route lands on the first screen the role may use.
  useEffect(() => {
    if (session && (!route.parts.length || !current) && allowed.length)
      window.location.hash = allowed[0].link;
  }, [session, route, current, allowed]);

  // Moving to another screen moves keyboard focus to its content, as a page load would.
  useEffect(() => {
    document.title = current ? `${current.label} · ${S.app}` : S.app;
    main.current?.focus();
  }, [current, route.parts.join('/')]);

  if (session === undefined) return <Status loading={!error} error={error} />;
  if (session === null) return <Login onLogin={setSession} />;

  async function signOut() {
    try {
      await logout();
    } finally {
      setCsrfToken(null);
      setSession(null);
    }
  }

  const permitted = !current || session.permissions.includes(current.need);
  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        {S.skip}
      </a>
      <div className="shell">
        <nav className="nav" aria-label={S.nav.label}>
          <h1>{S.app}</h1>
          <p className="who">{S.nav.signedInAs(session.user.name, session.user.role)}</p>
          <ul>
            {allowed.map((s) => (
              <li key={s.path}>
                <a href={s.link} aria-current={current?.path === s.path ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
          <button className="secondary" onClick={signOut}>
            {S.nav.logout}
          </button>
        </nav>
        <main id="main" ref={main} tabIndex={-1}>
          {permitted ? <Body route={route} /> : <p className="error">{S.forbidden}</p>}
        </main>
      </div>
    </SessionContext.Provider>
  );
}
