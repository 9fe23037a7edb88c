import { useEffect, useRef } from 'react';

/** Horizontal bars; widths are set through the CSSOM because the CSP forbids inline style attributes. */
export function Bars({ rows, label }: { rows: { key: string; value: number }[]; label: string }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <div className="bars" role="list" aria-label={label}>
      {rows.map((r) => (
        <div key={r.key} className="bar" role="listitem">
          <span className="mono">{r.key}</span>
          <span className="track">
            <Fill fraction={r.value / max} />
          </span>
          <span>{r.value}</span>
        </div>
      ))}
    </div>
  );
}

function Fill({ fraction }: { fraction: number }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.style.width = `${Math.max(1, fraction * 100)}%`;
  }, [fraction]);
  return <span ref={ref} className="fill" />;
}
