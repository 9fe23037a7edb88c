import { useState, type FormEvent } from 'react';
import { caseApi, send } from '../api';
import { useApi } from '../hooks';
import { useCan } from '../session';
import { S } from '../strings';
import type { PriorityChanged, PriorityState } from '../types';
import { Panel, Status } from './common';

/**
 * The priority formula in force (docs/priority.md): each factor's weight, whether producers of novel media
 * are guaranteed to rank first, and whether the ranking shown was computed with these weights. A lead
 * changes them here (the server validates, recomputes the ranking and audits the change) or resets them.
 */
export function Priority({ onChanged }: { onChanged?: () => void }) {
  const can = useCan();
  const { data, loading, error, reload } = useApi<PriorityState>(caseApi('/priority'));
  const [draft, setDraft] = useState<Record<string, string> | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  if (!data) return <Status loading={loading} error={error} />;
  const editing = draft !== null;
  const sum = editing ? Object.values(draft).reduce((n, v) => n + (Number(v) || 0), 0) : 1;

  async function save(body: { weights: Record<string, number> } | { reset: true }) {
    setFailure(null);
    try {
      const r = await send<PriorityChanged>('PUT', caseApi('/priority'), body);
      setMessage(S.priority.saved(r.analysisRun));
      setDraft(null);
      reload();
      onChanged?.();
    } catch (e) {
      setFailure((e as Error).message);
    }
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    void save({ weights: Object.fromEntries(Object.entries(draft!).map(([k, v]) => [k, Number(v)])) });
  }

  return (
    <Panel title={S.priority.title} id="priority-h">
      <p data-testid="priority-rule" className={data.producersFirst ? 'ok' : 'error'}>
        {data.producersFirst ? S.priority.producersFirst : S.priority.notProducersFirst}
      </p>
      <p className="muted">
        {data.source === 'default' ? S.priority.defaults : S.priority.setBy(data.by ?? '?', data.at ?? '')}
        {data.analysis && !data.analysis.current ? ` ${S.priority.stale}` : ''}
      </p>
      <form onSubmit={submit}>
        <table className="table">
          <thead>
            <tr>
              <th>{S.priority.factor}</th>
              <th>{S.priority.weight}</th>
              <th>{S.priority.default}</th>
            </tr>
          </thead>
          <tbody>
            {data.factors.map((f) => (
              <tr key={f} data-factor={f}>
                <td>{S.priority.factors[f] ?? f}</td>
                <td>
                  {editing ? (
                    <input
                      type="number"
                      min={0}
                      max={1}
                      step="any"
                      value={draft[f] ?? ''}
                      aria-label={S.priority.factors[f] ?? f}
                      onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
                    />
                  ) : (
                    data.weights[f]
                  )}
                </td>
                <td className="muted">{data.defaults[f]}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {can('priority.manage') && (
          <p className="row">
            {editing ? (
              <>
                <span className={Math.abs(sum - 1) < 1e-6 ? 'muted' : 'error'}>{S.priority.sum(sum)}</span>
                <button type="submit">{S.priority.save}</button>
                <button type="button" className="secondary" onClick={() => setDraft(null)}>
                  {S.cancel}
                </button>
              </>
            ) : (
              <>
                <button
                  type="button"
                  onClick={() =>
                    setDraft(Object.fromEntries(data.factors.map((f) => [f, String(data.weights[f])])))
                  }
                >
                  {S.priority.edit}
                </button>
                {data.source === 'case' && (
                  <button type="button" className="secondary" onClick={() => void save({ reset: true })}>
                    {S.priority.reset}
                  </button>
                )}
              </>
            )}
          </p>
        )}
      </form>
      {message && <p role="status">{message}</p>}
      {failure && <p className="error">{failure}</p>}
    </Panel>
  );
}
