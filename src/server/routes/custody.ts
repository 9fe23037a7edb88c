import type { FastifyInstance } from 'fastify';
import { MergeConflict, ReviewStore } from '../../store/review-store.js';
import { ID_PARAMS, PAGING, type ServerContext } from '../context.js';
import { listAudit, listEvidence, verifyEvidence } from '../services/custody.js';
import { HttpError, iso, page } from '../services/paging.js';

type Id = { Params: { id: number } };
type Paged = { Querystring: { offset: number; limit: number } };
const pagedQuery = { type: 'object', additionalProperties: false, properties: { ...PAGING } } as const;

export function custodyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<Paged>(
    '/api/evidence',
    { config: { permission: 'evidence.read' }, schema: { querystring: pagedQuery } },
    async (req) => listEvidence(ctx.store, req.query.offset, req.query.limit),
  );

  app.post<Id>(
    '/api/evidence/:id/verify',
    { config: { permission: 'evidence.verify' }, schema: { params: ID_PARAMS } },
    async (req) => {
      const r = await verifyEvidence(ctx.store, req.params.id, req.user!.name);
      await ctx.audit(
        req,
        'evidence.verify',
        { evidence: req.params.id },
        { ok: r.ok, actual: r.actual, error: r.error },
      );
      return r;
    },
  );

  app.get<{ Querystring: { offset: number; limit: number; action?: string; actor?: string } }>(
    '/api/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...PAGING,
            action: { type: 'string', minLength: 1, maxLength: 100 },
            actor: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
      },
    },
    async (req) => listAudit(ctx.store, req.query),
  );

  const mergeOut = (m: Awaited<ReturnType<ReviewStore['merges']>>[number]) => ({
    ...m,
    at: iso(m.at),
    undoneAt: iso(m.undoneAt),
  });

  app.get<Paged>(
    '/api/merges',
    { config: { permission: 'case.read' }, schema: { querystring: pagedQuery } },
    async (req) =>
      page((await new ReviewStore(ctx.store).merges()).map(mergeOut), req.query.offset, req.query.limit),
  );

  app.post<{ Body: { from: number; into: number; reason: string } }>(
    '/api/merges',
    {
      config: { permission: 'identity.merge' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'into', 'reason'],
          properties: {
            from: { type: 'integer', minimum: 1 },
            into: { type: 'integer', minimum: 1 },
            reason: { type: 'string', minLength: 3, maxLength: 500 },
          },
        },
      },
    },
    async (req, reply) => {
      const { from, into, reason } = req.body;
      try {
        const m = await new ReviewStore(ctx.store).merge(from, into, req.user!.name, reason, Date.now());
        ctx.views.invalidate();
        await ctx.audit(req, 'identity.merge', { from, into, reason }, { ok: true, merge: m.id });
        return reply.code(201).send(mergeOut(m));
      } catch (err) {
        if (err instanceof MergeConflict) throw new HttpError(err.notFound ? 404 : 409, err.message);
        throw err;
      }
    },
  );

  app.delete<Id>(
    '/api/merges/:id',
    { config: { permission: 'identity.merge' }, schema: { params: ID_PARAMS } },
    async (req) => {
      try {
        const m = await new ReviewStore(ctx.store).unmerge(req.params.id, req.user!.name, Date.now());
        if (!m) throw new HttpError(404, `no merge ${req.params.id}`);
        ctx.views.invalidate();
        await ctx.audit(req, 'identity.unmerge', { merge: m.id, from: m.from, into: m.into }, { ok: true });
        return mergeOut(m);
      } catch (err) {
        if (err instanceof MergeConflict) throw new HttpError(409, err.message);
        throw err;
      }
    },
  );
}
