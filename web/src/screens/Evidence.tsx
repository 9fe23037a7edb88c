import { useEffect, useState } from 'react';
import { caseApi, send } from '../api';
import { DataTable, Pager, Status } from '../components/common';
import { bytes, when } from '../format';
import { useApi } from '../hooks';
import { useCan } from '../session';
import { S } from '../strings';
import type { EvidenceRow, Page, Verification } from '../types';

const LIMIT = 100;

export function Evidence({ focus }: { focus: number | null }) {
  const [offset, setOffset] = useState(0);
  const { data, loading, error, reload } = useApi<Page<EvidenceRow>>(caseApi('/evidence'), {
    offset,
    limit: LIMIT,
  });
  const can = useCan();
  useEffect(() => {
    if (focus) document.getElementById(`ev-${focus}`)?.scrollIntoView({ block: 'center' });
  }, [focus, data]);
  return (
    <>
      <h2>{S.evidence.title}</h2>
      <Status loading={loading} error={error} />
      {data && (
        <>
          <DataTable
            headers={[
              S.cols.id,
              S.cols.path,
              S.cols.sha256,
              S.cols.size,
              S.cols.kind,
              S.cols.device,
              S.cols.examiner,
              S.cols.acquired,
              S.cols.ingested,
              S.cols.tool,
              S.cols.verified,
            ]}
          >
            {data.items.map((e) => (
              <tr key={e.id} id={`ev-${e.id}`} className={e.id === focus ? 'highlight' : undefined}>
                <td>{e.id}</td>
                <td className="mono">
                  {e.path}
                  {Object.keys(e.notes ?? {}).length > 0 && (
                    <details>
                      <summary>{S.evidence.notes}</summary>
                      <pre className="mono">{JSON.stringify(e.notes, null, 2)}</pre>
                    </details>
                  )}
                </td>
                <td className="mono">{e.sha256}</td>
                <td>{bytes(e.size)}</td>
                <td>{e.kind}</td>
                <td>{e.device}</td>
                <td>{e.examiner ?? S.none}</td>
                <td>{when(e.acquiredAt)}</td>
                <td>{when(e.ingestedAt)}</td>
                <td>{e.toolVersion}</td>
                <td>
                  <Verify row={e} allowed={can('evidence.verify')} onDone={reload} />
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

function Verify({ row, allowed, onDone }: { row: EvidenceRow; allowed: boolean; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const last = row.lastVerification;

  async function run() {
    setBusy(true);
    setError(null);
    try {
      setResult(await send<Verification>('POST', caseApi(`/evidence/${row.id}/verify`)));
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div aria-live="polite">
      {result ? (
        result.ok ? (
          <span className="ok">{S.evidence.ok}</span>
        ) : result.error ? (
          <span className="bad">{S.evidence.missing(result.error)}</span>
        ) : (
          <span className="bad">
            {S.evidence.mismatch}: <span className="mono">{result.actual}</span>
          </span>
        )
      ) : last ? (
        <span className={last.ok ? 'ok' : 'bad'}>
          {last.ok ? S.evidence.ok : S.evidence.mismatch} ({when(last.at)}, {last.by})
        </span>
      ) : (
        <span className="muted">{S.evidence.never}</span>
      )}
      {allowed && (
        <div>
          <button className="secondary" onClick={run} disabled={busy}>
            {busy ? S.evidence.verifying : S.evidence.verify}
          </button>
        </div>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  );
}
