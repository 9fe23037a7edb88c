/**
 * Backup secrets for `filet ingest`, kept off the process list. `--key HEX` and `--backup-password P` stay
 * (scripts use them) but every user of the machine can read a command line in `ps` while it runs, so there
 * are other routes, in this order of precedence:
 * - the password: `--backup-password`, else `--backup-password-file F` (its first line), else the
 *   environment variable FILET_BACKUP_PASSWORD, else — when stdin is a terminal and an encrypted backup
 *   needs one — a prompt that does not echo what is typed;
 * - the 64-digit crypt15 key: `--key`, else FILET_BACKUP_KEY (`--key-file` is a file already).
 * Only where a secret came from is recorded (the audit entry says "given (…, not recorded)"), never the
 * secret itself.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../util/errors.js';

export const PASSWORD_ENV = 'FILET_BACKUP_PASSWORD';
export const KEY_ENV = 'FILET_BACKUP_KEY';

export interface SecretOptions {
  key?: string;
  backupPassword?: string;
  backupPasswordFile?: string;
}

export interface Secrets {
  backupPassword?: string;
  /** Where the password came from, for the audit log ("command line", "file /x", …). */
  backupPasswordFrom?: string;
  key?: string;
  keyFrom?: string;
}

/** The password file's first line (without its line break); an empty or unreadable file is an error. */
function readPasswordFile(path: string): string {
  const abs = resolve(path);
  let text: string;
  try {
    if (!statSync(abs).isFile()) throw new Error('not a file');
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new UserError(`--backup-password-file cannot be read (${(err as Error).message})`, { file: abs });
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (!first)
    throw new UserError('--backup-password-file: the first line is empty (the password must be on it)', {
      file: abs,
    });
  return first;
}

export function resolveSecrets(o: SecretOptions, env: NodeJS.ProcessEnv = process.env): Secrets {
  const out: Secrets = {};
  if (o.backupPassword !== undefined && o.backupPasswordFile)
    throw new UserError('give either --backup-password or --backup-password-file, not both');
  if (o.backupPassword !== undefined) {
    out.backupPassword = o.backupPassword;
    out.backupPasswordFrom = 'command line';
  } else if (o.backupPasswordFile) {
    out.backupPassword = readPasswordFile(o.backupPasswordFile);
    out.backupPasswordFrom = `file ${resolve(o.backupPasswordFile)}`;
  } else if (env[PASSWORD_ENV]) {
    out.backupPassword = env[PASSWORD_ENV];
    out.backupPasswordFrom = `environment variable ${PASSWORD_ENV}`;
  }
  if (o.key !== undefined) {
    out.key = o.key;
    out.keyFrom = 'command line';
  } else if (env[KEY_ENV]) {
    out.key = env[KEY_ENV];
    out.keyFrom = `environment variable ${KEY_ENV}`;
  }
  return out;
}

/** Asks for a password on the terminal without echoing it. Resolves with what was typed (Ctrl-C aborts). */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((res, rej) => {
    let typed = '';
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) rej(err);
      else res(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new UserError('interrupted: no password given'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Whether a password can be asked for (a terminal on stdin). */
export const canPrompt = () => process.stdin.isTTY === true && typeof process.stdin.setRawMode === 'function';
