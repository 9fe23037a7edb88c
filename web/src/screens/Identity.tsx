import { useState } from 'react';
import { caseApi, send } from '../api';
import { MergeTable } from '../components/MergeTable';
import { DataTable, Panel, Status } from '../components/common';
import { when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { useCan } from '../session';
import { S } from '../strings';
import type { IdentityCandidateView, IdentityReason, IdentitySuggestions, Merge, Page } from '../types';

/**
 * What the identity rules say about the case (GET /api/identity/suggestions, docs/identity.md): the
 * automatic candidates, the suggestions and the contradictions, each with every reason an analyst can
 * check (the two facts, their chat and minute, linked to the group page). Suggestions can be accepted (a
 * merge carrying their reasons) or rejected (never suggested again); contradictions only shown.
 */
export function Identity() {
  const [minSupport, setMinSupport] = useState(2);
  const { data, loading, error, reload } = useApi<IdentitySuggestions>(caseApi('/identity/suggestions'), {
    minSupport,
  });
  const can = useCan();
  const [done, setDone] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  async function decide(c: IdentityCandidateView, what: 'accept' | 'reject', note: string) {
    setDone(null);
    setFailed(null);
    try {
      const body = { from: c.from.id, into: c.into.id, ...(note.trim() ? { reason: note.trim() } : {}) };
      if (what === 'accept') {
        const m = await send<Merge>('POST', caseApi('/identity/suggestions/accept'), body);
        setDone(S.identity.accepted(m.id));
      } else {
        await send('POST', caseApi('/identity/suggestions/reject'), body);
        setDone(S.identity.rejected(c.from.key, c.into.key));
      }
      reload();
    } catch (e) {
      setFailed((e as Error).message);
    }
  }

  return (
    <>
      <h2>{S.identity.title}</h2>
      <p className="muted">{S.identity.intro}</p>
      <div className="row">
        <label>
          {S.identity.minSupport}
          <input
            type="number"
            min={1}
            max={1000}
            value={minSupport}
            onChange={(e) => {
              const n = Number(e.target.value);
              if (Number.isInteger(n) && n >= 1 && n <= 1000) setMinSupport(n);
            }}
          />
        </label>
      </div>
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      {failed && (
        <p className="error" role="alert">
          {S.errorPrefix}
          {failed}
        </p>
      )}
      <Status loading={loading} error={error} />
      <AutomaticMerges
        canUndo={can('identity.merge')}
        onUndone={(id) => {
          setFailed(null);
          setDone(S.identity.undone(id));
          reload();
        }}
        onFailed={setFailed}
      />
      {data && (
        <>
          <Panel title={S.identity.unambiguous} id="id-auto-h">
            <p className="muted">{S.identity.unambiguousNote}</p>
            <Candidates items={data.unambiguous} testId="id-unambiguous" />
          </Panel>
          <Panel title={S.identity.suggestions} id="id-sugg-h">
            <p className="muted">{S.identity.suggestionsNote}</p>
            <Candidates
              items={data.suggestions}
              testId="id-suggestions"
              onDecide={can('identity.merge') ? decide : undefined}
            />
          </Panel>
          <Panel title={S.identity.contradictions} id="id-contra-h">
            <p className="muted">{S.identity.contradictionsNote}</p>
            {data.contradictions.length === 0 ? (
              <p className="muted">{S.identity.none}</p>
            ) : (
              data.contradictions.map((k, i) => (
                <section key={i} data-testid="id-contradiction">
                  <h4>{S.identity.involves(k.identity)}</h4>
                  <Candidates items={k.candidates} />
                </section>
              ))
            )}
          </Panel>
        </>
      )}
    </>
  );
}

function Candidates({
  items,
  testId,
  onDecide,
}: {
  items: IdentityCandidateView[];
  testId?: string;
  onDecide?: (c: IdentityCandidateView, what: 'accept' | 'reject', note: string) => Promise<void>;
}) {
  if (!items.length) return <p className="muted">{S.identity.none}</p>;
  const headers = [S.identity.from, S.identity.into, S.identity.support, S.identity.reasons];
  return (
    <div data-testid={testId}>
      <DataTable headers={onDecide ? [...headers, S.identity.decide] : headers}>
        {items.map((c) => (
          <tr key={`${c.from.key} ${c.into.key}`} data-from={c.from.key} data-into={c.into.key}>
            <td className="mono">
              <Account side={c.from} />
            </td>
            <td className="mono">
              <Account side={c.into} />
            </td>
            <td>{c.support}</td>
            <td>
              <ul className="reasons">
                {c.reasons.map((r, i) => (
                  <li key={i}>
                    <Reason r={r} />
                  </li>
                ))}
              </ul>
            </td>
            {onDecide && (
              <td>
                {c.contradicted ? (
                  <span className="muted">{S.identity.contradicted}</span>
                ) : (
                  <Decision c={c} onDecide={onDecide} />
                )}
              </td>
            )}
          </tr>
        ))}
      </DataTable>
    </div>
  );
}

function Account({ side }: { side: IdentityCandidateView['from'] }) {
  return side.id ? <a href={href.account(side.id)}>{side.key}</a> : <>{side.key}</>;
}

function Reason({ r }: { r: IdentityReason }) {
  const kind = S.identity.kinds[r.kind] ?? r.kind;
  const chat = S.identity.chat(r.chat);
  // Message ids open the conversation at that message; events are on the group page's timeline.
  const fact = (id: number) =>
    r.kind === 'message' ? (
      <a href={href.message(id)}>{S.identity.fact(id)}</a>
    ) : (
      <span className="mono">{S.identity.fact(id)}</span>
    );
  return (
    <>
      {S.identity.reason(kind, when(r.minute))} {fact(r.facts[0])} / {fact(r.facts[1])},{' '}
      {r.group ? <a href={href.group(r.chat)}>{chat}</a> : chat}
    </>
  );
}

function Decision({
  c,
  onDecide,
}: {
  c: IdentityCandidateView;
  onDecide: (c: IdentityCandidateView, what: 'accept' | 'reject', note: string) => Promise<void>;
}) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const go = async (what: 'accept' | 'reject') => {
    setBusy(true);
    try {
      await onDecide(c, what, note);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row">
      <label>
        {S.identity.note}
        <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button
        disabled={busy || !c.from.id || !c.into.id}
        aria-label={S.identity.acceptLabel(c.from.key, c.into.key)}
        onClick={() => go('accept')}
      >
        {S.identity.accept}
      </button>
      <button
        className="secondary"
        disabled={busy || !c.from.id || !c.into.id}
        aria-label={S.identity.rejectLabel(c.from.key, c.into.key)}
        onClick={() => go('reject')}
      >
        {S.identity.reject}
      </button>
    </div>
  );
}

/** The merges identity resolution made that stand (GET /api/merges?automatic=true), each with its reason. */
function AutomaticMerges({
  canUndo,
  onUndone,
  onFailed,
}: {
  canUndo: boolean;
  onUndone: (id: number) => void;
  onFailed: (message: string) => void;
}) {
  const { data, loading, error, reload } = useApi<Page<Merge>>(caseApi('/merges'), {
    automatic: true,
    limit: 500,
  });
  async function undo(m: Merge) {
    try {
      await send('DELETE', caseApi(`/merges/${m.id}`));
      reload();
      onUndone(m.id);
    } catch (e) {
      onFailed((e as Error).message);
    }
  }
  return (
    <Panel title={S.identity.automatic} id="id-merged-h">
      <p className="muted">{S.identity.automaticNote}</p>
      <Status loading={loading} error={error} />
      {data &&
        (data.items.length === 0 ? (
          <p className="muted">{S.identity.none}</p>
        ) : (
          <div data-testid="id-automatic">
            <MergeTable
              merges={data.items}
              showBy={false}
              onUndo={canUndo ? (m) => void undo(m) : undefined}
              undoText={S.identity.undo}
            />
            {data.total > data.items.length && (
              <p className="muted">{S.identity.more(data.items.length, data.total)}</p>
            )}
          </div>
        ))}
    </Panel>
  );
}
