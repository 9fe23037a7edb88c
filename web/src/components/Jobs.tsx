import { useEffect } from 'react';
import { caseApi } from '../api';
import { useApi } from '../hooks';
import { S } from '../strings';
import type { Jobs as J } from '../types';
import { DataTable, Panel } from './common';

/** How often the panel asks again while a job is queued or running. */
const POLL_MS = 2000;

/**
 * The case's jobs, live: per kind how many in each state, units done of all, rate and ETA; per job its
 * progress and, when it failed, its error. Shown only when the case has jobs; polls while any is unfinished.
 */
export function Jobs() {
  const { data, reload } = useApi<J>(caseApi('/jobs'));
  const open = !!data?.jobs.some((j) => j.state === 'queued' || j.state === 'running');
  useEffect(() => {
    if (!open) return;
    const t = setTimeout(reload, POLL_MS);
    return () => clearTimeout(t);
  }, [open, data, reload]);
  if (!data || data.total === 0) return null;
  return (
    <Panel title={S.jobs.title} id="jobs-h">
      <p className="muted">{S.jobs.note}</p>
      <ul data-testid="jobs-summary">
        {Object.entries(data.summary).map(([kind, k]) => (
          <li key={kind}>
            <strong>{S.jobs.kinds[kind] ?? kind}</strong>: {S.jobs.kindLine(k)};{' '}
            {S.jobs.progress(k.unitsDone, k.units)}, {S.jobs.rate(k.rate)}, ETA {S.jobs.eta(k.etaSeconds)}
            {k.units > 0 && (
              <progress max={k.units} value={k.unitsDone} aria-label={S.jobs.kinds[kind] ?? kind} />
            )}
          </li>
        ))}
      </ul>
      <DataTable headers={S.jobs.cols}>
        {data.jobs.map((j) => (
          <tr key={j.id} data-testid={`job-${j.id}`}>
            <td>{j.id}</td>
            <td>{S.jobs.kinds[j.kind] ?? j.kind}</td>
            <td>
              {j.state === 'running' && j.workerLost
                ? S.jobs.workerLost
                : (S.jobs.states[j.state] ?? j.state)}
            </td>
            <td>{S.jobs.progress(j.done, j.total)}</td>
            <td>{S.jobs.rate(j.rate)}</td>
            <td>{j.state === 'running' ? S.jobs.eta(j.etaSeconds) : '–'}</td>
            <td>{j.attempts}</td>
            <td>{j.worker ?? '–'}</td>
            <td className={j.state === 'failed' ? 'error' : undefined}>{j.error ?? ''}</td>
          </tr>
        ))}
      </DataTable>
      {data.total > data.jobs.length && <p className="muted">{S.jobs.more(data.total - data.jobs.length)}</p>}
    </Panel>
  );
}
