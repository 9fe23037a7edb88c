import type { Command } from 'commander';
import { actor, auditedChange, auditedView, cliPolicy } from '../../app/audited.js';
import { indexCase, linksFor, type CrossCaseSubject } from '../../app/cross-case.js';
import { removeCaseMember, setCaseMember } from '../../app/installation.js';
import { addUser } from '../../app/users.js';
import type { InstalledCase } from '../../store/installation-store.js';
import { INSTALLATION_ROLES, USER_ROLES, UserStore, isCaseRole } from '../../store/user-store.js';
import { Workspace } from '../../store/workspace.js';
import { UserError } from '../../util/errors.js';
import { parsePositiveInt, printJson } from '../context.js';
import { readPassword } from './user.js';

async function withWorkspace<T>(
  dir: string,
  o: { store?: string },
  fn: (ws: Workspace) => Promise<T>,
): Promise<T> {
  const ws = await Workspace.open(dir, o);
  try {
    return await fn(ws);
  } finally {
    await ws.close();
  }
}

/** A case named by its id or its name. */
async function findCase(ws: Workspace, which: string): Promise<InstalledCase> {
  const c = (await ws.installation.getCase(which)) ?? (await ws.installation.caseByName(which));
  if (!c) throw new UserError(`no case "${which}" in this workspace (filet workspace case list DIR)`);
  return c;
}

export function register(program: Command): void {
  const w = program
    .command('workspace')
    .description('an installation with many cases: users, cases, per-case members (docs/scale.md)')
    .addHelpText(
      'after',
      '\nExample:\n  filet workspace init ./unit\n  echo "$PW" | filet workspace user add ./unit ada --admin\n' +
        '  filet workspace case create ./unit "Operation Alder" --lead lena\n' +
        '  filet workspace member add ./unit "Operation Alder" omar --role analyst',
    );
  const store = ['--store <url>', 'PostgreSQL URL when the workspace lives there'] as const;

  w.command('init')
    .description('create a workspace (installation store, cases/ folder)')
    .argument('<dir>', 'a new or empty folder')
    .option(...store)
    .action(async (dir: string, o: { store?: string }) => {
      const ws = await Workspace.init(dir, o);
      console.log(`created workspace ${ws.dir} (${ws.kind}: ${ws.location})`);
      await ws.close();
    });

  const user = w.command('user').description("the installation's users: add, disable, list");
  user
    .command('add')
    .description('add a user (password prompted without echo, or the first line of stdin)')
    .argument('<dir>', 'the workspace folder')
    .argument('<name>', 'user name')
    .option('--admin', 'an installation administrator (creates cases and users; no case content)')
    .option(...store)
    .action(async (dir: string, name: string, o: { admin?: boolean; store?: string }) => {
      const role = o.admin ? 'admin' : 'member';
      const password = await readPassword(`password for ${name}: `);
      await withWorkspace(dir, o, (ws) =>
        auditedChange(ws.installation.scope, cliPolicy(), 'user.add', { name, role }, (s) =>
          addUser(s, name, role, password, INSTALLATION_ROLES),
        ),
      );
      console.log(`added ${role} "${name}"`);
    });
  user
    .command('disable')
    .description('disable a user and end their sessions')
    .argument('<dir>', 'the workspace folder')
    .argument('<name>', 'user name')
    .option(...store)
    .action(async (dir: string, name: string, o: { store?: string }) => {
      await withWorkspace(dir, o, (ws) =>
        auditedChange(ws.installation.scope, cliPolicy(), 'user.disable', { name }, async (s) => {
          if (!(await new UserStore(s).disableUser(name, Date.now())))
            throw new UserError(`no user "${name}" in this workspace`);
        }),
      );
      console.log(`disabled "${name}"`);
    });
  user
    .command('list')
    .description("list the installation's users")
    .argument('<dir>', 'the workspace folder')
    .option(...store)
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const rows = await withWorkspace(dir, o, async (ws) =>
        (await new UserStore(ws.installation.scope).listUsers()).map((u) => ({
          name: u.name,
          admin: u.role === 'admin',
          disabled: u.disabledAt !== null,
          createdAt: new Date(u.createdAt).toISOString(),
        })),
      );
      if (o.json) return printJson(rows);
      for (const r of rows)
        console.log(
          `${r.name.padEnd(20)} ${(r.admin ? 'admin' : 'member').padEnd(7)} ${r.disabled ? 'disabled' : 'active'}`,
        );
    });

  const kase = w.command('case').description("the installation's cases: create, list");
  kase
    .command('create')
    .description('create a case and make a user its lead')
    .argument('<dir>', 'the workspace folder')
    .argument('<name>', 'the case name')
    .requiredOption('--lead <user>', 'the user who leads the case')
    .option(...store)
    .option('--json', 'machine-readable output')
    .action(async (dir: string, name: string, o: { lead: string; store?: string; json?: boolean }) => {
      const c = await withWorkspace(dir, o, (ws) => ws.createCase(name, o.lead, actor()));
      if (o.json) return printJson(c);
      console.log(`created case "${c.name}" (${c.id}) in ${c.folder}, led by ${o.lead}`);
    });
  kase
    .command('list')
    .description('list the cases with their leads')
    .argument('<dir>', 'the workspace folder')
    .option(...store)
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const rows = await withWorkspace(dir, o, async (ws) => {
        const cases = await ws.installation.listCases();
        const leads = await ws.installation.leadsOf(cases.map((c) => c.id));
        return cases.map((c) => ({
          ...c,
          createdAt: new Date(c.createdAt).toISOString(),
          leads: leads.get(c.id) ?? [],
        }));
      });
      if (o.json) return printJson(rows);
      for (const r of rows) console.log(`${r.id}  ${r.name.padEnd(30)} led by ${r.leads.join(', ') || '-'}`);
    });

  registerCrossCase(w, store);

  const member = w.command('member').description("a case's members and their roles: add, remove, list");
  member
    .command('add')
    .description('add a member to a case, or change their role')
    .argument('<dir>', 'the workspace folder')
    .argument('<case>', 'case id or name')
    .argument('<user>', 'user name')
    .requiredOption('--role <role>', USER_ROLES.join(' | '))
    .option(...store)
    .action(async (dir: string, which: string, userName: string, o: { role: string; store?: string }) => {
      const role = o.role;
      if (!isCaseRole(role)) throw new UserError(`unknown role "${role}" (use ${USER_ROLES.join(', ')})`);
      await withWorkspace(dir, o, async (ws) => {
        const c = await findCase(ws, which);
        await auditedChange(
          ws.installation.scope,
          cliPolicy(),
          'member.set',
          { case: c.id, user: userName, role },
          (s) => setCaseMember(s, { caseId: c.id, userName, role, by: actor() }),
        );
        console.log(`${userName} is ${role} of "${c.name}"`);
      });
    });
  member
    .command('remove')
    .description('remove a member from a case')
    .argument('<dir>', 'the workspace folder')
    .argument('<case>', 'case id or name')
    .argument('<user>', 'user name')
    .option(...store)
    .action(async (dir: string, which: string, userName: string, o: { store?: string }) => {
      await withWorkspace(dir, o, async (ws) => {
        const c = await findCase(ws, which);
        await auditedChange(
          ws.installation.scope,
          cliPolicy(),
          'member.remove',
          { case: c.id, user: userName },
          (s) => removeCaseMember(s, { caseId: c.id, caseName: c.name, userName }),
        );
        console.log(`removed ${userName} from "${c.name}"`);
      });
    });
  member
    .command('list')
    .description("list a case's members")
    .argument('<dir>', 'the workspace folder')
    .argument('<case>', 'case id or name')
    .option(...store)
    .option('--json', 'machine-readable output')
    .action(async (dir: string, which: string, o: { store?: string; json?: boolean }) => {
      const rows = await withWorkspace(dir, o, async (ws) =>
        (await ws.installation.members((await findCase(ws, which)).id)).map((m) => ({
          user: m.userName,
          role: m.role,
          addedBy: m.addedBy,
          addedAt: new Date(m.addedAt).toISOString(),
        })),
      );
      if (o.json) return printJson(rows);
      for (const r of rows) console.log(`${r.user.padEnd(20)} ${r.role}`);
    });
}

