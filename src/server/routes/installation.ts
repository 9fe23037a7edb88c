import type { AdminCase, AdminUser, CaseMemberRow } from '../../api/contract.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { removeCaseMember, setCaseMember } from '../../app/installation.js';
import { addUser } from '../../app/users.js';
import { INSTALLATION_ROLES, UserStore, USER_ROLES, type CaseRole } from '../../store/user-store.js';
import type { Workspace } from '../../store/workspace.js';
import { UserError } from '../../util/errors.js';
import { CASE_ID_PARAM, userName, type ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { HttpError, isoAt } from '../services/paging.js';

/**
 * An installation's administration and each case's team (only on a workspace's server). The administrator
 * creates users and cases and names leads, and sees cases only as names and leads, never their content; a
 * case's lead adds and removes its members. Every change, and every refused change, is an entry in the
 * installation's audit log, committed with the change. The rules live in src/app/installation.ts, shared
 * with `filet workspace`.
 */
const USER_NAME = { type: 'string', minLength: 1, maxLength: 100 } as const;
const admin = { permission: 'installation.admin' } as const;

/** A rule of the application layer refused the change: a 409 naming it (and the refusal is audited). */
async function refusing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserError) throw new HttpError(409, err.message);
    throw err;
  }
}

export function installationRoutes(app: FastifyInstance, ctx: ServerContext, ws: Workspace): void {
  const inst = ws.installation;

  app.get('/api/installation/cases', { config: admin }, async () => {
    const cases = await inst.listCases();
    const leads = await inst.leadsOf(cases.map((c) => c.id));
    return {
      items: cases.map((c): AdminCase => ({
        id: c.id,
        name: c.name,
        createdAt: isoAt(c.createdAt),
        createdBy: c.createdBy,
        leads: leads.get(c.id) ?? [],
      })),
    };
  });

  app.post<{ Body: { name: string; lead: string } }>(
    '/api/installation/cases',
    {
      config: admin,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'lead'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, lead: USER_NAME },
        },
      },
    },
    async (req, reply) => {
      const { name, lead } = req.body;
      try {
        // The case's own store comes first, then its registration with the lead and the audit entry, in one
        // transaction of the installation (Workspace.createCase).
        const c = await ws.createCase(name, lead, userName(req));
        return reply.code(201).send({ id: c.id, name: c.name, leads: [lead] });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        await inst.scope.appendAudit(
          userName(req),
          'case.create',
          { name, lead },
          {
            ok: false,
            status: 409,
            error: err.message,
          },
        );
        throw new HttpError(409, err.message);
      }
    },
  );

  app.put<{ Params: { id: string; user: string } }>(
    '/api/installation/cases/:id/leads/:user',
    {
      config: admin,
      schema: {
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'user'],
          properties: { id: { type: 'string', maxLength: 64 }, user: USER_NAME },
        },
      },
    },
    async (req) => {
      const c = await inst.getCase(req.params.id);
      if (!c) throw new HttpError(404, 'no such case');
      const args = { case: c.id, user: req.params.user, role: 'lead' };
      await ctx.installationAudited(req, 'member.set', args, (s) =>
        refusing(() =>
          setCaseMember(s, { caseId: c.id, userName: req.params.user, role: 'lead', by: userName(req) }),
        ),
      );
      return { id: c.id, leads: (await inst.leadsOf([c.id])).get(c.id) ?? [] };
    },
  );

  app.get('/api/installation/users', { config: admin }, async () => ({
    items: (await new UserStore(inst.scope).listUsers()).map((u): AdminUser => ({
      name: u.name,
      admin: u.role === 'admin',
      disabled: u.disabledAt !== null,
      createdAt: isoAt(u.createdAt),
    })),
  }));

  app.post<{ Body: { name: string; password: string; admin?: boolean } }>(
    '/api/installation/users',
    {
      config: admin,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'password'],
          properties: {
            name: USER_NAME,
            password: { type: 'string', minLength: 1, maxLength: 1024 },
            admin: { type: 'boolean', default: false },
          },
        },
      },
    },
    async (req, reply) => {
      const { name, password } = req.body;
      const role = req.body.admin ? 'admin' : 'member';
      // The password goes to the hasher only; the audit entry names the user and the kind of account.
      await ctx.installationAudited(req, 'user.add', { name, role }, (s) =>
        refusing(() => addUser(s, name, role, password, INSTALLATION_ROLES)),
      );
      return reply.code(201).send({ name, admin: role === 'admin' });
    },
  );

  app.post<{ Params: { name: string } }>(
    '/api/installation/users/:name/disable',
    {
      config: admin,
      schema: {
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: USER_NAME },
        },
      },
    },
    async (req) => {
      const { name } = req.params;
      if (name === userName(req))
        throw new HttpError(409, 'an administrator cannot disable their own account');
      await ctx.installationAudited(req, 'user.disable', { name }, async (s) => {
        if (!(await new UserStore(s).disableUser(name, Date.now())))
          throw new HttpError(404, `no user "${name}"`);
      });
      return { name, disabled: true };
    },
  );

  // A case's team, seen by its members and changed by its leads (case routes: the gate resolved the case).
  const memberParams = {
    type: 'object',
    additionalProperties: false,
    required: ['user'],
    properties: { ...CASE_ID_PARAM, user: USER_NAME },
  } as const;
  const members = async (caseId: string) =>
    (await inst.members(caseId)).map((m): CaseMemberRow => ({
      user: m.userName,
      role: m.role,
      addedBy: m.addedBy,
      addedAt: isoAt(m.addedAt),
    }));

  app.get(CASE_PREFIX + '/members', { config: { permission: 'members.read' } }, async (req) => ({
    items: await members(ctx.caseOf(req).id),
  }));

  // The installation's active accounts a lead can add (names only).
  app.get(CASE_PREFIX + '/members/candidates', { config: { permission: 'members.manage' } }, async () => ({
    items: (await new UserStore(inst.scope).listUsers())
      .filter((u) => u.disabledAt === null)
      .map((u) => u.name),
  }));

  app.put<{ Params: { user: string }; Body: { role: CaseRole } }>(
    CASE_PREFIX + '/members/:user',
    {
      config: { permission: 'members.manage' },
      schema: {
        params: memberParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['role'],
          properties: { role: { type: 'string', enum: [...USER_ROLES] } },
        },
      },
    },
    async (req: FastifyRequest<{ Params: { user: string }; Body: { role: CaseRole } }>) => {
      const c = ctx.caseOf(req);
      const args = { case: c.id, user: req.params.user, role: req.body.role };
      await ctx.installationAudited(req, 'member.set', args, (s) =>
        refusing(() =>
          setCaseMember(s, {
            caseId: c.id,
            userName: req.params.user,
            role: req.body.role,
            by: userName(req),
          }),
        ),
      );
      return { items: await members(c.id) };
    },
  );

  app.delete<{ Params: { user: string } }>(
    CASE_PREFIX + '/members/:user',
    { config: { permission: 'members.manage' }, schema: { params: memberParams } },
    async (req) => {
      const c = ctx.caseOf(req);
      await ctx.installationAudited(req, 'member.remove', { case: c.id, user: req.params.user }, (s) =>
        refusing(() => removeCaseMember(s, { caseId: c.id, caseName: c.name, userName: req.params.user })),
      );
      return { items: await members(c.id) };
    },
  );
}
