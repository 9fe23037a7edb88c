import { isIP } from 'node:net';
import type { Command } from 'commander';
import { buildServer, parseAllowedHost, type ServerOptions } from '../../server/app.js';
import { UserError } from '../../util/errors.js';
import { parsePositiveInt } from '../context.js';

const PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `--trust-proxy`: comma-separated addresses or CIDR networks of the proxy (or loopback, linklocal,
 * uniquelocal), or a number n of proxy hops to trust whatever their address (only safe when nothing but the
 * proxy can reach the server, e.g. it listens on 127.0.0.1).
 */
export function parseTrustProxy(value: string): NonNullable<ServerOptions['trustProxy']> {
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops < 1 || hops > 10) throw new UserError(`--trust-proxy: a hop count is 1-10, got ${v}`);
    return (_address: string, hop: number) => hop < hops;
  }
  const parts = v.split(',').map((p) => p.trim());
  for (const p of parts) {
    if (PROXY_PRESETS.has(p)) continue;
    const [addr, bits, extra] = p.split('/');
    const family = isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!family || !okBits || extra !== undefined)
      throw new UserError(
        `--trust-proxy: "${p}" is not an IP address, a CIDR network, loopback, linklocal, uniquelocal or a hop count`,
      );
  }
  return parts;
}

/**
 * Starts the web server on a case (or on every case of a workspace) and resolves when the process is asked
 * to stop (SIGINT/SIGTERM).
 */
export async function serveCase(
  caseDir: string | undefined,
  o: {
    workspace?: string;
    evidenceRoot?: string;
    /** On PostgreSQL, also run queued jobs in this process (embedded, the server always does). */
    worker?: boolean;
    port?: number;
    host?: string;
    store?: string;
    trustProxy?: ServerOptions['trustProxy'];
    /** Host names (or host:port) browsers use besides the listening address, e.g. behind a TLS proxy. */
    allowedHosts?: string[];
    onListening?: (url: string) => void;
  },
): Promise<void> {
  const app = await buildServer({
    ...(o.workspace !== undefined ? { workspace: o.workspace } : { caseDir }),
    evidenceRoot: o.evidenceRoot,
    jobs: { worker: o.worker === true },
    store: o.store,
    trustProxy: o.trustProxy,
    allowedHosts: o.allowedHosts,
  });
  const url = await app
    .listen({ port: o.port ?? 8080, host: o.host ?? '127.0.0.1' })
    .catch(async (err: Error) => {
      await app.close();
      throw new UserError(`cannot listen on ${o.host ?? '127.0.0.1'}:${o.port ?? 8080}: ${err.message}`);
    });
  const what = o.workspace !== undefined ? `the workspace ${o.workspace}` : caseDir;
  (o.onListening ?? ((u: string) => console.log(`filet: serving ${what} at ${u} (Ctrl-C to stop)`)))(url);
  await new Promise<void>((res) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app.close().then(() => res());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the investigator web application and its API, for one case or a whole workspace')
    .argument('[case]', 'the case folder (or give --workspace)')
    .option('--workspace <dir>', 'serve every case of a workspace (filet workspace init; docs/scale.md)')
    .option(
      '--worker',
      'on PostgreSQL, also run queued jobs in this process (embedded, the server always runs them; docs/jobs.md)',
    )
    .option(
      '--evidence-root <dir>',
      'the evidence share leads register evidence from in the web app; nothing outside it is read (docs/intake.md)',
    )
    .option('--port <n>', 'TCP port', '8080')
    .option('--host <host>', 'address to listen on (keep 127.0.0.1 unless behind a TLS proxy)', '127.0.0.1')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option(
      '--trust-proxy <addr|n>',
      'the TLS proxy in front (addresses/CIDRs, comma-separated, or a hop count): only its ' +
        'X-Forwarded-For/-Proto are honoured (client address for login limits and audit, Secure cookies)',
    )
    .option(
      '--allowed-host <host>',
      "a Host name (or host:port) to answer for besides the listening address, e.g. the TLS proxy's public " +
        'name; repeat for several. Requests for any other Host get 421',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addHelpText(
      'after',
      '\nExamples:\n  filet user add ./op-x ana --role lead && filet serve ./op-x --port 8080' +
        '\n  filet serve --workspace ./unit --port 8080   (every case of the installation)' +
        '\n  filet serve ./op-x --host 0.0.0.0 --trust-proxy 127.0.0.1 --allowed-host filet.lab.example' +
        '   (behind a TLS proxy)',
    )
    .action(
      async (
        dir: string | undefined,
        o: {
          port: string;
          host: string;
          store?: string;
          workspace?: string;
          evidenceRoot?: string;
          worker?: boolean;
          trustProxy?: string;
          allowedHost: string[];
        },
      ) => {
        if ((dir === undefined) === (o.workspace === undefined))
          throw new UserError('give either a case folder or --workspace DIR');
        const port = parsePositiveInt(o.port, '--port');
        if (port > 65535) throw new UserError(`--port must be at most 65535, got ${port}`);
        const trustProxy = o.trustProxy === undefined ? undefined : parseTrustProxy(o.trustProxy);
        const allowedHosts = o.allowedHost.map((h) => {
          try {
            return parseAllowedHost(h);
          } catch (err) {
            throw new UserError(`--allowed-host: ${(err as Error).message}`);
          }
        });
        await serveCase(dir, {
          port,
          host: o.host,
          store: o.store,
          workspace: o.workspace,
          evidenceRoot: o.evidenceRoot,
          worker: o.worker,
          trustProxy,
          allowedHosts,
        });
      },
    );
}
