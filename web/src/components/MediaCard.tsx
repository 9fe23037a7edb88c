import { useEffect, useRef, useState } from 'react';
import { caseApi, send, sendForBlob } from '../api';
import { Elsewhere } from './Elsewhere';
import { when } from '../format';
import { href } from '../router';
import { S } from '../strings';
import type { MatchStatus, Review } from '../types';

export interface MediaSummary {
  id: number;
  sha256: string;
  status: MatchStatus;
  /** Absent in lists that do not say (suspect and group files): the server answers 404 then. */
  present?: boolean;
  matches?: { list: string; category: string | null; distance: number; hashType: string }[];
  category?: string | null;
  distance?: number | null;
  posts?: number;
  firstAt?: string | null;
  firstPostedBy?: number | null;
  review?: Review | null;
  mime?: string | null;
}

/**
 * One media item under the wellness rules: known material is never rendered (no <img> exists for it);
 * novel and unmatched media show the server's blurred grayscale thumbnail; the original appears only
 * after a click and a confirmation, for roles allowed to reveal, and is dropped when the card unmounts.
 */
export function MediaCard({
  m,
  canReveal,
  canReview,
  onChanged,
}: {
  m: MediaSummary;
  canReveal: boolean;
  canReview: boolean;
  onChanged?: () => void;
}) {
  const [revealed, setRevealed] = useState<string | null>(null);
  const [thumbFailed, setThumbFailed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [review, setReview] = useState<Review | null>(m.review ?? null);
  const dialog = useRef<HTMLDialogElement>(null);
  const reason = useRef<HTMLInputElement>(null);

  // Leaving the page (or hiding) releases the revealed bytes; nothing of them outlives the card.
  useEffect(
    () => () => {
      if (revealed) URL.revokeObjectURL(revealed);
    },
    [revealed],
  );

  const known = m.status === 'known';
  const matches =
    m.matches ??
    (known ? [{ list: '', category: m.category ?? null, distance: m.distance ?? 0, hashType: '' }] : []);

  async function doReveal() {
    dialog.current?.close();
    setError(null);
    try {
      const blob = await sendForBlob(
        caseApi(`/media/${m.id}/reveal`),
        reason.current?.value ? { reason: reason.current.value } : {},
      );
      setRevealed(URL.createObjectURL(blob));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function doReview(status: Review['status']) {
    setError(null);
    try {
      setReview(await send<Review>('POST', caseApi(`/media/${m.id}/review`), { status }));
      onChanged?.();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const statusLabel = known ? S.media.known : m.status === 'novel' ? S.media.novel : S.media.unmatched;
  return (
    <article
      className="media-card"
      data-media-id={m.id}
      data-status={m.status}
      aria-label={`media ${m.id}, ${statusLabel}`}
    >
      <p>
        <span className={`tag ${m.status}`}>{statusLabel}</span> <span className="muted">#{m.id}</span>
      </p>
      {known ? (
        <div className="known-box" role="note">
          {S.media.notDisplayed}
        </div>
      ) : revealed ? (
        <img src={revealed} alt={S.media.revealedAlt(m.id)} className="revealed" />
      ) : m.present === false ? (
        <div className="known-box">{S.media.noFile}</div>
      ) : thumbFailed ? (
        <div className="known-box">{S.media.noThumb}</div>
      ) : (
        <img
          src={caseApi(`/media/${m.id}/thumbnail`)}
          alt={S.media.thumbAlt(m.id)}
          className="blurred"
          loading="lazy"
          onError={() => setThumbFailed(true)}
        />
      )}
      <dl className="facts">
        <dt>{S.cols.sha256}</dt>
        <dd className="mono">{m.sha256}</dd>
        {matches.map((x, i) => (
          <Match key={i} x={x} />
        ))}
        {m.posts !== undefined && (
          <>
            <dt>{S.cols.posts}</dt>
            <dd>{m.posts}</dd>
          </>
        )}
        {m.firstAt && (
          <>
            <dt>{S.cols.at}</dt>
            <dd>{when(m.firstAt)}</dd>
          </>
        )}
        {m.firstPostedBy && (
          <>
            <dt>{S.media.firstPostedBy}</dt>
            <dd>
              <a href={href.account(m.firstPostedBy)}>#{m.firstPostedBy}</a>
            </dd>
          </>
        )}
        {review && review.status !== 'none' && (
          <>
            <dt>{S.media.review}</dt>
            <dd>{S.media.reviewed(review.status, review.by)}</dd>
          </>
        )}
      </dl>
      <Elsewhere kind="media" id={m.id} lazy />
      <div className="actions">
        {!known && canReveal && m.present !== false && !thumbFailed && !revealed && (
          <button className="secondary" onClick={() => dialog.current?.showModal()}>
            {S.media.reveal}
          </button>
        )}
        {revealed && (
          <button className="secondary" onClick={() => setRevealed(null)}>
            {S.media.hide}
          </button>
        )}
        {canReview && (
          <>
            <button
              className="secondary"
              onClick={() => doReview('confirmed')}
              disabled={review?.status === 'confirmed'}
            >
              {S.media.confirmed}
            </button>
            <button
              className="secondary"
              onClick={() => doReview('not-relevant')}
              disabled={review?.status === 'not-relevant'}
            >
              {S.media.notRelevant}
            </button>
            {review && review.status !== 'none' && (
              <button className="secondary" onClick={() => doReview('none')}>
                {S.media.clearReview}
              </button>
            )}
          </>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!known && canReveal && (
        <dialog ref={dialog} aria-labelledby={`reveal-${m.id}`}>
          <h3 id={`reveal-${m.id}`}>{S.media.confirmTitle}</h3>
          <p>{S.media.confirmText}</p>
          <p className="row">
            <label>
              {S.media.confirmReason}
              <input ref={reason} maxLength={500} />
            </label>
          </p>
          <div className="actions row">
            <button className="danger" onClick={doReveal}>
              {S.media.confirm}
            </button>
            <button className="secondary" autoFocus onClick={() => dialog.current?.close()}>
              {S.cancel}
            </button>
          </div>
        </dialog>
      )}
    </article>
  );
}

function Match({ x }: { x: { list: string; category: string | null; distance: number; hashType: string } }) {
  return (
    <>
      {x.list && (
        <>
          <dt>{S.cols.list}</dt>
          <dd>
            {x.list}
            {x.hashType ? ` (${x.hashType})` : ''}
          </dd>
        </>
      )}
      <dt>{S.cols.category}</dt>
      <dd>{x.category ?? S.none}</dd>
      <dt>{S.cols.distance}</dt>
      <dd>{x.distance}</dd>
    </>
  );
}
