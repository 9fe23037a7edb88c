import { caseApi } from '../api';
import { useState } from 'react';
import { DataTable, Pager, Status } from '../components/common';
import { when } from '../format';
import { useApi } from '../hooks';
import { S } from '../strings';
import type { AuditPage } from '../types';

const LIMIT = 100;

function short(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 299)}…` : s;
}

export function Audit() {
  const [offset, setOffset] = useState(0);
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const { data, loading, error } = useApi<AuditPage>(caseApi('/audit'), {
    offset,
    limit: LIMIT,
    action: action.trim() || undefined,
    actor: actor.trim() || undefined,
  });
  return (
    <>
      <h2>{S.audit.title}</h2>
      {data && (
        <p className={data.verification.ok ? 'ok' : 'error'} role="status" data-testid="audit-verification">
          {data.verification.ok ? S.audit.chainOk : S.audit.chainBad}
          {!data.verification.ok && ` ${short(data.verification)}`}
        </p>
      )}
      <div className="row">
        <label>
          {S.audit.action}
          <input value={action} onChange={(e) => (setAction(e.target.value), setOffset(0))} />
        </label>
        <label>
          {S.audit.actor}
          <input value={actor} onChange={(e) => (setActor(e.target.value), setOffset(0))} />
        </label>
      </div>
      <Status loading={loading} error={error} />
      {data && (
        <>
          <DataTable
            headers={['#', S.cols.at, S.cols.actor, S.cols.action, S.cols.value, S.cols.result, S.cols.hash]}
          >
            {data.items.map((e) => (
              <tr key={e.seq} data-action={e.action}>
                <td>{e.seq}</td>
                <td>{when(e.at)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td className="mono">{short(e.args)}</td>
                <td className="mono">{short(e.result)}</td>
                <td className="mono" title={e.hash}>
                  {e.hash.slice(0, 12)}…
                </td>
              </tr>
            ))}
          </DataTable>
          <Pager total={data.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
        </>
      )}
    </>
  );
}
