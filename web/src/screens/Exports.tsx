import { useState } from 'react';
import { caseApi, download } from '../api';
import { Panel, Status } from '../components/common';
import { country } from '../format';
import { useApi } from '../hooks';
import { S } from '../strings';
import type { Overview } from '../types';

export function Exports() {
  const { data, loading, error } = useApi<Overview>(caseApi('/overview'));
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function get(path: string, name: string) {
    setBusy(path);
    setMessage(null);
    try {
      setMessage({ ok: true, text: S.exports.saved(await download(path, name)) });
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(null);
    }
  }

  const button = (path: string, name: string, label: string) => (
    <button key={path} className="secondary" disabled={busy !== null} onClick={() => get(path, name)}>
      {busy === path ? S.exports.downloading : label}
    </button>
  );
  const countries = (data?.countries ?? []).filter((c) => c.country && c.suspects > 0);
  return (
    <>
      <h2>{S.exports.title}</h2>
      <p className="muted">{S.exports.intro}</p>
      <p aria-live="polite" className={message ? (message.ok ? 'ok' : 'error') : undefined}>
        {message?.text}
      </p>
      <div className="grid2">
        <Panel title={S.exports.caseFormats} id="fmt-h">
          <div className="row">
            {button(caseApi('/exports/json'), 'case.json', S.exports.json)}
            {button(caseApi('/exports/graphml'), 'case.graphml', S.exports.graphml)}
            {button(caseApi('/exports/gexf'), 'case.gexf', S.exports.gexf)}
            {button(caseApi('/exports/csv'), 'case.csv', S.exports.csv)}
          </div>
          <h4>{S.exports.report}</h4>
          {button(caseApi('/report'), 'report.html', S.exports.reportHtml)}
        </Panel>
        <Panel title={S.exports.referrals} id="ref-h">
          <Status loading={loading} error={error} />
          {data && !countries.length && <p className="muted">{S.exports.noCountries}</p>}
          <div className="row">
            {countries.map((c) =>
              button(
                caseApi(`/referrals/${c.country}`),
                `referral-${c.country}.zip`,
                S.exports.referral(country(c.country)),
              ),
            )}
          </div>
        </Panel>
      </div>
    </>
  );
}
