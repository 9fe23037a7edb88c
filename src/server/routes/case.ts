import { CASE_PREFIX } from '../policy.js';
import type { FastifyInstance } from 'fastify';
import { ROLES } from '../../network/roles.js';
import { ID_PARAMS, PAGING, type ServerContext } from '../context.js';
import {
  listGroups,
  groupDetail,
  groupMessages,
  networkJson,
  type GroupQuery,
  type NetworkQuery,
} from '../services/groups.js';
import { accountTimeline } from '../services/timeline.js';
import {
  accountDetail,
  accountMessages,
  listAccounts,
  overview,
  type AccountQuery,
} from '../services/suspects.js';

const COUNTRY = { type: 'string', pattern: '^([A-Z]{2}|unresolved)$' } as const;
const ROLE = { type: 'string', enum: [...ROLES] } as const;
const ORDER = { type: 'string', enum: ['asc', 'desc'] } as const;
const DATE = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?)?$',
} as const;

const q = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});
const read = { permission: 'case.read' as const };

type Id = { Params: { id: number } };
/** What the audit entry of a page records besides the query: how much was shown. */
const pageSummary = (p: { total: number; items: unknown[] }) => ({
  total: p.total,
  returned: p.items.length,
});
type Paged = { Querystring: { offset: number; limit: number } };

export function caseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(CASE_PREFIX + '/overview', { config: read, schema: { querystring: q({}) } }, async (req) =>
    overview(await ctx.views(req).get(), (await ctx.store(req).listEvidence()).length),
  );

  app.get<{ Querystring: AccountQuery }>(
    CASE_PREFIX + '/accounts',
    {
      config: read,
      schema: {
        querystring: q({
          ...PAGING,
          country: COUNTRY,
          role: ROLE,
          cluster: { type: 'integer', minimum: 0 },
          q: { type: 'string', minLength: 1, maxLength: 100 },
          sort: { type: 'string', enum: ['score', 'id', 'label', 'groups'] },
          order: ORDER,
          includeMerged: { type: 'boolean' },
        }),
      },
    },
    async (req) => listAccounts(await ctx.views(req).get(), req.query),
  );

  app.get<Id>(
    CASE_PREFIX + '/accounts/:id',
    { config: read, schema: { params: ID_PARAMS, querystring: q({}) } },
    async (req) =>
      ctx.viewed(req, 'view.account', { account: req.params.id }, async () =>
        accountDetail(ctx.store(req), await ctx.views(req).get(), req.params.id),
      ),
  );

  app.get<Id & Paged>(
    CASE_PREFIX + '/accounts/:id/messages',
    { config: read, schema: { params: ID_PARAMS, querystring: q({ ...PAGING }) } },
    async (req) => {
      const { offset, limit } = req.query;
      return ctx.viewed(
        req,
        'view.messages',
        { account: req.params.id, offset, limit },
        async () => accountMessages(ctx.store(req), await ctx.views(req).get(), req.params.id, offset, limit),
        pageSummary,
      );
    },
  );

  app.get<Id>(
    CASE_PREFIX + '/accounts/:id/timeline',
    { config: read, schema: { params: ID_PARAMS, querystring: q({}) } },
    async (req) =>
      ctx.viewed(
        req,
        'view.timeline',
        { account: req.params.id },
        async () => accountTimeline(ctx.store(req), await ctx.views(req).get(), req.params.id),
        (t) => ({ lanes: t.lanes.length }),
      ),
  );

  app.get<{ Querystring: GroupQuery }>(
    CASE_PREFIX + '/groups',
    {
      config: read,
      schema: {
        querystring: q({
          ...PAGING,
          flagged: { type: 'boolean' },
          cluster: { type: 'integer', minimum: 0 },
          q: { type: 'string', minLength: 1, maxLength: 100 },
          sort: { type: 'string', enum: ['id', 'messages', 'members', 'material'] },
          order: ORDER,
        }),
      },
    },
    async (req) => listGroups(await ctx.views(req).get(), req.query),
  );

  app.get<Id>(
    CASE_PREFIX + '/groups/:id',
    { config: read, schema: { params: ID_PARAMS, querystring: q({}) } },
    async (req) =>
      ctx.viewed(req, 'view.group', { group: req.params.id }, async () =>
        groupDetail(await ctx.views(req).get(), req.params.id),
      ),
  );

  app.get<Id & Paged>(
    CASE_PREFIX + '/groups/:id/messages',
    { config: read, schema: { params: ID_PARAMS, querystring: q({ ...PAGING }) } },
    async (req) => {
      const { offset, limit } = req.query;
      return ctx.viewed(
        req,
        'view.messages',
        { group: req.params.id, offset, limit },
        async () => groupMessages(ctx.store(req), await ctx.views(req).get(), req.params.id, offset, limit),
        pageSummary,
      );
    },
  );

  app.get<{ Querystring: NetworkQuery }>(
    CASE_PREFIX + '/network',
    {
      config: read,
      schema: {
        querystring: q({
          country: COUNTRY,
          role: ROLE,
          cluster: { type: 'integer', minimum: 0 },
          flagged: { type: 'boolean' },
          from: DATE,
          to: DATE,
          minScore: { type: 'number' },
        }),
      },
    },
    async (req, reply) => {
      const net = await ctx.viewed(
        req,
        'view.network',
        { ...req.query },
        async () => networkJson(await ctx.views(req).get(), req.query),
        (n) => ({ nodes: n.nodes, edges: n.edges }),
      );
      return reply.type('application/json; charset=utf-8').send(net.json);
    },
  );
}
