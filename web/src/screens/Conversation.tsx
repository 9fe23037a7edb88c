import { Fragment, useEffect, useRef, useState } from 'react';
import { caseApi, getJson } from '../api';
import { Annotations } from '../components/Annotations';
import { RoleTags, Status } from '../components/common';
import { MediaCard } from '../components/MediaCard';
import { country, when } from '../format';
import { href } from '../router';
import { useCan } from '../session';
import { S } from '../strings';
import type { ConversationEntry, ConversationPage, ConversationPerson } from '../types';

/** Items asked for per window, and the most kept on the page (the far end is dropped beyond it). */
const WINDOW = 80;
const KEPT = 400;

interface Loaded {
  chat: ConversationPage['chat'];
  people: Record<string, ConversationPerson>;
  items: ConversationEntry[];
  before: string | null;
  after: string | null;
}

// Day separators in the user's language, on the same clock as every time the app shows (UTC).
const dayFormat = () =>
  new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'full', timeZone: 'UTC' });

/**
 * A chat read as a chat: day separators, each sender with their identity and country, system events inline,
 * forwards marked, media as placeholders under the wellness rules (known material: its category and hashes,
 * never pixels; novel media: the blurred thumbnail, revealed only on purpose and audited). Windowed: a
 * window of the chat at a time, more on request at either end, the far end dropped past KEPT items, so a
 * 100,000-message group costs what a small one does. Opened at a message (`#/c/…/messages/<id>`), that
 * message is centred and marked.
 */
export function Conversation({
  chat,
  message,
  end,
}: {
  chat: number | null;
  message: number | null;
  end?: 'first' | 'last';
}) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const focused = useRef<number | null>(null);
  const [noting, setNoting] = useState<number | null>(null);
  const can = useCan();

  useEffect(() => {
    setData(null);
    setError(null);
    const path = message ? `/messages/${message}/conversation` : `/chats/${chat}/conversation`;
    getJson<ConversationPage>(caseApi(path), { limit: WINDOW, end: message ? undefined : end })
      .then((p) => setData({ ...p }))
      .catch((e: Error) => setError(e.message));
  }, [chat, message, end]);

  useEffect(() => {
    if (!data || !message || focused.current === message) return;
    focused.current = message;
    document.getElementById(`conv-m-${message}`)?.scrollIntoView({ block: 'center' });
  }, [data, message]);

  if (!data) return <Status loading={!error} error={error} />;
  const chatId = data.chat.id;

  async function more(side: 'before' | 'after') {
    const cursor = data![side];
    if (!cursor || busy) return;
    setBusy(true);
    setError(null);
    try {
      const p = await getJson<ConversationPage>(caseApi(`/chats/${chatId}/conversation`), {
        limit: WINDOW,
        [side]: cursor,
      });
      setData((d) => {
        if (!d) return d;
        const people = { ...d.people, ...p.people };
        if (side === 'before') {
          const items = [...p.items, ...d.items];
          const drop = Math.max(0, items.length - KEPT);
          const kept = drop ? items.slice(0, items.length - drop) : items;
          return {
            ...d,
            people,
            items: kept,
            before: p.before,
            after: drop ? kept[kept.length - 1]!.cursor : d.after,
          };
        }
        const items = [...d.items, ...p.items];
        const drop = Math.max(0, items.length - KEPT);
        const kept = items.slice(drop);
        return { ...d, people, items: kept, after: p.after, before: drop ? kept[0]!.cursor : d.before };
      });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const person = (id: number | null) => {
    if (id === null) return <span className="muted">{S.conversation.unknownSender}</span>;
    const p = data.people[String(id)];
    if (!p) return <span className="muted">#{id}</span>;
    return (
      <span className="conv-person">
        <a href={href.account(p.id)}>{p.label}</a> <span className="muted">{country(p.country)}</span>{' '}
        <RoleTags roles={p.roles} />
      </span>
    );
  };
  const nameOf = (id: number | null) =>
    id === null ? S.conversation.someone : (data.people[String(id)]?.label ?? `#${id}`);

  const days = dayFormat();
  let lastDay = '';
  const title = data.chat.subject ?? (data.chat.kind === 'direct' ? S.conversation.direct : S.group.untitled);
  return (
    <>
      <h2>{S.conversation.title(title)}</h2>
      <p className="muted" data-testid="conv-size">
        {S.conversation.size(data.chat.messages, data.chat.events)}
        {data.chat.kind === 'group' && (
          <>
            {' · '}
            <a href={href.group(chatId)}>{S.nav.groups}</a>
          </>
        )}
      </p>
      {error && <Status loading={false} error={error} />}
      <div className="conv-nav">
        {data.before ? (
          <button
            type="button"
            onClick={() => void more('before')}
            disabled={busy}
            data-testid="conv-earlier"
          >
            {S.conversation.earlier}
          </button>
        ) : (
          <span className="muted">{S.conversation.start}</span>
        )}
        <a className="button" href={href.chat(chatId)}>
          {S.conversation.first}
        </a>
      </div>
      <ol className="conversation" aria-label={title}>
        {data.items.map((e) => {
          const day = days.format(new Date(e.at));
          const sep = day !== lastDay;
          lastDay = day;
          return (
            <Fragment key={e.cursor}>
              {sep && (
                <li className="conv-day" role="separator">
                  {day}
                </li>
              )}
              {e.type === 'event' ? (
                <li className="conv-event" data-event={e.event}>
                  <span className="muted">{when(e.at)}</span>{' '}
                  {S.conversation.event(e.event, nameOf(e.actor), e.targets.map(nameOf).join(', '), e.value)}
                </li>
              ) : (
                <li
                  id={`conv-m-${e.id}`}
                  className={`conv-message${e.id === message ? ' focus' : ''}`}
                  data-message-id={e.id}
                  aria-current={e.id === message ? 'true' : undefined}
                >
                  <div className="conv-head">
                    {person(e.sender)} <span className="muted">{when(e.at)}</span>{' '}
                    <span className="muted">#{e.id}</span>
                    {e.forwarded && (
                      <span className="tag">
                        {(e.forwardScore ?? 0) >= 5 ? S.conversation.forwardedMany : S.conversation.forwarded}
                      </span>
                    )}
                    {e.deletedLater !== null && <span className="tag">{S.conversation.deletedLater}</span>}{' '}
                    <button
                      type="button"
                      className="link"
                      aria-expanded={noting === e.id}
                      onClick={() => setNoting(noting === e.id ? null : e.id)}
                    >
                      {S.notes.title}
                    </button>
                  </div>
                  {noting === e.id && <Annotations kind="message" id={e.id} />}
                  {e.text && <p className="conv-text">{e.text}</p>}
                  {e.media ? (
                    <MediaCard
                      m={{
                        id: e.media.id,
                        sha256: e.media.sha256,
                        status: e.media.status,
                        category: e.media.category,
                        distance: e.media.distance,
                        mime: e.media.mime,
                      }}
                      canReveal={can('media.reveal')}
                      canReview={can('media.review')}
                    />
                  ) : (
                    e.mediaName !== null && (
                      <p className="muted">{S.conversation.mediaMissing(e.mediaName)}</p>
                    )
                  )}
                </li>
              )}
            </Fragment>
          );
        })}
      </ol>
      <div className="conv-nav">
        {data.after ? (
          <button type="button" onClick={() => void more('after')} disabled={busy} data-testid="conv-later">
            {S.conversation.later}
          </button>
        ) : (
          <span className="muted">{S.conversation.end}</span>
        )}
        <a className="button" href={href.chat(chatId, 'last')}>
          {S.conversation.last}
        </a>
      </div>
    </>
  );
}
