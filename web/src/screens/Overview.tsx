import { caseApi } from '../api';
import { Activity } from '../components/Activity';
import { Bars } from '../components/Bars';
import { DataTable, Panel, RoleTags, Status } from '../components/common';
import { Jobs } from '../components/Jobs';
import { Priority } from '../components/Priority';
import { country, num, when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { S } from '../strings';
import type { Overview as O } from '../types';

export function Overview() {
  const { data, loading, error, reload } = useApi<O>(caseApi('/overview'));
  if (!data) return <Status loading={loading} error={error} />;
  const c = data.counts;
  const cards: [string, string][] = [
    [S.overview.evidence, num(c.evidence)],
    [S.overview.groups, `${num(c.groupsFlagged)} / ${num(c.groups)}`],
    [S.overview.accounts, num(c.accounts)],
    [S.overview.messages, num(c.messages)],
    [S.overview.media, `${num(c.mediaKnown)} / ${num(c.mediaNovel)}`],
  ];
  const countries = data.countries
    .filter((x) => x.suspects > 0)
    .sort((a, b) => b.suspects - a.suspects)
    .map((x) => ({ key: country(x.country), value: x.suspects }));
  return (
    <>
      <h2>
        {S.overview.title}: {data.case.name}
      </h2>
      {data.case.synthetic && <p className="synthetic">{S.synthetic}</p>}
      <p className="muted">
        {data.analysedAt ? S.overview.analysedAt(when(data.analysedAt)) : S.overview.notAnalysed}
      </p>
      <div className="cards">
        {cards.map(([label, value]) => (
          <div className="card" key={label} data-testid={`count-${label}`}>
            <div className="num">{value}</div>
            <div className="lbl">{label}</div>
          </div>
        ))}
      </div>
      <div className="grid2">
        <Panel title={S.overview.countries} id="countries-h">
          <p className="muted">{S.overview.countriesNote}</p>
          <Bars rows={countries} label={S.overview.countries} />
        </Panel>
        <Panel title={S.overview.activity} id="activity-h">
          <Activity weeks={data.activity} />
        </Panel>
      </div>
      <Jobs />
      <Panel title={S.overview.top} id="top-h">
        <DataTable headers={[S.cols.account, S.cols.score, S.cols.roles, S.cols.country]}>
          {data.topSuspects.map((t) => (
            <tr key={t.id}>
              <td>
                <a href={href.account(t.id)}>{t.label}</a>
              </td>
              <td>{num(t.score, 1)}</td>
              <td>
                <RoleTags roles={t.roles} />
              </td>
              <td>{country(t.country)}</td>
            </tr>
          ))}
        </DataTable>
      </Panel>
      <Priority onChanged={reload} />
    </>
  );
}
