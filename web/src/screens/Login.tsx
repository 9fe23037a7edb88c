import { useState, type FormEvent } from 'react';
import { login } from '../api';
import { S } from '../strings';
import type { Session } from '../types';

export function Login({ onLogin }: { onLogin: (s: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onLogin(await login(String(form.get('username')), String(form.get('password'))));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login panel">
      <h1>{S.app}</h1>
      <h2>{S.login.title}</h2>
      <form onSubmit={submit}>
        <label htmlFor="username">{S.login.username}</label>
        <input id="username" name="username" autoComplete="username" required autoFocus />
        <label htmlFor="password">{S.login.password}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        <button type="submit" disabled={busy}>
          {busy ? S.login.busy : S.login.submit}
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
