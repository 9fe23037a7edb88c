import { useContext, useEffect, useState } from 'react';
import { caseApi, getJson } from '../api';
import { SessionContext } from '../session';
import { S } from '../strings';
import type { CrossCaseLinks } from '../types';

const via = (v: CrossCaseLinks['links'][number]['via']) =>
  v
    .map((x) => (x.distance !== undefined ? `${x.kind} (${S.elsewhere.distance(x.distance)})` : x.kind))
    .join(', ');

/**
 * "Also in another case" for an account or a media item (only on an installation's server). A case the user
 * is a member of is a link; any other only names its leads, to ask (the server gives nothing more).
 */
export function Elsewhere({
  kind,
  id,
  lazy = false,
}: {
  kind: 'account' | 'media';
  id: number;
  lazy?: boolean;
}) {
  const session = useContext(SessionContext);
  const [data, setData] = useState<CrossCaseLinks | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(false);
  const path = `/${kind === 'account' ? 'accounts' : 'media'}/${id}/elsewhere`;
  const ask = () => {
    setAsked(true);
    getJson<CrossCaseLinks>(caseApi(path))
      .then(setData)
      .catch((e: Error) => setError(e.message));
  };
  const served = !!session?.installation;
  useEffect(() => {
    if (served && !lazy) ask();
  }, [served, lazy, path]);
  if (!served) return null;
  if (!asked)
    return (
      <button className="secondary" onClick={ask}>
        {S.elsewhere.ask}
      </button>
    );
  if (error)
    return (
      <p className="error" data-testid="elsewhere">
        {error}
      </p>
    );
  if (!data) return <p>{S.loading}</p>;
  if (!data.links.length && !data.notices.length) return <p data-testid="elsewhere">{S.elsewhere.none}</p>;
  return (
    <ul className="elsewhere" data-testid="elsewhere">
      {data.links.map((l) => (
        <li key={`${l.caseId}:${l.account ?? l.media}`}>
          <a
            href={`#/c/${encodeURIComponent(l.caseId)}/${l.account !== undefined ? `accounts/${l.account}` : `media?id=${l.media}`}`}
          >
            {S.elsewhere.link(l.caseName)}
          </a>{' '}
          <span className="muted">{via(l.via)}</span>
        </li>
      ))}
      {data.notices.map((n) => (
        <li key={n.leads.join(',')}>{S.elsewhere.notice(n.leads)}</li>
      ))}
    </ul>
  );
}
