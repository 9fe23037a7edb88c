import type { Interval } from '../types';
import { day } from '../format';

/**
 * Membership periods as a Gantt chart: one row per item, one bar per interval. Open ends (unknown join or
 * leave) run to the edge of the window and are drawn dashed, so "unknown" never looks like a date.
 */
export function Periods({
  rows,
  label,
}: {
  rows: { key: string; label: string; intervals: Interval[]; strong?: boolean }[];
  label: string;
}) {
  const times = rows.flatMap((r) => r.intervals.flatMap((i) => [i.from, i.to])).filter(Boolean) as string[];
  if (!rows.length || !times.length) return null;
  const ms = times.map((t) => Date.parse(t));
  const lo = Math.min(...ms);
  const hi = Math.max(lo + 86_400_000, ...ms);
  const W = 800;
  const left = 200;
  const rowH = 18;
  const H = rows.length * rowH + 24;
  const x = (t: number) => left + ((t - lo) / (hi - lo)) * (W - left - 10);
  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <title>{label}</title>
        {rows.map((r, i) => (
          <g key={r.key}>
            <text x={left - 6} y={i * rowH + 13} textAnchor="end" fontSize="11" fill="#16191d">
              {r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label}
            </text>
            {r.intervals.map((iv, j) => {
              const a = iv.from ? x(Date.parse(iv.from)) : left;
              const b = iv.to ? x(Date.parse(iv.to)) : W - 10;
              return (
                <rect
                  key={j}
                  x={a}
                  y={i * rowH + 3}
                  width={Math.max(2, b - a)}
                  height={rowH - 6}
                  fill={r.strong ? '#0b5cad' : '#7fa7d1'}
                  stroke="#16191d"
                  strokeDasharray={!iv.from || !iv.to ? '3 2' : undefined}
                >
                  <title>{`${r.label}: ${day(iv.from)} → ${day(iv.to)}`}</title>
                </rect>
              );
            })}
          </g>
        ))}
        <text x={left} y={H - 6} fontSize="11" fill="#4a525c">
          {day(new Date(lo).toISOString())}
        </text>
        <text x={W - 10} y={H - 6} fontSize="11" fill="#4a525c" textAnchor="end">
          {day(new Date(hi).toISOString())}
        </text>
      </svg>
    </figure>
  );
}

/** Entries over time as ticks on one axis (messages above, events below). */
export function Ticks({
  entries,
  label,
}: {
  entries: { at: string; type: string; title: string }[];
  label: string;
}) {
  if (!entries.length) return null;
  const ms = entries.map((e) => Date.parse(e.at));
  const lo = Math.min(...ms);
  const hi = Math.max(lo + 86_400_000, ...ms);
  const W = 800;
  const H = 60;
  const x = (t: number) => 10 + ((t - lo) / (hi - lo)) * (W - 20);
  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <title>{label}</title>
        <line x1={10} x2={W - 10} y1={25} y2={25} stroke="#4a525c" />
        {entries.map((e, i) => (
          <line
            key={i}
            x1={x(ms[i])}
            x2={x(ms[i])}
            y1={e.type === 'message' ? 8 : 27}
            y2={e.type === 'message' ? 23 : 42}
            stroke={e.type === 'message' ? '#0b5cad' : '#8a5300'}
            strokeWidth="2"
          >
            <title>{e.title}</title>
          </line>
        ))}
        <text x={10} y={H - 4} fontSize="11" fill="#4a525c">
          {day(new Date(lo).toISOString())}
        </text>
        <text x={W - 10} y={H - 4} fontSize="11" fill="#4a525c" textAnchor="end">
          {day(new Date(hi).toISOString())}
        </text>
      </svg>
    </figure>
  );
}
