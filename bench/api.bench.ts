import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { addUser } from '../src/cli/commands/user.js';
import { runDemo } from '../src/demo.js';
import { openCase } from '../src/store/case-dir.js';
import { UserStore } from '../src/store/user-store.js';
import { writeResult } from './lib.js';

/**
 * Web API under load: 50 concurrent connections on the suspect list and the network explorer of a medium
 * synthetic case, against a trivial authenticated endpoint (GET /api/session) measured in the same run.
 * The case is built once and cached in the OS temp folder.
 */
const SCALE = (process.env.FILET_BENCH_API_SCALE ?? 'medium') as 'small' | 'medium';
const SECONDS = Number(process.env.FILET_BENCH_API_SECONDS ?? 10);
const CONNECTIONS = 50;
const root = join(tmpdir(), `filet-bench-api-${SCALE}`);
const caseDir = join(root, 'case');

if (!existsSync(join(caseDir, 'case.json'))) {
  console.log(`building the ${SCALE} demo case in ${root} (cached for later runs)…`);
  await runDemo({ dir: root, seed: 11, scale: SCALE, quiet: true });
}
// The name must not be part of the password (src/server/passwords.ts); a new name also suits cached cases.
const user = 'perf-viewer';
const password = 'bench-password-123';
{
  const { store } = await openCase(caseDir);
  if (!(await new UserStore(store).getUser(user))) await addUser(store, user, 'viewer', password);
  await store.close();
}

// The server runs in its own process (as `filet serve` does), so the load generator does not share its thread.
const port = await new Promise<number>((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as AddressInfo).port;
    s.close(() => res(p));
  });
});
const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'helpers', 'cli-entry.ts');
const server = spawn(process.execPath, ['--import', 'tsx', entry, 'serve', caseDir, '--port', String(port)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((res, rej) => {
  server.stdout!.on('data', (d: Buffer) => (d.toString().includes('serving') ? res() : undefined));
  server.on('exit', (code) => rej(new Error(`filet serve exited with ${code}`)));
});
const base = `http://127.0.0.1:${port}`;
const login = await fetch(`${base}/api/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: user, password }),
});
const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
const counts = (await (await fetch(`${base}/api/overview`, { headers: { cookie } })).json()) as {
  counts: Record<string, number>;
};

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function load(path: string) {
  // Warm the shared case view (the first request builds it) outside the measurement.
  const warm = await fetch(`${base}${path}`, { headers: { cookie } });
  const bytes = (await warm.arrayBuffer()).byteLength;
  const times: number[] = [];
  let errors = 0;
  let inst!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((res, rej) => {
    inst = autocannon(
      { url: `${base}${path}`, connections: CONNECTIONS, duration: SECONDS, headers: { cookie } },
      (err, result) => (err ? rej(err) : res(result)),
    );
  });
  inst.on('response', (_c, status, _b, ms) => {
    if (status !== 200) errors++;
    times.push(ms);
  });
  const r = await done;
  times.sort((a, b) => a - b);
  return {
    path,
    responseBytes: bytes,
    requests: r.requests.total,
    reqPerSec: Math.round(r.requests.average),
    p50ms: pct(times, 50),
    p95ms: pct(times, 95),
    p99ms: pct(times, 99),
    non200: errors + r.non2xx,
  };
}

const baseline = await load('/api/session');
const list = await load('/api/accounts?limit=50');
const network = await load('/api/network');
server.kill('SIGTERM');

writeResult({
  name: 'api',
  inputs: {
    scale: SCALE,
    connections: CONNECTIONS,
    secondsPerEndpoint: SECONDS,
    accounts: counts.counts.accounts,
    groups: counts.counts.groups,
    messages: counts.counts.messages,
    store: 'sqlite',
  },
  figures: { suspectList: list, network },
  baseline: { session: baseline },
  ratios: {
    suspectListReqPerSecVsSession: list.reqPerSec / baseline.reqPerSec,
    networkReqPerSecVsSession: network.reqPerSec / baseline.reqPerSec,
    suspectListP99VsSession: list.p99ms / Math.max(1, baseline.p99ms),
    networkP99VsSession: network.p99ms / Math.max(1, baseline.p99ms),
  },
  notes:
    'p50/p95/p99 from per-response times; a viewer session; list and network read the shared in-memory case view',
});
