import { S } from '../strings';

/** Weekly messages (bars) and media (line) as an SVG: scales to its container, no chart library. */
export function Activity({ weeks }: { weeks: { week: string; messages: number; media: number }[] }) {
  if (!weeks.length) return <p className="muted">{S.none}</p>;
  const W = 520;
  const H = 200;
  const pad = { l: 44, r: 10, t: 10, b: 28 };
  const maxM = Math.max(1, ...weeks.map((w) => w.messages));
  const maxD = Math.max(1, ...weeks.map((w) => w.media));
  const bw = (W - pad.l - pad.r) / weeks.length;
  const y = (v: number, max: number) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const line = weeks.map((w, i) => `${pad.l + bw * (i + 0.5)},${y(w.media, maxD)}`).join(' ');
  const every = Math.max(1, Math.ceil(weeks.length / 6));
  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={S.overview.activity}>
        <title>{S.overview.activity}</title>
        <line x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} stroke="#4a525c" />
        <text x={pad.l - 6} y={pad.t + 10} textAnchor="end" fontSize="12" fill="#4a525c">
          {maxM}
        </text>
        {weeks.map((w, i) => (
          <rect
            key={w.week}
            x={pad.l + bw * i + 1}
            y={y(w.messages, maxM)}
            width={Math.max(1, bw - 2)}
            height={H - pad.b - y(w.messages, maxM)}
            fill="#7fa7d1"
          >
            <title>{`${w.week}: ${w.messages} ${S.overview.activityMessages}, ${w.media} ${S.overview.activityMedia}`}</title>
          </rect>
        ))}
        <polyline points={line} fill="none" stroke="#a4161a" strokeWidth="2" />
        {weeks.map((w, i) =>
          i % every === 0 ? (
            <text key={w.week} x={pad.l + bw * i} y={H - 8} fontSize="12" fill="#4a525c">
              {w.week}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption className="legend">
        <span>
          <i className="sw-msg" />
          {S.overview.activityMessages}
        </span>
        <span>
          <i className="sw-media" />
          {S.overview.activityMedia}
        </span>
      </figcaption>
    </figure>
  );
}
