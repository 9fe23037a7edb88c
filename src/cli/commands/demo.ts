import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { runDemo } from '../../demo.js';
import { openCase } from '../../store/case-dir.js';
import { UserStore } from '../../store/user-store.js';
import { parsePositiveInt, printJson, table } from '../context.js';
import { serveCase } from './serve.js';
import { addUser } from './user.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('the demo operation end to end: synth → init → ingest → … → summary (embedded store)')
    .option('--dir <dir>', 'where the demo operation and case go', '.filet-demo')
    .option('--seed <n>', 'seed of the synthetic operation', '7')
    .option('--scale <scale>', 'small | medium | large', 'small')
    .option('--json', 'machine-readable summary')
    .option('--no-serve', 'do not start the web server at the end (tests, CI)')
    .option('--port <n>', 'port of the web server started at the end', '8080')
    .addHelpText('after', '\nExample:\n  filet demo --dir /tmp/demo')
    .action(
      async (o: {
        dir: string;
        seed: string;
        scale: string;
        json?: boolean;
        serve: boolean;
        port: string;
      }) => {
        // Under CI (CI=true) the main job must end: the summary is the result, no server is left running.
        const serve = o.serve && process.env.CI !== 'true';
        const s = await runDemo({
          dir: o.dir,
          seed: Number(o.seed),
          scale: o.scale as 'small',
          quiet: !!o.json,
        });
        if (o.json) {
          printJson(s);
          if (serve) await serveDemo(s.caseDir, parsePositiveInt(o.port, '--port'));
          return;
        }
        console.log('\nfilet demo — SYNTHETIC operation (generated data, no real people or material)\n');
        console.log(table(s.rows));
        if (s.perGroup.length) {
          console.log('\nper group:');
          for (const g of s.perGroup) console.log(`  ${g}`);
        }
        if (s.top.length) {
          console.log('\ntop suspects (score, identity, country, roles):');
          for (const t of s.top) console.log(`  ${t}`);
        }
        console.log(`\ncase: ${s.caseDir}\nstore: ${s.store}\noperation: ${s.operationDir}`);
        for (const line of s.next) console.log(line);
        if (serve) await serveDemo(s.caseDir, parsePositiveInt(o.port, '--port'));
        else if (o.serve) console.log(`\nCI=true: the web server is not started (filet serve ${s.caseDir})`);
      },
    );
}

/**
 * Starts the web server on the demo case with a fresh lead account. The password is random, printed once
 * (to stderr, so `--json` output stays machine-readable) and stored only as its scrypt hash.
 */
async function serveDemo(caseDir: string, port: number): Promise<void> {
  const password = randomBytes(12).toString('base64url');
  const { store } = await openCase(caseDir);
  try {
    if (!(await new UserStore(store).getUser('demo-lead')))
      await addUser(store, 'demo-lead', 'lead', password);
  } finally {
    await store.close();
  }
  await serveCase(caseDir, {
    port,
    onListening: (url) =>
      console.error(
        `\nweb application: ${url}\n  user: demo-lead\n  password: ${password}  (shown once; Ctrl-C stops the server)`,
      ),
  });
}
