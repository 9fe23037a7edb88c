import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

/** A logged-in user of a server under test: the session cookie and the CSRF token its writes carry. */
export interface TestSession {
  cookie: string;
  csrf: string;
}

/** Logs `username` in (the login must succeed) and gives their session. */
export async function loginTo(
  app: FastifyInstance,
  username: string,
  password: string,
): Promise<TestSession> {
  const r = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  expect(r.statusCode, r.body).toBe(200);
  return {
    cookie: String(r.headers['set-cookie']).split(';')[0]!,
    csrf: r.json<{ csrfToken: string }>().csrfToken,
  };
}
