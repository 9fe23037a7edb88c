import { useState } from 'react';
import { caseApi, send, uploadFile } from '../api';
import { DataTable, Status } from '../components/common';
import { Jobs } from '../components/Jobs';
import { bytes } from '../format';
import { useApi } from '../hooks';
import { S } from '../strings';
import type { IntakePreview as Preview, IntakeResult as Ingested, ShareListing as Listing } from '../types';

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

/**
 * A lead adds evidence: picks items on the evidence share (the server lists only what is inside it), looks
 * inside them first (devices, owners, what is needed to read them), gives a key or a password where needed,
 * and confirms; or uploads a small chat export. Keys and passwords go to the server with the request only.
 */
export function Intake() {
  const [dir, setDir] = useState('');
  const listing = useApi<Listing>(caseApi('/intake/share'), { path: dir });
  const [chosen, setChosen] = useState<string[]>([]);
  const [uploads, setUploads] = useState<{ sha256: string; name: string }[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [key, setKey] = useState('');
  const [password, setPassword] = useState('');
  const [examiner, setExaminer] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [jobsShown, setJobsShown] = useState(0);

  const secrets = () => ({ ...(key ? { key } : {}), ...(password ? { backupPassword: password } : {}) });
  const source = () => (uploads.length ? { uploads: uploads.map((u) => u.sha256) } : { paths: chosen });
  async function run<T>(label: string, fn: () => Promise<T>): Promise<T | null> {
    setBusy(label);
    setFailure(null);
    setMessage(null);
    try {
      return await fn();
    } catch (e) {
      setFailure((e as Error).message);
      return null;
    } finally {
      setBusy(null);
    }
  }
  const toggle = (p: string) => {
    setUploads([]);
    setPreview(null);
    setChosen((c) => (c.includes(p) ? c.filter((x) => x !== p) : [...c, p]));
  };
  const look = () =>
    run(S.intake.previewing, async () =>
      setPreview(
        await send<Preview>('POST', caseApi('/intake/preview'), { ...source(), secrets: secrets() }),
      ),
    );
  const ingest = () =>
    run(S.intake.ingesting, async () => {
      const r = await send<Ingested>('POST', caseApi('/intake/ingest'), {
        ...source(),
        secrets: secrets(),
        ...(examiner ? { description: { examiner } } : {}),
      });
      if ('jobs' in r) {
        setMessage(S.intake.queued(r.jobs.length));
        setJobsShown((n) => n + 1);
      } else setMessage(S.intake.done(r.outcomes.filter((o) => o.status === 'ingested').length));
      setChosen([]);
      setUploads([]);
      setPreview(null);
      setKey('');
      setPassword('');
    });
  const upload = (file: File) =>
    run(S.intake.previewing, async () => {
      const u = await uploadFile<{ sha256: string; name: string }>(
        caseApi(`/intake/upload?name=${encodeURIComponent(file.name)}`),
        file,
      );
      setChosen([]);
      setUploads([{ sha256: u.sha256, name: file.name }]);
      setMessage(S.intake.uploaded(file.name));
      setPreview(await send<Preview>('POST', caseApi('/intake/preview'), { uploads: [u.sha256] }));
    });

  const needs = preview?.secretsNeeded ?? [];
  return (
    <>
      <h2>{S.intake.title}</h2>
      <Status loading={listing.loading || busy !== null} error={listing.error ?? failure} />
      {busy && <p role="status">{busy}</p>}
      {message && <p role="status">{message}</p>}
      <Jobs key={jobsShown} />
      <section aria-label={S.intake.share}>
        <h3>
          {S.intake.share}: <span className="mono">/{dir}</span>
        </h3>
        {dir && (
          <button className="secondary" onClick={() => setDir(dir.split('/').slice(0, -1).join('/'))}>
            {S.intake.up}
          </button>
        )}
        {listing.data && (
          <DataTable headers={[S.admin.name, S.cols.size, '']}>
            {listing.data.entries.map((e) => {
              const p = join(dir, e.name);
              return (
                <tr key={e.name}>
                  <td className="mono">
                    {e.kind === 'dir' ? (
                      <a href="#" onClick={(ev) => (ev.preventDefault(), setDir(p))}>
                        {e.name}/
                      </a>
                    ) : (
                      e.name
                    )}
                  </td>
                  <td>{e.kind === 'refused' ? S.intake.refused : e.size !== null ? bytes(e.size) : ''}</td>
                  <td>
                    {e.kind !== 'refused' && (
                      <label>
                        <input type="checkbox" checked={chosen.includes(p)} onChange={() => toggle(p)} />{' '}
                        {S.intake.choose} <span className="visually-hidden">{e.name}</span>
                      </label>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </section>
      <p>
        <label>
          {S.intake.upload}{' '}
          <input
            type="file"
            accept=".zip,.txt"
            onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])}
          />
        </label>
      </p>
      <section aria-label={S.intake.chosen}>
        <h3>{S.intake.chosen}</h3>
        {chosen.length + uploads.length === 0 ? (
          <p>{S.intake.none}</p>
        ) : (
          <ul className="mono">
            {chosen.map((c) => (
              <li key={c}>{c}</li>
            ))}
            {uploads.map((u) => (
              <li key={u.sha256}>{u.name}</li>
            ))}
          </ul>
        )}
        <button disabled={!chosen.length || busy !== null} onClick={() => void look()}>
          {S.intake.preview}
        </button>
      </section>
      {preview && (
        <section aria-label={S.intake.found}>
          <h3>{S.intake.found}</h3>
          <DataTable headers={[S.intake.device, S.intake.owner, S.intake.artifacts]}>
            {preview.devices.flatMap((d) =>
              d.instances.map((i, n) => (
                <tr key={`${d.label}:${n}`}>
                  <td>{d.label}</td>
                  <td>{i.owner?.number ?? S.intake.unknownOwner}</td>
                  <td>{i.artifacts.map((a) => a.kind).join(', ')}</td>
                </tr>
              )),
            )}
            {preview.evidenceFiles.map((f) => (
              <tr key={f.path}>
                <td className="mono">{f.path.split('/').pop()}</td>
                <td>{S.none}</td>
                <td>{f.problem ?? f.kind}</td>
              </tr>
            ))}
          </DataTable>
          {needs.length > 0 && (
            <>
              <h4>{S.intake.needs}</h4>
              <ul>
                {needs.map((n) => (
                  <li key={n.path + n.secret}>
                    <span className="mono">{n.path.split('/').pop()}</span>: {n.accepts}
                    {n.satisfied ? ` (${S.yes})` : ''}
                  </li>
                ))}
              </ul>
              {needs.some((n) => n.secret === 'android-key') && (
                <label>
                  {S.intake.key}{' '}
                  <input
                    value={key}
                    onChange={(e) => setKey(e.target.value.trim())}
                    autoComplete="off"
                    spellCheck={false}
                    pattern="[0-9a-fA-F]{64}"
                  />
                </label>
              )}
              {needs.some((n) => n.secret === 'backup-password') && (
                <label>
                  {S.intake.password}{' '}
                  <input
                    type="password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                    autoComplete="off"
                  />
                </label>
              )}
              <p className="muted">{S.intake.secretsNote}</p>
            </>
          )}
          <label>
            {S.intake.examiner} <input value={examiner} onChange={(e) => setExaminer(e.target.value)} />
          </label>{' '}
          <button disabled={busy !== null} onClick={() => void ingest()}>
            {S.intake.confirm}
          </button>
        </section>
      )}
    </>
  );
}
