import { useState, type FormEvent } from 'react';
import { send } from '../api';
import { DataTable, Status } from '../components/common';
import { when } from '../format';
import { useApi } from '../hooks';
import { S } from '../strings';
import type { AdminCase, AdminUser } from '../types';

/**
 * The installation's administration: users, and cases with their leads. An administrator sees no case
 * content here (the server gives none); entering a case takes a membership like anyone else's.
 */
export function Admin() {
  const cases = useApi<{ items: AdminCase[] }>('/api/installation/cases');
  const users = useApi<{ items: AdminUser[] }>('/api/installation/users');
  const [caseName, setCaseName] = useState('');
  const [lead, setLead] = useState('');
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function run(fn: () => Promise<unknown>, done: string) {
    setFailure(null);
    setMessage(null);
    try {
      await fn();
      setMessage(done);
      cases.reload();
      users.reload();
    } catch (e) {
      setFailure((e as Error).message);
    }
  }
  const createCase = (e: FormEvent) => {
    e.preventDefault();
    void run(
      () => send('POST', '/api/installation/cases', { name: caseName, lead }),
      S.admin.created_(caseName),
    ).then(() => setCaseName(''));
  };
  const addUser = (e: FormEvent) => {
    e.preventDefault();
    void run(
      () => send('POST', '/api/installation/users', { name: userName, password, admin: isAdmin }),
      S.admin.created_(userName),
    ).then(() => {
      setUserName('');
      setPassword('');
    });
  };
  const active = (users.data?.items ?? []).filter((u) => !u.disabled);

  return (
    <>
      <h2>{S.admin.title}</h2>
      <p>{S.admin.note}</p>
      <Status loading={cases.loading || users.loading} error={cases.error ?? users.error ?? failure} />
      {message && <p role="status">{message}</p>}
      <h3>{S.admin.cases}</h3>
      {cases.data && (
        <DataTable headers={[S.admin.name, S.admin.leads, S.admin.created]}>
          {cases.data.items.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.leads.join(', ')}</td>
              <td>{when(c.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <form className="inline-form" onSubmit={createCase} aria-label={S.admin.createCase}>
        <h4>{S.admin.createCase}</h4>
        <label>
          {S.admin.caseName} <input value={caseName} onChange={(e) => setCaseName(e.target.value)} required />
        </label>{' '}
        <label>
          {S.admin.lead}{' '}
          <select value={lead} onChange={(e) => setLead(e.target.value)} required>
            <option value="">—</option>
            {active.map((u) => (
              <option key={u.name} value={u.name}>
                {u.name}
              </option>
            ))}
          </select>
        </label>{' '}
        <button type="submit">{S.admin.create}</button>
      </form>
      <h3>{S.admin.users}</h3>
      {users.data && (
        <DataTable headers={[S.admin.name, S.admin.isAdmin, '', S.admin.created]}>
          {users.data.items.map((u) => (
            <tr key={u.name}>
              <td>{u.name}</td>
              <td>{u.admin ? S.yes : S.no}</td>
              <td>{u.disabled ? S.admin.disabled : S.admin.active}</td>
              <td>{when(u.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <form className="inline-form" onSubmit={addUser} aria-label={S.admin.addUser}>
        <h4>{S.admin.addUser}</h4>
        <label>
          {S.admin.userName} <input value={userName} onChange={(e) => setUserName(e.target.value)} required />
        </label>{' '}
        <label>
          {S.admin.password}{' '}
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>{' '}
        <label>
          <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} />{' '}
          {S.admin.isAdmin}
        </label>{' '}
        <button type="submit">{S.admin.add}</button>
      </form>
    </>
  );
}
