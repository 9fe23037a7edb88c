import { useState } from 'react';
import { caseApi, send } from '../api';
import { Pager, Panel, Status } from '../components/common';
import { MediaCard } from '../components/MediaCard';
import { num, when } from '../format';
import { useApi } from '../hooks';
import { href } from '../router';
import { useCan } from '../session';
import { S } from '../strings';
import type {
  CategorySchemeView,
  TriageQueue,
  TriageSeries,
  TriageSeriesDetail,
  TriageSeriesReviewResult,
} from '../types';

const LIMIT = 20;

/**
 * The novel media queue, most urgent first (docs/triage.md: recent, first posted by the poster, the poster's
 * role, the size of its series), each with the reasons its urgency rests on. Novel images that are near
 * copies of one another form a series; the analyst opens it (blurred thumbnails only; a reveal is deliberate
 * and audited) and categorises it as a whole in the case's scheme.
 */
export function Triage() {
  const [offset, setOffset] = useState(0);
  const [pending, setPending] = useState(true);
  const [open, setOpen] = useState<number | null>(null);
  const queue = useApi<TriageQueue>(caseApi('/triage'), {
    offset,
    limit: LIMIT,
    pending: pending || undefined,
  });
  const scheme = useApi<CategorySchemeView>(caseApi('/categories/scheme'));
  const can = useCan();
  if (!queue.data || !scheme.data)
    return <Status loading={queue.loading || scheme.loading} error={queue.error ?? scheme.error} />;
  const q = queue.data;
  return (
    <>
      <h2>{S.triage.title}</h2>
      <p className="muted">{S.triage.rule(q.threshold)}</p>
      <p data-testid="triage-counts">{S.triage.counts(q.novel, q.reviewed)}</p>
      <div className="row">
        <label>
          <input
            type="checkbox"
            checked={pending}
            onChange={(e) => {
              setPending(e.target.checked);
              setOffset(0);
            }}
          />{' '}
          {S.triage.pendingOnly}
        </label>
        <SchemeChoice view={scheme.data} canChange={can('categories.manage')} onChanged={scheme.reload} />
      </div>
      <ol className="triage-queue">
        {q.items.map((s) => (
          <li key={s.id} className="triage-series" data-series={s.id} data-reviewed={s.reviewed}>
            <SeriesHead s={s} />
            <button
              type="button"
              className="secondary"
              aria-expanded={open === s.id}
              onClick={() => setOpen(open === s.id ? null : s.id)}
              data-testid="triage-open"
            >
              {open === s.id ? S.triage.close : S.triage.open(s.size)}
            </button>
            {open === s.id && (
              <SeriesDetail
                id={s.id}
                scheme={scheme.data!}
                canReview={can('media.review')}
                canReveal={can('media.reveal')}
                onReviewed={() => queue.reload()}
              />
            )}
          </li>
        ))}
      </ol>
      {!q.items.length && <p className="muted">{S.triage.empty}</p>}
      <Pager total={q.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
    </>
  );
}

function SeriesHead({ s }: { s: TriageSeries }) {
  return (
    <div>
      <p>
        <strong data-testid="triage-urgency">{num(s.urgency, 1)}</strong> {S.triage.series(s.id, s.size)}{' '}
        <span className="muted">{when(s.firstAt)}</span>{' '}
        {s.firstPostedBy !== null && <a href={href.account(s.firstPostedBy)}>#{s.firstPostedBy}</a>}{' '}
        <span className={`tag ${s.reviewed === 'all' ? 'ok' : ''}`}>{S.triage.reviewed[s.reviewed]}</span>
        {Object.entries(s.categories).map(([c, n]) => (
          <span key={c} className="tag">
            {c} × {n}
          </span>
        ))}
      </p>
      <ul className="reasons">
        {s.reasons.map((r) => (
          <li key={r.factor} data-factor={r.factor}>
            <strong>{num(r.points, 1)}</strong> {r.text}{' '}
            {r.messageIds.slice(0, 3).map((m) => (
              <a key={m} className="ref" href={href.message(m)}>
                #{m}
              </a>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SeriesDetail({
  id,
  scheme,
  canReview,
  canReveal,
  onReviewed,
}: {
  id: number;
  scheme: CategorySchemeView;
  canReview: boolean;
  canReveal: boolean;
  onReviewed: () => void;
}) {
  const { data, loading, error, reload } = useApi<TriageSeriesDetail>(caseApi(`/triage/series/${id}`));
  const [category, setCategory] = useState('');
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  if (!data) return <Status loading={loading} error={error} />;

  async function review() {
    setFailure(null);
    try {
      const r = await send<TriageSeriesReviewResult>('POST', caseApi(`/triage/series/${id}/review`), {
        category,
        ...(note.trim() ? { note: note.trim() } : {}),
        // The items the analyst saw: if the series changed meanwhile the server refuses (409).
        items: data!.items.map((i) => i.id),
      });
      setMessage(S.triage.done(r.items.length, r.category));
      reload();
      onReviewed();
    } catch (e) {
      setFailure((e as Error).message);
    }
  }

  return (
    <Panel title={S.triage.series(data.id, data.size)} id={`series-${id}-h`}>
      <div className="media-grid">
        {data.items.map((m) => (
          <MediaCard
            key={m.id}
            m={{
              id: m.id,
              sha256: m.sha256,
              status: 'novel',
              mime: m.mime,
              posts: m.posts,
              firstAt: m.firstAt,
              review: m.review,
            }}
            canReveal={canReveal}
            canReview={false}
          />
        ))}
      </div>
      {canReview && (
        <div className="row" data-testid="triage-review">
          <label>
            {S.triage.category}
            <select
              value={category}
              onChange={(e) => setCategory(e.target.value)}
              data-testid="triage-category"
            >
              <option value="">{S.triage.choose}</option>
              {scheme.categories.map((c) => (
                <option key={c.category} value={c.category}>
                  {c.code} · {c.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            {S.triage.note}
            <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
          </label>
          <button
            type="button"
            disabled={!category}
            onClick={() => void review()}
            data-testid="triage-submit"
          >
            {S.triage.categorise(data.size)}
          </button>
        </div>
      )}
      {message && <p role="status">{message}</p>}
      {failure && <p className="error">{failure}</p>}
    </Panel>
  );
}

function SchemeChoice({
  view,
  canChange,
  onChanged,
}: {
  view: CategorySchemeView;
  canChange: boolean;
  onChanged: () => void;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <label>
      {S.triage.scheme}{' '}
      <select
        value={view.scheme}
        disabled={!canChange}
        data-testid="triage-scheme"
        onChange={async (e) => {
          setFailure(null);
          try {
            await send('PUT', caseApi('/categories/scheme'), { scheme: e.target.value });
            onChanged();
          } catch (err) {
            setFailure((err as Error).message);
          }
        }}
      >
        {view.schemes.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      {failure && <span className="error"> {failure}</span>}
    </label>
  );
}
