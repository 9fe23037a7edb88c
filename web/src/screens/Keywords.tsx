import { useState, type FormEvent } from 'react';
import { caseApi, send } from '../api';
import { DataTable, Panel, Status } from '../components/common';
import { num, when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { useCan } from '../session';
import { S } from '../strings';
import type { KeywordHits, KeywordImported, KeywordLists } from '../types';

/**
 * The case's keyword lists (docs/keywords.md) and what they find now: per person and per group, with the
 * messages behind each count (each opens in its conversation). A lead adds a list (one term a line, in the
 * search syntax) or deletes one; hits feed the priority score's keywords factor at the next analysis.
 */
export function Keywords() {
  const can = useCan();
  const lists = useApi<KeywordLists>(caseApi('/keywords'));
  const hits = useApi<KeywordHits>(caseApi('/keywords/hits'));
  const [name, setName] = useState('');
  const [category, setCategory] = useState('');
  const [terms, setTerms] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function upload(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    try {
      const r = await send<KeywordImported>('POST', caseApi('/keywords'), {
        name: name.trim(),
        ...(category.trim() ? { category: category.trim() } : {}),
        terms: terms
          .split('\n')
          .map((t) => t.trim())
          .filter(Boolean),
      });
      setMessage(S.keywords.imported(r.list.name, r.list.terms));
      setName('');
      setTerms('');
      lists.reload();
      hits.reload();
    } catch (err) {
      setFailure((err as Error).message);
    }
  }
  async function remove(id: number) {
    setFailure(null);
    try {
      await send('DELETE', caseApi(`/keywords/${id}`));
      lists.reload();
      hits.reload();
    } catch (err) {
      setFailure((err as Error).message);
    }
  }

  return (
    <>
      <h2>{S.keywords.title}</h2>
      <p className="muted">{S.keywords.intro}</p>
      <Panel title={S.keywords.lists} id="kw-lists-h">
        {!lists.data ? (
          <Status loading={lists.loading} error={lists.error} />
        ) : (
          <DataTable
            headers={[S.keywords.name, S.triage.category, S.keywords.terms, S.keywords.imported_, '']}
          >
            {lists.data.lists.map((l) => (
              <tr key={l.id} data-list={l.name}>
                <td>{l.name}</td>
                <td>{l.category ?? S.none}</td>
                <td>{num(l.terms)}</td>
                <td>
                  {l.importedBy}, {when(l.importedAt)}
                </td>
                <td>
                  {can('keywords.manage') && (
                    <button type="button" className="secondary" onClick={() => void remove(l.id)}>
                      {S.notes.delete}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        {can('keywords.manage') && (
          <form onSubmit={upload} data-testid="keyword-form">
            <div className="row">
              <label>
                {S.keywords.name}
                <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required />
              </label>
              <label>
                {S.triage.category}
                <input value={category} onChange={(e) => setCategory(e.target.value)} maxLength={100} />
              </label>
            </div>
            <label>
              {S.keywords.termsLabel}
              <textarea value={terms} onChange={(e) => setTerms(e.target.value)} rows={5} cols={60} />
            </label>
            <p>
              <button type="submit" disabled={!name.trim() || !terms.trim()}>
                {S.keywords.add}
              </button>
            </p>
          </form>
        )}
        {message && <p role="status">{message}</p>}
        {failure && <p className="error">{failure}</p>}
      </Panel>
      {hits.data && (
        <div className="grid2">
          <Panel title={S.keywords.people} id="kw-people-h">
            <p data-testid="keyword-total">{S.keywords.total(hits.data.messages)}</p>
            <DataTable headers={[S.cols.account, S.keywords.messages, S.keywords.terms]}>
              {hits.data.accounts.map((a) => (
                <tr key={a.id} data-account={a.id}>
                  <td>
                    <a href={href.account(a.id)}>{a.display}</a>
                  </td>
                  <td>
                    {num(a.messages)}{' '}
                    {a.messageIds.slice(0, 5).map((m) => (
                      <a key={m} className="ref" href={href.message(m)}>
                        #{m}
                      </a>
                    ))}
                  </td>
                  <td>{num(a.terms)}</td>
                </tr>
              ))}
            </DataTable>
          </Panel>
          <Panel title={S.keywords.groups} id="kw-groups-h">
            <DataTable headers={[S.cols.groups, S.keywords.messages, S.keywords.senders]}>
              {hits.data.groups.map((g) => (
                <tr key={g.id}>
                  <td>
                    <a href={g.kind === 'direct' ? href.chat(g.id) : href.group(g.id)}>
                      {g.subject ?? `#${g.id}`}
                    </a>
                  </td>
                  <td>{num(g.messages)}</td>
                  <td>{num(g.senders)}</td>
                </tr>
              ))}
            </DataTable>
          </Panel>
        </div>
      )}
    </>
  );
}
