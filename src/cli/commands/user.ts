import type { Command } from 'commander';
import { addUser } from '../../app/users.js';
import { USER_ROLES, UserStore, type UserRole } from '../../store/user-store.js';
import { UserError } from '../../util/errors.js';
import { audited, printJson, withCase } from '../context.js';

/** Reads a password: without echo on a terminal, else the first line of stdin. */
export async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((res, rej) => {
    let s = '';
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          return res(s);
        }
        if (ch === '\u0003') {
          done();
          return rej(new UserError('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') s = s.slice(0, -1);
        else s += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

export { addUser } from '../../app/users.js';

export function register(program: Command): void {
  const user = program
    .command('user')
    .description('web users of a case: add, disable, list')
    .addHelpText('after', '\nExample:\n  filet user add ./op-x ana --role analyst');
  user
    .command('add')
    .description(
      'add a user (password prompted without echo, or read from stdin; at least 12 characters, not a ' +
        'common password, no runs like 1234/qwerty/aaaa, not containing the name)',
    )
    .argument('<case>', 'the case folder')
    .argument('<name>', 'user name')
    .requiredOption('--role <role>', USER_ROLES.join(' | '))
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .addHelpText('after', '\nExample:\n  echo "$PASSWORD" | filet user add ./op-x ana --role lead')
    .action(async (dir: string, name: string, o: { role: string; store?: string }) => {
      if (!USER_ROLES.includes(o.role as UserRole))
        throw new UserError(`unknown role "${o.role}" (use ${USER_ROLES.join(', ')})`);
      const password = await readPassword(`password for ${name}: `);
      await withCase(dir, o, ({ store }) =>
        audited(store, 'user.add', { name, role: o.role }, (s) =>
          addUser(s, name, o.role as UserRole, password),
        ),
      );
      console.log(`added ${o.role} "${name}"`);
    });
  user
    .command('disable')
    .description('disable a user and end their sessions')
    .argument('<case>', 'the case folder')
    .argument('<name>', 'user name')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .addHelpText('after', '\nExample:\n  filet user disable ./op-x ana')
    .action(async (dir: string, name: string, o: { store?: string }) => {
      await withCase(dir, o, ({ store }) =>
        audited(store, 'user.disable', { name }, async (s) => {
          if (!(await new UserStore(s).disableUser(name, Date.now())))
            throw new UserError(`no user "${name}" in this case`);
        }),
      );
      console.log(`disabled "${name}"`);
    });
  user
    .command('list')
    .description('list the users of a case')
    .argument('<case>', 'the case folder')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet user list ./op-x --json')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const rows = await withCase(dir, o, async ({ store }) =>
        (await new UserStore(store).listUsers()).map((u) => ({
          name: u.name,
          role: u.role,
          createdAt: new Date(u.createdAt).toISOString(),
          disabled: u.disabledAt !== null,
          lockedUntil:
            u.lockedUntil && u.lockedUntil > Date.now() ? new Date(u.lockedUntil).toISOString() : null,
        })),
      );
      if (o.json) return printJson(rows);
      if (!rows.length) console.log('no users; add one with: filet user add CASE NAME --role lead');
      for (const r of rows)
        console.log(
          `${r.name.padEnd(20)} ${r.role.padEnd(8)} ${r.disabled ? 'disabled' : r.lockedUntil ? `locked until ${r.lockedUntil}` : 'active'}`,
        );
    });
}
