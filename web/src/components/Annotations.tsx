import { useContext, useState, type FormEvent } from 'react';
import { caseApi, send } from '../api';
import { when } from '../format';
import { useApi } from '../hooks';
import { CaseContext, SessionContext, useCan } from '../session';
import { S } from '../strings';
import type { Annotation, AnnotationKind, AnnotationTargetKind, Page } from '../types';
import { Panel, Status } from './common';

/**
 * The team's notes, tags and bookmarks on one account, chat, message or media item (docs/annotations.md):
 * everyone who reads the case sees them; leads and analysts add them; their author (or a lead) edits or
 * deletes them; each says whether it goes into the report and the referral packages. Every change is
 * audited by the server.
 */
export function Annotations({ kind, id }: { kind: AnnotationTargetKind; id: number }) {
  const can = useCan();
  const session = useContext(SessionContext);
  const entry = useContext(CaseContext);
  const { data, loading, error, reload } = useApi<Page<Annotation>>(caseApi('/annotations'), {
    target: `${kind}:${id}`,
    limit: 200,
  });
  const [what, setWhat] = useState<AnnotationKind>('note');
  const [text, setText] = useState('');
  const [inReport, setInReport] = useState(true);
  const [failure, setFailure] = useState<string | null>(null);
  const mayChange = (a: Annotation) =>
    can('annotate') && (a.by === session?.user.name || entry?.role === 'lead');

  async function add(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    try {
      await send<Annotation>('POST', caseApi('/annotations'), {
        target: { kind, id },
        kind: what,
        text: text.trim() || null,
        inReport,
      });
      setText('');
      reload();
    } catch (err) {
      setFailure((err as Error).message);
    }
  }
  async function act(method: 'PATCH' | 'DELETE', a: Annotation, body?: object) {
    setFailure(null);
    try {
      await send<Annotation>(method, caseApi(`/annotations/${a.id}`), body);
      reload();
    } catch (err) {
      setFailure((err as Error).message);
    }
  }

  const items = data?.items ?? [];
  const tags = items.filter((a) => a.kind === 'tag');
  const others = items.filter((a) => a.kind !== 'tag');
  return (
    <Panel title={S.notes.title} id={`notes-${kind}-${id}-h`}>
      {!data && <Status loading={loading} error={error} />}
      {tags.length > 0 && (
        <p data-testid="annotation-tags">
          {tags.map((t) => (
            <span key={t.id} className="tag" title={S.notes.by(t.by, when(t.at))}>
              {t.text}
              {mayChange(t) && (
                <button
                  type="button"
                  className="link"
                  aria-label={S.notes.remove(t.text ?? '')}
                  onClick={() => void act('DELETE', t)}
                >
                  ×
                </button>
              )}
            </span>
          ))}
        </p>
      )}
      <ul className="annotations">
        {others.map((a) => (
          <li key={a.id} data-annotation={a.id} data-kind={a.kind}>
            <span className="tag">{S.notes.kinds[a.kind]}</span>{' '}
            {a.text && <span className="note-text">{a.text}</span>}{' '}
            <span className="muted">{S.notes.by(a.by, when(a.editedAt ?? a.at))}</span>{' '}
            {a.inReport ? <span className="tag">{S.notes.inReport}</span> : null}
            {mayChange(a) && (
              <>
                {' '}
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void act('PATCH', a, { inReport: !a.inReport })}
                >
                  {a.inReport ? S.notes.leaveOut : S.notes.include}
                </button>{' '}
                <button type="button" className="secondary" onClick={() => void act('DELETE', a)}>
                  {S.notes.delete}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {data && !items.length && <p className="muted">{S.notes.none}</p>}
      {can('annotate') && (
        <form className="row" onSubmit={add} data-testid="annotation-form">
          <select
            value={what}
            onChange={(e) => {
              const k = e.target.value as AnnotationKind;
              setWhat(k);
              setInReport(k !== 'bookmark');
            }}
            aria-label={S.notes.kind}
          >
            {(['note', 'tag', 'bookmark'] as const).map((k) => (
              <option key={k} value={k}>
                {S.notes.kinds[k]}
              </option>
            ))}
          </select>
          {what === 'note' ? (
            <textarea
              value={text}
              onChange={(e) => setText(e.target.value)}
              maxLength={4000}
              rows={2}
              aria-label={S.notes.text}
            />
          ) : (
            <input
              value={text}
              onChange={(e) => setText(e.target.value)}
              maxLength={what === 'tag' ? 40 : 200}
              aria-label={S.notes.text}
            />
          )}
          <label>
            <input type="checkbox" checked={inReport} onChange={(e) => setInReport(e.target.checked)} />{' '}
            {S.notes.inReportLabel}
          </label>
          <button type="submit" disabled={what !== 'bookmark' && !text.trim()}>
            {S.notes.add}
          </button>
        </form>
      )}
      {failure && <p className="error">{failure}</p>}
    </Panel>
  );
}
