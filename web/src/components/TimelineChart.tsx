import { useState } from 'react';
import { caseApi } from '../api';
import { day, when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { S } from '../strings';
import type { SuspectTimeline } from '../types';
import { Panel, Status } from './common';

const LABEL = 220;
const WIDTH = 1100;
const LANE = 26;
const AXIS = 24;
const LANES_SHOWN = 25;

/**
 * One person on one time axis, a lane per chat side by side: membership periods as bars (outlined where
 * they were admin), their messages as ticks, their media posts as marks by status (known material, novel,
 * not yet matched — never any picture), and the events they took part in as triangles. Every mark says what
 * it is on hover; a message mark opens the conversation at it.
 */
export function TimelineChart({ account }: { account: number }) {
  const { data, loading, error } = useApi<SuspectTimeline>(caseApi(`/accounts/${account}/timeline`));
  const [all, setAll] = useState(false);
  if (!data) return <Status loading={loading} error={error} />;
  if (!data.from || !data.to || !data.lanes.length)
    return (
      <Panel title={S.timeline.title} id="tl-h">
        <p className="muted">{S.timeline.empty}</p>
      </Panel>
    );
  const t0 = Date.parse(data.from);
  const t1 = Math.max(Date.parse(data.to), t0 + 60_000);
  const x = (iso: string | null, open: 'start' | 'end') =>
    LABEL +
    (((iso === null ? (open === 'start' ? t0 : t1) : Date.parse(iso)) - t0) / (t1 - t0)) *
      (WIDTH - LABEL - 10);
  const lanes = all ? data.lanes : data.lanes.slice(0, LANES_SHOWN);
  const height = AXIS + lanes.length * LANE + 4;
  const ticks = Array.from({ length: 6 }, (_, i) => new Date(t0 + ((t1 - t0) * i) / 5).toISOString());
  return (
    <Panel title={S.timeline.title} id="tl-h">
      <p className="muted">{S.timeline.legend}</p>
      <div className="timeline-scroll">
        <svg
          width={WIDTH}
          height={height}
          role="img"
          aria-label={S.timeline.aria(data.lanes.length, day(data.from), day(data.to))}
          data-testid="timeline-chart"
        >
          {ticks.map((t, i) => (
            <g key={t}>
              <line x1={x(t, 'start')} x2={x(t, 'start')} y1={AXIS - 4} y2={height} className="tl-grid" />
              <text
                x={x(t, 'start')}
                y={12}
                className="tl-axis"
                textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}
              >
                {day(t)}
              </text>
            </g>
          ))}
          {lanes.map((l, i) => {
            const y = AXIS + i * LANE;
            const mid = y + LANE / 2;
            return (
              <g key={l.chatId} data-lane={l.chatId}>
                <text x={4} y={mid + 4} className={l.flagged ? 'tl-label flagged' : 'tl-label'}>
                  <a href={l.kind === 'group' ? href.group(l.chatId) : href.chat(l.chatId)}>
                    {(l.subject ?? (l.kind === 'direct' ? S.conversation.direct : `#${l.chatId}`)).slice(
                      0,
                      30,
                    )}
                  </a>
                </text>
                {l.intervals.map((p, j) => (
                  <rect
                    key={j}
                    x={x(p.from, 'start')}
                    y={y + 6}
                    width={Math.max(2, x(p.to, 'end') - x(p.from, 'start'))}
                    height={LANE - 12}
                    className={l.admin ? 'tl-member admin' : 'tl-member'}
                  >
                    <title>{S.timeline.member(when(p.from), when(p.to))}</title>
                  </rect>
                ))}
                {l.posts.map((p) => (
                  <a key={p.id} href={href.message(p.id)}>
                    <line
                      x1={x(p.at, 'start')}
                      x2={x(p.at, 'start')}
                      y1={y + 4}
                      y2={y + LANE - 4}
                      className="tl-post"
                    >
                      <title>{S.timeline.post(p.id, when(p.at))}</title>
                    </line>
                  </a>
                ))}
                {l.media.map((m) => (
                  <a key={m.messageId} href={href.message(m.messageId)}>
                    <rect
                      x={x(m.at, 'start') - 4}
                      y={mid - 4}
                      width={8}
                      height={8}
                      className={`tl-media ${m.status ?? 'unmatched'}`}
                      transform={m.status === 'novel' ? `rotate(45 ${x(m.at, 'start')} ${mid})` : undefined}
                      data-status={m.status ?? 'unmatched'}
                    >
                      <title>{S.timeline.media(m.status ?? 'unmatched', when(m.at))}</title>
                    </rect>
                  </a>
                ))}
                {l.events.map((e) => {
                  const ex = x(e.at, 'start');
                  return (
                    <path
                      key={e.id}
                      d={`M${ex - 5},${y + LANE - 3} L${ex + 5},${y + LANE - 3} L${ex},${y + 3} Z`}
                      className="tl-event"
                    >
                      <title>{S.timeline.event(e.type, when(e.at))}</title>
                    </path>
                  );
                })}
              </g>
            );
          })}
        </svg>
      </div>
      {data.lanes.length > LANES_SHOWN && (
        <button type="button" className="secondary" onClick={() => setAll(!all)}>
          {all ? S.timeline.fewer : S.timeline.all(data.lanes.length)}
        </button>
      )}
    </Panel>
  );
}
