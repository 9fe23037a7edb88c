import type { ReactNode } from 'react';
import { S } from '../strings';

export function Status({ loading, error }: { loading: boolean; error: string | null }) {
  if (error)
    return (
      <p className="error" role="alert">
        {S.errorPrefix}
        {error}
      </p>
    );
  if (loading) return <p aria-live="polite">{S.loading}</p>;
  return null;
}

export function RoleTags({ roles }: { roles: string[] }) {
  if (!roles.length) return <span className="muted">{S.none}</span>;
  return (
    <>
      {roles.map((r) => (
        <span key={r} className="tag">
          {S.roles[r] ?? r}
        </span>
      ))}
    </>
  );
}

export function Panel({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

export function Pager({
  total,
  offset,
  limit,
  onOffset,
}: {
  total: number;
  offset: number;
  limit: number;
  onOffset: (o: number) => void;
}) {
  if (total <= limit) return <p className="muted">{S.pageOf(total ? 1 : 0, total, total)}</p>;
  return (
    <nav className="row" aria-label="pages">
      <button
        className="secondary"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - limit))}
      >
        {S.previous}
      </button>
      <span>{S.pageOf(offset + 1, Math.min(total, offset + limit), total)}</span>
      <button
        className="secondary"
        disabled={offset + limit >= total}
        onClick={() => onOffset(offset + limit)}
      >
        {S.next}
      </button>
    </nav>
  );
}

/** A table with a header row; the caller gives the body rows. Empty header strings label nothing. */
export function DataTable({ headers, children }: { headers: string[]; children: ReactNode }) {
  return (
    <table>
      <thead>
        <tr>{headers.map((h, i) => (h ? <th key={i}>{h}</th> : <th key={i} />))}</tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
