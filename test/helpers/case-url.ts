/**
 * Case routes live under `/api/cases/<case id>/…`. The API tests name them by their path inside the case
 * (`/overview`, `/media/3/reveal`) and their request helpers put them in the case under test: a path that
 * already starts with `/api/` (the session, the installation, a deliberately wrong URL) is sent as it is.
 */
export function inCase(caseId: string, path: string): string {
  return path.startsWith('/api/') ? path : `/api/cases/${encodeURIComponent(caseId)}${path}`;
}
