import { useEffect, useMemo, useRef, useState } from 'react';
import { currentSession, logout, onUnauthorized, saveLanguage, setCsrfToken, setCurrentCase } from './api';
import { Status } from './components/common';
import { LanguageSwitch } from './components/LanguageSwitch';
import { href, setLinkCase, useRoute, type Route } from './router';
import { Admin } from './screens/Admin';
import { Audit } from './screens/Audit';
import { Cases } from './screens/Cases';
import { Evidence } from './screens/Evidence';
import { Exports } from './screens/Exports';
import { Conversation } from './screens/Conversation';
import { Group } from './screens/Group';
import { Identity } from './screens/Identity';
import { Intake } from './screens/Intake';
import { Groups, Suspects } from './screens/Lists';
import { Login } from './screens/Login';
import { Media } from './screens/Media';
import { Network } from './screens/Network';
import { Overview } from './screens/Overview';
import { Search } from './screens/Search';
import { Triage } from './screens/Triage';
import { Keywords } from './screens/Keywords';
import { Suspect } from './screens/Suspect';
import { Team } from './screens/Team';
import { CaseContext, SessionContext } from './session';
import { S, language, setLanguage } from './strings';
import type { CasePermission, Language, Session } from './types';

interface Screen {
  path: string;
  label: string;
  need: CasePermission;
  link: () => string;
  /** Only on an installation's server (a lone case has no team to manage). */
  installationOnly?: boolean;
  /** Reached by links only (a conversation opens from a group, a hit, a reason), not from the menu. */
  linkedOnly?: boolean;
}

// Links are functions: they point into the current case, which is known only when the screen renders.
// Built on each render: the labels are in the current language.
const screens = (): Screen[] => [
  { path: 'overview', label: S.nav.overview, need: 'case.read', link: href.overview },
  { path: 'network', label: S.nav.network, need: 'case.read', link: href.network },
  { path: 'accounts', label: S.nav.suspects, need: 'case.read', link: href.suspects },
  { path: 'groups', label: S.nav.groups, need: 'case.read', link: href.groups },
  { path: 'search', label: S.nav.search, need: 'case.read', link: () => href.search() },
  { path: 'media', label: S.nav.media, need: 'case.read', link: href.media },
  { path: 'triage', label: S.nav.triage, need: 'case.read', link: href.triage },
  { path: 'keywords', label: S.nav.keywords, need: 'case.read', link: href.keywords },
  { path: 'chats', label: S.nav.conversation, need: 'case.read', link: href.groups, linkedOnly: true },
  { path: 'messages', label: S.nav.conversation, need: 'case.read', link: href.groups, linkedOnly: true },
  { path: 'identity', label: S.nav.identity, need: 'case.read', link: href.identity },
  { path: 'evidence', label: S.nav.evidence, need: 'evidence.read', link: href.evidence },
  { path: 'audit', label: S.nav.audit, need: 'audit.read', link: href.audit },
  { path: 'exports', label: S.nav.exports, need: 'export', link: href.exports },
  { path: 'intake', label: S.nav.intake, need: 'evidence.add', link: href.intake },
  { path: 'team', label: S.nav.team, need: 'members.read', link: href.team, installationOnly: true },
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
    case 'search':
      return (
        <Search
          params={{
            q: q.get('q') ?? '',
            group: q.get('group') ?? undefined,
            sender: q.get('sender') ?? undefined,
            country: q.get('country') ?? undefined,
            from: q.get('from') ?? undefined,
            to: q.get('to') ?? undefined,
            hasMedia: q.get('hasMedia') ?? undefined,
          }}
        />
      );
    case 'triage':
      return <Triage />;
    case 'keywords':
      return <Keywords />;
    case 'chats':
      return (
        <Conversation chat={idOf(arg)} message={null} end={q.get('end') === 'last' ? 'last' : 'first'} />
      );
    case 'messages':
      return <Conversation chat={null} message={idOf(arg)} />;
    case 'media':
      return <Media account={q.get('account')} group={q.get('group')} id={q.get('id')} />;
    case 'evidence':
      return <Evidence focus={idOf(q.get('id') ?? undefined)} />;
    case 'identity':
      return <Identity />;
    case 'audit':
      return <Audit />;
    case 'exports':
      return <Exports />;
    case 'team':
      return <Team />;
    case 'intake':
      return <Intake />;
    default:
      return <p>{S.notFound}</p>;
  }
}