function registerCrossCase(w: Command, store: readonly [string, string]): void {
  w.command('index')
    .description("add a case's phone numbers, JIDs and media hashes to the cross-case index (idempotent)")
    .argument('<dir>', 'the workspace folder')
    .argument('<case>', 'case id or name')
    .option(...store)
    .option('--json', 'machine-readable output')
    .action(async (dir: string, which: string, o: { store?: string; json?: boolean }) => {
      const r = await withWorkspace(dir, o, async (ws) => indexCase(ws, (await findCase(ws, which)).id));
      if (o.json) return printJson(r);
      console.log(
        `indexed ${r.items.length} evidence item(s) of case ${r.case}: ${r.keys} key(s); ` +
          `PDQ of novel media: ${r.pdq.added} added, ${r.pdq.removed} removed`,
      );
    });

  w.command('links')
    .description('other cases holding the same phone number, JID or picture as an account or media item')
    .argument('<dir>', 'the workspace folder')
    .argument('<case>', 'case id or name')
    .option('--account <id>', 'an account of the case')
    .option('--media <id>', 'a media item of the case')
    .requiredOption('--as <user>', 'whose view: links into their cases, only the leads of the others')
    .option(...store)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  filet workspace links ./unit "Operation Alder" --account 12 --as lena',
    )
    .action(
      async (
        dir: string,
        which: string,
        o: { account?: string; media?: string; as: string; store?: string; json?: boolean },
      ) => {
        if ((o.account === undefined) === (o.media === undefined))
          throw new UserError('give one of --account ID or --media ID');
        const subject: CrossCaseSubject =
          o.account !== undefined
            ? { account: parsePositiveInt(o.account, '--account') }
            : { media: parsePositiveInt(o.media!, '--media') };
        const r = await withWorkspace(dir, o, async (ws) => {
          const c = await findCase(ws, which);
          // Who learnt that a key is held elsewhere is part of the installation's record.
          return auditedView(
            ws.installation.scope,
            cliPolicy(),
            'crosscase.links',
            { case: c.id, ...subject, as: o.as },
            () => linksFor(ws, c.id, o.as, subject),
            (x) => ({ links: x.links.length, notices: x.notices.length }),
          );
        });
        if (o.json) return printJson(r);
        if (!r.links.length && !r.notices.length) console.log('in no other case');
        for (const l of r.links)
          console.log(
            `also in "${l.caseName}" (${l.caseId}): ${'account' in l ? `account ${l.account}` : `media ${l.media}`}` +
              ` (same ${l.via.map((v) => (v.kind === 'pdq' ? `picture, PDQ distance ${v.distance}` : v.kind)).join(', ')})`,
          );
        for (const n of r.notices)
          console.log(
            n.leads.length
              ? `also in a case led by ${n.leads.join(', ')}: ask them`
              : 'also in a case without a lead: ask an administrator',
          );
      },
    );
}
