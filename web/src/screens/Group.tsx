import { caseApi } from '../api';
import { useEffect, useState } from 'react';
import { Annotations } from '../components/Annotations';
import { MediaCard } from '../components/MediaCard';
import { DataTable, Pager, Panel, RoleTags, Status } from '../components/common';
import { Periods } from '../components/Periods';
import { when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { useCan } from '../session';
import { S } from '../strings';
import type { GroupFile, GroupMessage, Page } from '../types';

const LIMIT = 100;

export function Group({ id, message }: { id: number; message: number | null }) {
  const { data, loading, error } = useApi<GroupFile>(caseApi(`/groups/${id}`));
  const [offset, setOffset] = useState(0);
  const msgs = useApi<Page<GroupMessage>>(caseApi(`/groups/${id}/messages`), { offset, limit: LIMIT });
  const can = useCan();
  useEffect(() => {
    if (message) document.getElementById(`msg-${message}`)?.scrollIntoView({ block: 'center' });
  }, [message, msgs.data]);
  if (!data || data.group.id !== id) return <Status loading={loading} error={error} />;
  const g = data.group;
  const label = new Map(data.members.map((m) => [m.accountId, m.label]));
  const who = (a: number | null) =>
    a ? <a href={href.account(a)}>{label.get(a) ?? `#${a}`}</a> : <span className="muted">{S.none}</span>;
  return (
    <>
      <h2>{S.group.title(g.subject ?? S.group.untitled)}</h2>
      <div className="grid2">
        <Panel title={S.group.facts} id="gfacts-h">
          <dl className="facts">
            <dt>{S.group.key}</dt>
            <dd className="mono">{g.key}</dd>
            <dt>{S.group.jid}</dt>
            <dd className="mono">{g.jid ?? S.none}</dd>
            <dt>{S.cols.flagged}</dt>
            <dd>{g.flagged ? <span className="bad">{S.yes}</span> : S.no}</dd>
            <dt>{S.group.rule}</dt>
            <dd>{g.rule ?? S.none}</dd>
            <dt>{S.cols.cluster}</dt>
            <dd>{g.cluster ?? S.none}</dd>
            <dt>{S.cols.created}</dt>
            <dd>{when(g.createdAt)}</dd>
            <dt>{S.group.creator}</dt>
            <dd>{who(g.creator)}</dd>
            <dt>{S.cols.messages}</dt>
            <dd>{g.messages}</dd>
            <dt>{S.media.known}</dt>
            <dd>{g.known}</dd>
            <dt>{S.media.novel}</dt>
            <dd>{g.novel}</dd>
          </dl>
        </Panel>
        <Panel title={S.group.subjects} id="subjects-h">
          <DataTable headers={[S.cols.at, S.cols.subject, S.cols.by]}>
            {data.subjects.map((s, i) => (
              <tr key={i}>
                <td>{when(s.at)}</td>
                <td>{s.subject}</td>
                <td>{who(s.by)}</td>
              </tr>
            ))}
          </DataTable>
          <h4>{S.group.admins}</h4>
          <p>
            {data.admins.length
              ? data.admins.map((a) => (
                  <span key={a} className="ref">
                    {who(a)}
                  </span>
                ))
              : S.none}
          </p>
        </Panel>
      </div>
      <Panel title={S.group.members} id="members-h">
        <Periods
          label={S.group.members}
          rows={data.members.slice(0, 200).map((m) => ({
            key: String(m.accountId),
            label: m.label,
            intervals: m.intervals,
            strong: m.roles.length > 0,
          }))}
        />
        <DataTable headers={[S.cols.account, S.cols.roles, S.cols.admin, S.cols.active, S.cols.period]}>
          {data.members.map((m) => (
            <tr key={m.accountId}>
              <td>{who(m.accountId)}</td>
              <td>
                <RoleTags roles={m.roles} />
              </td>
              <td>{m.admin ? S.yes : S.no}</td>
              <td>{m.active ? S.yes : S.no}</td>
              <td>
                {m.intervals.map((iv, i) => (
                  <div key={i}>
                    {when(iv.from)} → {when(iv.to)}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>
      <Panel title={S.group.media} id="gmedia-h">
        <div className="media-grid">
          {data.media.map((m) => (
            <MediaCard key={m.id} m={m} canReveal={can('media.reveal')} canReview={false} />
          ))}
        </div>
      </Panel>
      <Panel title={S.group.events} id="events-h">
        <DataTable headers={[S.cols.at, S.cols.type, S.cols.actor, S.cols.to, S.cols.value]}>
          {data.events.map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td>
              <td>
                <span className="tag">{e.type}</span>
              </td>
              <td>{who(e.actor)}</td>
              <td>
                {e.targets.map((t) => (
                  <span key={t} className="ref">
                    {who(t)}
                  </span>
                ))}
              </td>
              <td>{e.value ?? ''}</td>
            </tr>
          ))}
        </DataTable>
      </Panel>
      <Annotations kind="chat" id={id} />
      <Panel title={S.group.messages} id="gmsgs-h">
        <p>
          <a className="button" href={href.chat(id)} data-testid="read-conversation">
            {S.conversation.open}
          </a>
        </p>
        <Status loading={msgs.loading} error={msgs.error} />
        {msgs.data && (
          <>
            <DataTable headers={[S.cols.at, S.cols.sender, S.cols.kind, S.cols.text]}>
              {msgs.data.items.map((m) => (
                <tr key={m.id} id={`msg-${m.id}`} className={m.id === message ? 'highlight' : undefined}>
                  <td>
                    <a href={href.message(m.id)} title={S.conversation.open}>
                      {when(m.at)}
                    </a>
                  </td>
                  <td>{who(m.sender)}</td>
                  <td>
                    {m.kind}
                    {m.forwarded ? ` (${S.suspect.forwarded})` : ''}
                    {m.mediaId ? (
                      <>
                        {' '}
                        <span className={`tag ${m.mediaStatus ?? ''}`}>
                          #{m.mediaId} {m.mediaStatus}
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>{m.text ?? ''}</td>
                </tr>
              ))}
            </DataTable>
            <Pager total={msgs.data.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
          </>
        )}
      </Panel>
    </>
  );
}
