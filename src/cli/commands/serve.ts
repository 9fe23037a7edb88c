import type { Command } from 'commander';
import { buildServer, parseAllowedHost } from '../../server/app.js';
import { UserError } from '../../util/errors.js';
import { parsePositiveInt } from '../context.js';

/** Starts the web server on a case and resolves when the process is asked to stop (SIGINT/SIGTERM). */
export async function serveCase(
  caseDir: string,
  o: {
    port?: number;
    host?: string;
    store?: string;
    /** Host names (or host:port) browsers use besides the listening address, e.g. behind a TLS proxy. */
    allowedHosts?: string[];
    onListening?: (url: string) => void;
  },
): Promise<void> {
  const app = await buildServer({ caseDir, store: o.store, allowedHosts: o.allowedHosts });
  const url = await app
    .listen({ port: o.port ?? 8080, host: o.host ?? '127.0.0.1' })
    .catch(async (err: Error) => {
      await app.close();
      throw new UserError(`cannot listen on ${o.host ?? '127.0.0.1'}:${o.port ?? 8080}: ${err.message}`);
    });
  (o.onListening ?? ((u: string) => console.log(`filet: serving ${caseDir} at ${u} (Ctrl-C to stop)`)))(url);
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
    .description('serve the investigator web application and its API for one case')
    .argument('<case>', 'the case folder')
    .option('--port <n>', 'TCP port', '8080')
    .option('--host <host>', 'address to listen on (keep 127.0.0.1 unless behind a TLS proxy)', '127.0.0.1')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option(
      '--allowed-host <host>',
      "a Host name (or host:port) to answer for besides the listening address, e.g. the TLS proxy's public " +
        'name; repeat for several. Requests for any other Host get 421',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addHelpText(
      'after',
      '\nExample:\n  filet user add ./op-x ana --role lead && filet serve ./op-x --port 8080\n' +
        '  filet serve ./op-x --host 0.0.0.0 --allowed-host filet.lab.example  (behind a TLS proxy)',
    )
    .action(async (dir: string, o: { port: string; host: string; store?: string; allowedHost: string[] }) => {
      const port = parsePositiveInt(o.port, '--port');
      if (port > 65535) throw new UserError(`--port must be at most 65535, got ${port}`);
      const allowedHosts = o.allowedHost.map((h) => {
        try {
          return parseAllowedHost(h);
        } catch (err) {
          throw new UserError(`--allowed-host: ${(err as Error).message}`);
        }
      });
      await serveCase(dir, { port, host: o.host, store: o.store, allowedHosts });
    });
}
