import { useContext, useState, type FormEvent } from 'react';
import { caseApi, getJson, send } from '../api';
import { Elsewhere } from '../components/Elsewhere';
import { TimelineChart } from '../components/TimelineChart';
import { Annotations } from '../components/Annotations';
import { MediaCard } from '../components/MediaCard';
import { MergeTable } from '../components/MergeTable';
import { DataTable, Panel, RoleTags, Status } from '../components/common';
import { Periods, Ticks } from '../components/Periods';
import { country, num, when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { SessionContext, useCan } from '../session';
import { S } from '../strings';
import type { Merge, Page, Reason, SuspectFile, TimelineEntry } from '../types';

export function Suspect({ id }: { id: number }) {
  const { data, loading, error, reload } = useApi<SuspectFile>(caseApi(`/accounts/${id}`));
  const [more, setMore] = useState<TimelineEntry[]>([]);
  const [moreError, setMoreError] = useState<string | null>(null);
  const can = useCan();
  if (!data || data.account.id !== id) return <Status loading={loading} error={error} />;
  const a = data.account;
  const timeline = [...data.timeline, ...more];
  // Where each message and event was posted, so that a reason's message ids can link to their group.
  const groupOf = new Map<string, number>();
  for (const t of timeline) if (t.groupId) groupOf.set(`${t.type}:${t.id}`, t.groupId);
  for (const m of data.media) if (m.groupId) groupOf.set(`message:${m.messageId}`, m.groupId);
  const roleReasons = data.roles.filter((r) => r.kind === 'role');
  const scoreReasons = data.roles.filter((r) => r.kind === 'score');

  async function loadMore() {
    setMoreError(null);
    try {
      const page = await getJson<Page<TimelineEntry>>(caseApi(`/accounts/${id}/messages`), {
        offset: data!.timeline.length + more.length,
        limit: 200,
      });
      setMore((m) => [...m, ...page.items]);
    } catch (e) {
      setMoreError((e as Error).message);
    }
  }

  return (
    <>
      <h2>{S.suspect.title(a.label)}</h2>
      <p>
        <a href={href.search({ sender: String(a.id) })}>{S.search.theirMessages}</a>
      </p>
      <TimelineChart account={id} />
      <Annotations kind="account" id={id} />
      {a.mergedInto && (
        <p className="error" role="note">
          {S.suspect.mergedInto} <a href={href.account(a.mergedInto)}>{S.suspect.openMerged}</a>
        </p>
      )}
      <div className="grid2">
        <Panel title={S.suspect.facts} id="facts-h">
          <dl className="facts">
            <dt>{S.suspect.key}</dt>
            <dd className="mono">{a.key}</dd>
            <dt>{S.suspect.phone}</dt>
            <dd>{a.phone ?? S.none}</dd>
            <dt>{S.cols.country}</dt>
            <dd data-testid="suspect-country">{country(a.country)}</dd>
            <dt>{S.suspect.countryReason}</dt>
            <dd>{a.countryReason ?? S.none}</dd>
            <dt>{S.suspect.numberType}</dt>
            <dd>{a.numberType ?? S.none}</dd>
            <dt>{S.cols.score}</dt>
            <dd>{num(a.score, 2)}</dd>
            <dt>{S.suspect.betweenness}</dt>
            <dd>{num(a.betweenness, 4)}</dd>
            <dt>{S.cols.roles}</dt>
            <dd>
              <RoleTags roles={a.roles} />
            </dd>
          </dl>
        </Panel>
        <Panel title={S.suspect.identities} id="ids-h">
          <p>{data.numbers.join(', ') || S.none}</p>
          <DataTable headers={[S.suspect.key, S.suspect.jids, S.suspect.names, S.suspect.via]}>
            {data.identities.map((i) => (
              <tr key={i.id}>
                <td className="mono">{i.key}</td>
                <td className="mono">{i.jids.join(', ') || S.none}</td>
                <td>{i.displayNames.join(', ') || S.none}</td>
                <td>{i.via === 'self' ? S.suspect.viaSelf : S.suspect.viaMerge}</td>
              </tr>
            ))}
          </DataTable>
        </Panel>
      </div>
      {data && <ElsewherePanel id={a.id} />}
      <Panel title={S.suspect.roles} id="roles-h">
        {roleReasons.length ? (
          roleReasons.map((r, i) => <ReasonView key={i} r={r} groupOf={groupOf} />)
        ) : (
          <p className="muted">{S.suspect.noRoles}</p>
        )}
        {scoreReasons.length > 0 && (
          <>
            <h4>{S.suspect.scoreFactors}</h4>
            {scoreReasons.map((r, i) => (
              <ReasonView key={i} r={r} groupOf={groupOf} />
            ))}
          </>
        )}
      </Panel>
      <Panel title={S.suspect.groups} id="groups-h">
        <Periods
          label={S.suspect.groups}
          rows={data.groups.map((g) => ({
            key: String(g.id),
            label: g.subject ?? S.group.untitled,
            intervals: g.intervals,
            strong: g.flagged === true,
          }))}
        />
        <DataTable
          headers={[
            S.cols.subject,
            S.cols.flagged,
            S.cols.cluster,
            S.cols.admin,
            S.cols.active,
            S.cols.period,
            S.cols.messages,
          ]}
        >
          {data.groups.map((g) => (
            <tr key={g.id}>
              <td>
                <a href={href.group(g.id)}>{g.subject ?? S.group.untitled}</a>
              </td>
              <td>{g.flagged ? <span className="bad">{S.yes}</span> : S.no}</td>
              <td>{g.cluster ?? S.none}</td>
              <td>{g.admin ? S.yes : S.no}</td>
              <td>{g.active ? S.yes : S.no}</td>
              <td>
                {g.intervals.map((iv, i) => (
                  <div key={i}>
                    {when(iv.from)} → {when(iv.to)}
                  </div>
                ))}
              </td>
              <td>{g.messages}</td>
            </tr>
          ))}
        </DataTable>
      </Panel>
      <Panel title={S.suspect.timeline} id="timeline-h">
        <Ticks
          label={S.suspect.timeline}
          entries={timeline.map((t) => ({ at: t.at, type: t.type, title: `${when(t.at)} ${t.kind}` }))}
        />
        <p className="muted">{S.suspect.timelineMore(timeline.length, data.timelineTotal)}</p>
        <DataTable headers={[S.cols.at, S.cols.type, S.cols.groups, S.cols.text]}>
          {timeline.map((t) => (
            <tr key={`${t.type}-${t.id}`}>
              <td>{when(t.at)}</td>
              <td>
                {t.type === 'message' ? t.kind : <span className="tag">{t.kind}</span>}
                {t.mediaId ? (
                  <>
                    {' '}
                    <a href={href.media({ account: id })}>#{t.mediaId}</a>
                  </>
                ) : null}
              </td>
              <td>
                {t.type === 'message' ? (
                  <a href={href.message(t.id)} title={S.conversation.open}>
                    {t.groupId ? `#${t.groupId}` : S.conversation.direct}
                  </a>
                ) : t.groupId ? (
                  <a href={href.group(t.groupId)}>#{t.groupId}</a>
                ) : (
                  S.none
                )}
              </td>
              <td>{t.text ?? ''}</td>
            </tr>
          ))}
        </DataTable>
        {timeline.length < data.timelineTotal && (
          <button className="secondary" onClick={loadMore}>
            {S.suspect.loadMore}
          </button>
        )}
        {moreError && <p className="error">{moreError}</p>}
      </Panel>
      <Panel title={S.suspect.media} id="media-h">
        <div className="media-grid">
          {data.media.map((m) => (
            <div key={`${m.id}-${m.messageId}`}>
              <MediaCard m={{ ...m, firstAt: m.at }} canReveal={can('media.reveal')} canReview={false} />
              <p className="muted">
                <a href={href.message(m.messageId)} title={S.conversation.open}>
                  {m.groupId ? `${S.cols.groups} #${m.groupId}` : S.conversation.direct}
                </a>
                {m.forwarded ? ` · ${S.suspect.forwarded}` : ''}
              </p>
            </div>
          ))}
        </div>
      </Panel>
      <Merges id={id} merges={data.merges} canMerge={can('identity.merge')} onChanged={reload} />
    </>
  );
}

function ReasonView({ r, groupOf }: { r: Reason; groupOf: Map<string, number> }) {
  return (
    <div className="reason" data-reason={r.name}>
      <p>
        <span className="tag">{S.roles[r.name] ?? r.name}</span>
        {r.points !== null && <strong> {r.points} </strong>} {r.text}
      </p>
      <details>
        <summary>{S.suspect.behind}</summary>
        <dl className="facts">
          {r.messageIds.length > 0 && (
            <>
              <dt>{S.suspect.messagesBehind}</dt>
              <dd>
                {r.messageIds.map((m) => {
                  // Every message opens in its conversation, a group's or a direct chat's.
                  return (
                    <a key={m} className="ref" href={href.message(m)}>
                      #{m}
                    </a>
                  );
                })}
              </dd>
            </>
          )}
          {r.eventIds.length > 0 && (
            <>
              <dt>{S.suspect.eventsBehind}</dt>
              <dd>
                {r.eventIds.map((e) => {
                  const g =
                    groupOf.get(`event:${e}`) ?? (r.groupIds.length === 1 ? r.groupIds[0] : undefined);
                  return g ? (
                    <a key={e} className="ref" href={href.group(g)}>
                      #{e}
                    </a>
                  ) : (
                    <span key={e} className="ref">
                      #{e}
                    </span>
                  );
                })}
              </dd>
            </>
          )}
          {r.groupIds.length > 0 && (
            <>
              <dt>{S.suspect.groupsBehind}</dt>
              <dd>
                {r.groupIds.map((g) => (
                  <a key={g} className="ref" href={href.group(g)}>
                    #{g}
                  </a>
                ))}
              </dd>
            </>
          )}
          {r.evidenceIds.length > 0 && (
            <>
              <dt>{S.suspect.evidenceBehind}</dt>
              <dd>
                {r.evidenceIds.map((e) => (
                  <a key={e} className="ref" href={href.evidence(e)}>
                    #{e}
                  </a>
                ))}
              </dd>
            </>
          )}
          {r.times.length > 0 && (
            <>
              <dt>{S.cols.at}</dt>
              <dd>{r.times.map(when).join(', ')}</dd>
            </>
          )}
        </dl>
        {r.provenance && r.provenance.length > 0 && (
          <table>
            <caption>{S.suspect.provenance}</caption>
            <thead>
              <tr>
                <th>{S.cols.fact}</th>
                <th>{S.cols.evidence}</th>
                <th>{S.cols.location}</th>
              </tr>
            </thead>
            <tbody>
              {r.provenance.map((p, i) => (
                <tr key={i}>
                  <td>
                    {p.factType === 'message' ? (
                      <a href={href.message(p.factId)} title={S.conversation.open}>
                        {p.factType} #{p.factId}
                      </a>
                    ) : (
                      `${p.factType} #${p.factId}`
                    )}
                  </td>
                  <td>
                    <a href={href.evidence(p.evidenceId)}>#{p.evidenceId}</a>
                  </td>
                  <td className="mono">
                    {p.kind}
                    {p.table ? ` ${p.table}` : ''}
                    {p.rowId !== null ? ` row ${p.rowId}` : ''}
                    {p.line !== null ? ` line ${p.line}` : ''}
                    {p.entry ? ` ${p.entry}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </div>
  );
}

function Merges({
  id,
  merges,
  canMerge,
  onChanged,
}: {
  id: number;
  merges: Merge[];
  canMerge: boolean;
  onChanged: () => void;
}) {
  const [error, setError] = useState<string | null>(null);

  async function merge(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      await send('POST', caseApi('/merges'), {
        from: Number(f.get('from')),
        into: id,
        reason: String(f.get('reason')),
      });
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function undo(m: Merge) {
    setError(null);
    try {
      await send('DELETE', caseApi(`/merges/${m.id}`));
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <Panel title={S.suspect.merges} id="merges-h">
      {merges.length === 0 ? (
        <p className="muted">{S.suspect.noMerges}</p>
      ) : (
        <MergeTable
          merges={merges}
          showBy
          onUndo={canMerge ? (m) => void undo(m) : undefined}
          undoText={S.suspect.unmerge}
        />
      )}
      {canMerge && (
        <form className="row" onSubmit={merge} aria-label={S.suspect.mergeTitle}>
          <label>
            {S.suspect.mergeFrom}
            <input name="from" type="number" min={1} required />
          </label>
          <label>
            {S.suspect.mergeReason}
            <input name="reason" minLength={3} maxLength={500} required size={40} />
          </label>
          <button type="submit">{S.suspect.mergeSubmit}</button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Panel>
  );
}

/** Only on an installation's server: where else this account's numbers and JIDs appear. */
function ElsewherePanel({ id }: { id: number }) {
  const session = useContext(SessionContext);
  if (!session?.installation) return null;
  return (
    <Panel title={S.elsewhere.title} id="elsewhere-h">
      <Elsewhere kind="account" id={id} />
    </Panel>
  );
}
