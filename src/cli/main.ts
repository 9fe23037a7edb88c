import { Command, CommanderError } from 'commander';
import { UserError } from '../util/errors.js';
import { TOOL_VERSION } from '../version.js';
import * as analyze from './commands/analyze.js';
import * as annotate from './commands/annotate.js';
import * as audit from './commands/audit.js';
import * as demo from './commands/demo.js';
import * as exportCmd from './commands/export.js';
import * as hash from './commands/hash.js';
import * as hashes from './commands/hashes.js';
import * as ingest from './commands/ingest.js';
import * as identity from './commands/identity.js';
import * as init from './commands/init.js';
import * as jobs from './commands/jobs.js';
import * as keywords from './commands/keywords.js';
import * as match from './commands/match.js';
import * as parse from './commands/parse.js';
import * as priority from './commands/priority.js';
import * as referrals from './commands/referrals.js';
import * as report from './commands/report.js';
import * as search from './commands/search.js';
import * as serve from './commands/serve.js';
import * as synth from './commands/synth.js';
import * as triage from './commands/triage.js';
import * as user from './commands/user.js';
import * as verify from './commands/verify.js';
import * as worker from './commands/worker.js';
import * as workspace from './commands/workspace.js';

const COMMANDS: { register(p: Command): void }[] = [
  init,
  workspace,
  ingest,
  parse,
  identity,
  verify,
  audit,
  exportCmd,
  hash,
  hashes,
  match,
  analyze,
  priority,
  annotate,
  referrals,
  report,
  synth,
  demo,
  serve,
  user,
  worker,
  jobs,
  search,
  triage,
  keywords,
];

export function buildProgram(): Command {
  const program = new Command('filet')
    .description('filet: investigation workbench for child-exploitation network cases on messaging apps')
    .version(TOOL_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExample:\n  filet synth --out ./op --seed 1 && filet init ./case && filet ingest ./case ./op/exports/*/*.zip',
  );
  for (const c of COMMANDS) c.register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code. Errors become one clear line on stderr. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; they already printed what they had to.
      return err.exitCode;
    }
    if (err instanceof UserError) {
      console.error(`filet: ${err.message}`);
      return 2;
    }
    const e = err as Error;
    console.error(`filet: ${e?.message ?? String(err)}`);
    if (process.env.FILET_DEBUG) console.error(e?.stack);
    return 1;
  }
}
