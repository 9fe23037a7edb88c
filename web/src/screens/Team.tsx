import { useState, type FormEvent } from 'react';
import { caseApi, send } from '../api';
import { DataTable, Status } from '../components/common';
import { when } from '../format';
import { useApi } from '../hooks';
import { useCan } from '../session';
import { S } from '../strings';
import type { CaseMemberRow as Member } from '../types';

const ROLES = ['lead', 'analyst', 'viewer', 'auditor'];

/** The case's members; its leads add, change and remove them (each change audited by the server). */
export function Team() {
  const can = useCan();
  const { data, loading, error, reload } = useApi<{ items: Member[] }>(caseApi('/members'));
  const candidates = useApi<{ items: string[] }>(
    can('members.manage') ? caseApi('/members/candidates') : null,
  );
  const [user, setUser] = useState('');
  const [role, setRole] = useState('analyst');
  const [failure, setFailure] = useState<string | null>(null);

  async function change(fn: () => Promise<unknown>) {
    setFailure(null);
    try {
      await fn();
      reload();
    } catch (e) {
      setFailure((e as Error).message);
    }
  }
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (user) void change(() => send('PUT', caseApi(`/members/${encodeURIComponent(user)}`), { role }));
  };

  return (
    <>
      <h2>{S.team.title}</h2>
      <Status loading={loading} error={error ?? failure} />
      {data && (
        <DataTable
          headers={[
            S.team.user,
            S.team.role,
            S.team.addedBy,
            S.team.addedAt,
            ...(can('members.manage') ? [''] : []),
          ]}
        >
          {data.items.map((m) => (
            <tr key={m.user}>
              <td>{m.user}</td>
              <td>{m.role}</td>
              <td>{m.addedBy}</td>
              <td>{when(m.addedAt)}</td>
              {can('members.manage') && (
                <td>
                  <button
                    className="secondary"
                    aria-label={S.team.removeLabel(m.user)}
                    onClick={() =>
                      void change(() => send('DELETE', caseApi(`/members/${encodeURIComponent(m.user)}`)))
                    }
                  >
                    {S.team.remove}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      {can('members.manage') && (
        <form className="inline-form" onSubmit={save} aria-label={S.team.add}>
          <h3>{S.team.add}</h3>
          <label>
            {S.team.user}{' '}
            <select value={user} onChange={(e) => setUser(e.target.value)}>
              <option value="">—</option>
              {(candidates.data?.items ?? []).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            {S.team.role}{' '}
            <select value={role} onChange={(e) => setRole(e.target.value)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="submit">{S.team.save}</button>
        </form>
      )}
    </>
  );
}
