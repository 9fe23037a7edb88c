import { caseApi } from '../api';
import { useState } from 'react';
import { MediaCard } from '../components/MediaCard';
import { Pager, Status } from '../components/common';
import { useApi } from '../hooks';
import { useCan } from '../session';
import { S } from '../strings';
import type { MediaItem, Page } from '../types';

const LIMIT = 24;

export function Media({
  account,
  group,
  id,
}: {
  account: string | null;
  group: string | null;
  id?: string | null;
}) {
  // A link to one item (from another case) shows it whatever its status.
  const [status, setStatus] = useState(id ? '' : 'novel');
  const [review, setReview] = useState('');
  const [offset, setOffset] = useState(0);
  const can = useCan();
  const { data, loading, error, reload } = useApi<Page<MediaItem>>(caseApi('/media'), {
    offset,
    limit: LIMIT,
    status: status || undefined,
    review: review || undefined,
    account: account ?? undefined,
    group: group ?? undefined,
    id: id ?? undefined,
  });
  return (
    <>
      <h2>{S.media.title}</h2>
      <p className="muted">{S.media.intro}</p>
      <div className="row">
        <label>
          {S.media.status}
          <select value={status} onChange={(e) => (setStatus(e.target.value), setOffset(0))}>
            <option value="">{S.media.filterAll}</option>
            <option value="novel">{S.media.novel}</option>
            <option value="known">{S.media.known}</option>
            <option value="unmatched">{S.media.unmatched}</option>
          </select>
        </label>
        <label>
          {S.media.review}
          <select value={review} onChange={(e) => (setReview(e.target.value), setOffset(0))}>
            <option value="">{S.media.filterAll}</option>
            <option value="none">{S.media.filterNone}</option>
            <option value="confirmed">{S.media.reviewConfirmed}</option>
            <option value="not-relevant">{S.media.reviewNotRelevant}</option>
          </select>
        </label>
      </div>
      <Status loading={loading} error={error} />
      {data && (
        <>
          <div className="media-grid">
            {data.items.map((m) => (
              <MediaCard
                key={m.id}
                m={m}
                canReveal={can('media.reveal')}
                canReview={can('media.review')}
                onChanged={review ? reload : undefined}
              />
            ))}
          </div>
          <Pager total={data.total} offset={offset} limit={LIMIT} onOffset={setOffset} />
        </>
      )}
    </>
  );
}
