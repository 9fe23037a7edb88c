import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../util/errors.js';

/**
 * The installation's audit key: 32 random bytes, kept OUTSIDE every case folder, that MAC the audit chain
 * (HMAC-SHA-256). Someone who can write a case's store but not read this file cannot re-chain a log they
 * edited. The file holds the bytes as 64 lowercase hex digits and a newline, mode 0600, in a folder created
 * 0700. docs/audit.md says how to back it up.
 */
export interface AuditKey {
  bytes: Buffer;
  /** First 16 hex digits of SHA-256("filet-audit-key-id" ‖ key): names the key without revealing it. */
  id: string;
  path: string;
}

/** `$FILET_AUDIT_KEY_FILE`, else `$XDG_CONFIG_HOME/filet/audit.key`, else `~/.config/filet/audit.key`. */
export function auditKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FILET_AUDIT_KEY_FILE) return resolve(env.FILET_AUDIT_KEY_FILE);
  // The XDG spec says a relative XDG_CONFIG_HOME is to be ignored.
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : null;
  return join(xdg ?? join(homedir(), '.config'), 'filet', 'audit.key');
}

export function auditKeyId(bytes: Buffer): string {
  return createHash('sha256').update('filet-audit-key-id').update(bytes).digest('hex').slice(0, 16);
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (for paths not made yet). */
function realish(p: string): string {
  const parts: string[] = [];
  let cur = resolve(p);
  while (!existsSync(cur)) {
    const up = dirname(cur);
    if (up === cur) break;
    parts.unshift(basename(cur));
    cur = up;
  }
  return join(realpathSync(cur), ...parts);
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function create(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Written beside the target and linked into place: two processes creating the key at once end up with
  // the same key, and a reader never sees a half-written file.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(32).toString('hex') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Loads the key, creating it on first use when `create` (returns null when it is missing and not to be
 * created). Refuses a key file inside `caseDir` (whoever can change the case could then re-key its log),
 * one that group or others can read or write, and one that is not 64 hex digits.
 */
export function loadAuditKey(opts: { caseDir?: string | null; create: boolean }): AuditKey | null {
  const path = auditKeyPath();
  if (opts.caseDir && isInside(realish(path), realish(opts.caseDir)))
    throw new UserError(
      `the audit key file ${path} is inside the case folder ${resolve(opts.caseDir)}: anyone who can change the case could re-key its audit log; keep the key outside it (FILET_AUDIT_KEY_FILE, docs/audit.md)`,
    );
  if (!existsSync(path)) {
    if (!opts.create) return null;
    create(path);
  }
  const st = statSync(path);
  if (!st.isFile()) throw new UserError(`the audit key file ${path} is not a file`);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0)
    throw new UserError(
      `the audit key file ${path} can be read or written by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): make it private with chmod 600 ${path}`,
    );
  const text = readFileSync(path, 'utf8');
  if (!/^[0-9a-f]{64}\n?$/.test(text))
    throw new UserError(
      `the audit key file ${path} is malformed: expected 64 hexadecimal digits (32 bytes); restore it from its backup (docs/audit.md)`,
    );
  const bytes = Buffer.from(text.slice(0, 64), 'hex');
  return { bytes, id: auditKeyId(bytes), path };
}