export function App() {
  const [session, setSessionState] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [lang, setLang] = useState<Language>(language());
  const [languageError, setLanguageError] = useState<string | null>(null);
  // The account's language, once known, wins over the browser's (it follows the user to any machine).
  const setSession = (s: Session | null | undefined) => {
    if (s?.user.language && s.user.language !== language()) {
      setLanguage(s.user.language);
      setLang(s.user.language);
    }
    setSessionState(s);
  };
  async function chooseLanguage(l: Language) {
    setLanguage(l);
    setLang(l);
    setLanguageError(null);
    try {
      setSession(await saveLanguage(l));
    } catch (e) {
      setLanguageError((e as Error).message);
    }
  }
  const SCREENS = useMemo(screens, [lang]);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const refreshed = useRef<string | null>(null);

  useEffect(() => {
    onUnauthorized(() => setSession(null));
    currentSession()
      .then(setSession)
      .catch((e: Error) => setError(e.message));
  }, []);

  const entry = session && route.caseId ? (session.cases.find((c) => c.id === route.caseId) ?? null) : null;
  const isAdmin = !!session?.installation?.permissions.includes('installation.admin');
  // The screens' API calls and links go to the case of the URL; set before they render.
  setCurrentCase(entry?.id ?? null);
  setLinkCase(entry?.id ?? null);
  const allowed = entry
    ? SCREENS.filter(
        (s) => entry.permissions.includes(s.need) && (!s.installationOnly || session?.installation),
      )
    : [];
  const current = entry ? SCREENS.find((s) => s.path === route.parts[0]) : undefined;

  // A case the session does not list may be new (just created, or just added to): ask once more.
  useEffect(() => {
    if (session && route.caseId && !entry && refreshed.current !== route.caseId) {
      refreshed.current = route.caseId;
      currentSession()
        .then((s) => s && setSession(s))
        .catch((e: Error) => setError(e.message));
    }
  }, [session, route.caseId, entry]);

  // An unknown or empty route lands somewhere useful: the only case, the case list, or administration.
  useEffect(() => {
    if (!session) return;
    if (entry) {
      if ((!route.parts.length || !current) && allowed.length) window.location.hash = allowed[0].link();
      return;
    }
    if (route.caseId) return;
    const page = route.parts[0];
    if (page === 'cases' || (page === 'admin' && isAdmin)) return;
    if (session.cases.length === 1) window.location.hash = href.inCase(session.cases[0].id);
    else if (session.cases.length === 0 && isAdmin) window.location.hash = href.admin();
    else window.location.hash = href.cases();
  }, [session, route, entry, current, allowed, isAdmin]);

  // Moving to another screen moves keyboard focus to its content, as a page load would.
  useEffect(() => {
    const label = current?.label ?? (route.parts[0] === 'admin' ? S.nav.admin : S.nav.cases);
    document.title = entry ? `${label} · ${entry.name} · ${S.app}` : `${label} · ${S.app}`;
    main.current?.focus();
  }, [current, entry, route.parts.join('/'), lang]);

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

  let body;
  if (route.caseId) {
    if (!entry) body = <p className="error">{S.notFound}</p>;
    else if (current && !entry.permissions.includes(current.need))
      body = <p className="error">{S.forbidden}</p>;
    else body = <Body key={entry.id} route={route} />;
  } else if (route.parts[0] === 'admin' && isAdmin) body = <Admin />;
  else body = <Cases cases={session.cases} />;

  const manyPlaces = session.cases.length > 1 || isAdmin;
  return (
    <SessionContext.Provider value={session}>
      <CaseContext.Provider value={entry}>
        <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
          {S.skip}
        </a>
        {/* Keyed by language: a change re-renders every screen, state held in strings included. */}
        <div className="shell" key={lang}>
          <nav className="nav" aria-label={S.nav.label}>
            <h1>{S.app}</h1>
            <p className="who">{S.nav.signedInAs(session.user.name, entry?.role ?? session.user.role)}</p>
            <LanguageSwitch value={lang} onChange={(l) => void chooseLanguage(l)} error={languageError} />
            {entry && (
              <p className="case-name" aria-label={S.nav.caseLabel}>
                {entry.name}
              </p>
            )}
            <ul>
              {allowed
                .filter((s) => !s.linkedOnly)
                .map((s) => (
                  <li key={s.path}>
                    <a href={s.link()} aria-current={current?.path === s.path ? 'page' : undefined}>
                      {s.label}
                    </a>
                  </li>
                ))}
              {manyPlaces && (
                <li>
                  <a
                    href={href.cases()}
                    aria-current={!route.caseId && route.parts[0] === 'cases' ? 'page' : undefined}
                  >
                    {S.nav.cases}
                  </a>
                </li>
              )}
              {isAdmin && (
                <li>
                  <a href={href.admin()} aria-current={route.parts[0] === 'admin' ? 'page' : undefined}>
                    {S.nav.admin}
                  </a>
                </li>
              )}
            </ul>
            <button className="secondary" onClick={signOut}>
              {S.nav.logout}
            </button>
          </nav>
          <main id="main" ref={main} tabIndex={-1}>
            {body}
          </main>
        </div>
      </CaseContext.Provider>
    </SessionContext.Provider>
  );
}
