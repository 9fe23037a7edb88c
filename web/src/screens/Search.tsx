import { useEffect, useState, type FormEvent } from 'react';
import { caseApi } from '../api';
import { Pager, Panel, Status } from '../components/common';
import { when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { S } from '../strings';
import type { GroupRow, Page, SearchResult, Snippet } from '../types';

const LIMIT = 50;

/** The search's state, as it stands in the URL (`#/c/<case>/search?q=…&group=…`): a search can be linked. */
export interface SearchParams {
  q: string;
  group?: string;
  sender?: string;
  country?: string;
  from?: string;
  to?: string;
  hasMedia?: string;
}

/** The excerpt with its hits marked: text nodes only, so nothing in a message can become markup. */
function Marked({ s }: { s: Snippet }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  s.marks.forEach(([a, b], i) => {
    if (a > at) parts.push(s.text.slice(at, a));
    parts.push(<mark key={i}>{s.text.slice(a, b)}</mark>);
    at = b;
  });
  if (at < s.text.length) parts.push(s.text.slice(at));
  return <>{parts}</>;
}

/**
 * Full-text search over every message, caption, file name, group subject and display name of the case
 * (docs/search.md: words, "phrases", prefix*, -excluded, OR). Each hit opens in its conversation at that
 * message. Every search is recorded in the case's audit log.
 */
export function Search({ params }: { params: SearchParams }) {
  const [draft, setDraft] = useState<SearchParams>(params);
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    setDraft(params);
    setOffset(0);
  }, [JSON.stringify(params)]);
  const groups = useApi<Page<GroupRow>>(caseApi('/groups'), { limit: 500, sort: 'messages' });
  const asked = params.q.trim() !== '';
  const { data, loading, error } = useApi<SearchResult>(asked ? caseApi('/search') : null, {
    q: params.q,
    group: params.group,
    sender: params.sender,
    country: params.country,
    from: params.from,
    to: params.to,
    hasMedia: params.hasMedia === 'true' ? true : undefined,
    offset,
    limit: LIMIT,
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(draft)) if (v) q.set(k, String(v));
    window.location.hash = href.search(Object.fromEntries(q));
  }
  const set = (k: keyof SearchParams) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  return (
    <>
      <h2>{S.search.title}</h2>
      <form className="search-form" onSubmit={submit} role="search">
        <label>
          {S.search.query}
          <input
            type="search"
            value={draft.q}
            onChange={set('q')}
            placeholder={S.search.placeholder}
            data-testid="search-q"
            maxLength={500}
          />
        </label>
        <label>
          {S.cols.groups}
          <select value={draft.group ?? ''} onChange={set('group')} data-testid="search-group">
            <option value="">{S.search.anyGroup}</option>
            {groups.data?.items.map((g) => (
              <option key={g.id} value={g.id}>
                {g.subject ?? `#${g.id}`}
              </option>
            ))}
          </select>
        </label>
        <label>
          {S.search.country}
          <input value={draft.country ?? ''} onChange={set('country')} size={10} placeholder="ES" />
        </label>
        <label>
          {S.search.from}
          <input type="date" value={draft.from ?? ''} onChange={set('from')} />
        </label>
        <label>
          {S.search.to}
          <input type="date" value={draft.to ?? ''} onChange={set('to')} />
        </label>
        <label>
          <input
            type="checkbox"
            checked={draft.hasMedia === 'true'}
            onChange={(e) => setDraft((d) => ({ ...d, hasMedia: e.target.checked ? 'true' : undefined }))}
          />{' '}
          {S.search.hasMedia}
        </label>
        {draft.sender && (
          <span className="tag">
            {S.search.sender(draft.sender)}{' '}
            <button type="button" className="secondary" onClick={() => setDraft((d) => ({ ...d, sender: undefined }))}>
              {S.close}
            </button>
          </span>
        )}
        <button type="submit" data-testid="search-go">
          {S.search.go}
        </button>
      </form>
      <p className="muted">{S.search.syntax}</p>
      {!asked ? null : !data ? (
        <Status loading={loading} error={error} />
      ) : (
        <>
          {error && <Status loading={false} error={error} />}
          {(data.accounts.length > 0 || data.groups.length > 0) && (
            <Panel title={S.search.names} id="search-names-h">
              <ul className="refs">
                {data.accounts.map((a) => (
                  <li key={`a${a.id}`}>
                    <a href={href.account(a.id)}>{a.display}</a>{' '}
                    <span className="muted">{a.names.join(', ')}</span>
                  </li>
                ))}
                {data.groups.map((g) => (
                  <li key={`g${g.id}`}>
                    <a href={href.group(g.id)}>{g.subject}</a>
                  </li>
                ))}
              </ul>
            </Panel>
          )}
          <p data-testid="search-total">{S.search.total(data.total)}</p>
          <ol className="search-hits">
            {data.items.map((h) => (
              <li key={h.messageId} className="search-hit" data-message-id={h.messageId}>
                <div className="conv-head">
                  <a href={href.message(h.messageId)} data-testid="search-hit-open">
                    {h.chat.subject ?? (h.chat.kind === 'direct' ? S.conversation.direct : `#${h.chat.id}`)}
                  </a>{' '}
                  {h.sender ? <a href={href.account(h.sender.id)}>{h.sender.display}</a> : null}{' '}
                  <span className="muted">{when(h.at)}</span> <span className="muted">#{h.messageId}</span>
                  {h.deletedLater !== null && <span className="tag">{S.conversation.deletedLater}</span>}
                </div>
                <p className="conv-text">
                  <Marked s={h.snippet} />
                </p>
              </li>
            ))}
          </ol>
          <Pager total={data.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
        </>
      )}
    </>
  );
}
