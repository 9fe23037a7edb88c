import { caseApi } from '../api';
import { useState } from 'react';
import { DataTable, Pager, RoleTags, Status } from '../components/common';
import { country, num, when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { S } from '../strings';
import { ROLES, type AccountRow, type GroupRow, type Page } from '../types';

const LIMIT = 50;

export function Suspects({ initialCountry }: { initialCountry?: string }) {
  const [offset, setOffset] = useState(0);
  const [q, setQ] = useState('');
  const [role, setRole] = useState('');
  const [ctry, setCtry] = useState(initialCountry ?? '');
  const { data, loading, error } = useApi<Page<AccountRow>>(caseApi('/accounts'), {
    offset,
    limit: LIMIT,
    q: q.trim() || undefined,
    role: role || undefined,
    country: ctry.trim().toUpperCase() || undefined,
  });
  return (
    <>
      <h2>{S.suspects.title}</h2>
      <div className="row">
        <label>
          {S.suspects.search}
          <input value={q} maxLength={100} onChange={(e) => (setQ(e.target.value), setOffset(0))} />
        </label>
        <label>
          {S.network.role}
          <select value={role} onChange={(e) => (setRole(e.target.value), setOffset(0))}>
            <option value="">{S.network.any}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {S.roles[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {S.network.country}
          <input
            value={ctry}
            size={4}
            maxLength={10}
            onChange={(e) => (setCtry(e.target.value), setOffset(0))}
          />
        </label>
      </div>
      <Status loading={loading} error={error} />
      {data && (
        <>
          <DataTable
            headers={[
              S.cols.account,
              S.cols.score,
              S.cols.roles,
              S.cols.country,
              S.cols.clusters,
              S.cols.flaggedGroups,
              S.cols.messages,
            ]}
          >
            {data.items.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={href.account(a.id)}>{a.label}</a>
                </td>
                <td>{num(a.score, 1)}</td>
                <td>
                  <RoleTags roles={a.roles} />
                </td>
                <td>{country(a.country)}</td>
                <td>{a.clusters.join(', ') || S.none}</td>
                <td>
                  {a.flaggedGroups} / {a.groups}
                </td>
                <td>{a.messages}</td>
              </tr>
            ))}
          </DataTable>
          <Pager total={data.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
        </>
      )}
    </>
  );
}

export function Groups() {
  const [offset, setOffset] = useState(0);
  const [q, setQ] = useState('');
  const [flagged, setFlagged] = useState(false);
  const { data, loading, error } = useApi<Page<GroupRow>>(caseApi('/groups'), {
    offset,
    limit: LIMIT,
    q: q.trim() || undefined,
    flagged: flagged ? true : undefined,
  });
  return (
    <>
      <h2>{S.groups.title}</h2>
      <div className="row">
        <label>
          {S.groups.search}
          <input value={q} maxLength={100} onChange={(e) => (setQ(e.target.value), setOffset(0))} />
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={flagged}
            onChange={(e) => (setFlagged(e.target.checked), setOffset(0))}
          />{' '}
          {S.groups.flaggedOnly}
        </label>
      </div>
      <Status loading={loading} error={error} />
      {data && (
        <>
          <DataTable
            headers={[
              S.cols.subject,
              S.cols.flagged,
              S.cols.cluster,
              S.cols.members,
              S.cols.messages,
              S.cols.known,
              S.cols.novel,
              S.cols.created,
            ]}
          >
            {data.items.map((g) => (
              <tr key={g.id}>
                <td>
                  <a href={href.group(g.id)}>{g.subject ?? S.group.untitled}</a>
                </td>
                <td>{g.flagged ? <span className="bad">{S.yes}</span> : S.no}</td>
                <td>{g.cluster ?? S.none}</td>
                <td>
                  {g.activeMembers} / {g.members}
                </td>
                <td>{g.messages}</td>
                <td>{g.known}</td>
                <td>{g.novel}</td>
                <td>{when(g.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
          <Pager total={data.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
        </>
      )}
    </>
  );
}
