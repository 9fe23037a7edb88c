import type { FastifyInstance } from 'fastify';
import type {
  CategorySchemeView,
  TriageQueue,
  TriageSeriesDetail,
  TriageSeriesReviewResult,
} from '../../api/contract.js';
import {
  reviewSeries,
  schemeView,
  seriesDetail,
  seriesReviewSummary,
  triageQueue,
  TriageRefused,
} from '../../app/triage.js';
import { CATEGORY_SCHEME_NAMES } from '../../model/vocabulary.js';
import { schemeOf, schemeSummary, setScheme } from '../../triage/categories.js';
import { UserError } from '../../util/errors.js';
import { ID_PARAMS, PAGING, type ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { HttpError } from '../services/paging.js';

type Id = { Params: { id: number } };

/** A refusal of the triage layer as the HTTP answer it is. */
function asHttp(err: unknown): unknown {
  if (err instanceof TriageRefused)
    return new HttpError(err.kind === 'not-found' ? 404 : err.kind === 'conflict' ? 409 : 400, err.message);
  if (err instanceof UserError) return new HttpError(400, err.message);
  return err;
}

const rethrow = (err: unknown): never => {
  throw asHttp(err);
};

/**
 * Triage of novel media (src/app/triage.ts, docs/triage.md): the queue of series by urgency, one series,
 * the review of a series as a whole, and the case's category scheme. Ids and facts only: no route here
 * answers with media bytes (the web app shows novel media through the blurred thumbnail route).
 */
export function triageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: { offset?: number; limit?: number; pending?: boolean } }>(
    CASE_PREFIX + '/triage',
    {
      config: { permission: 'case.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...PAGING, pending: { type: 'boolean' } },
        },
      },
    },
    async (req): Promise<TriageQueue> =>
      ctx.viewed(
        req,
        'view.triage',
        { ...req.query },
        async () => triageQueue(ctx.store(req), await ctx.views(req).get(), req.query),
        (q) => ({ total: q.total, returned: q.items.length }),
      ),
  );

  app.get<Id>(
    CASE_PREFIX + '/triage/series/:id',
    { config: { permission: 'case.read' }, schema: { params: ID_PARAMS } },
    async (req): Promise<TriageSeriesDetail> =>
      ctx.viewed(
        req,
        'view.triage.series',
        { series: req.params.id },
        async () => seriesDetail(ctx.store(req), await ctx.views(req).get(), req.params.id).catch(rethrow),
        (s) => ({ items: s.items.length }),
      ),
  );

  app.post<Id & { Body: { category: string; note?: string; items?: number[] } }>(
    CASE_PREFIX + '/triage/series/:id/review',
    {
      config: { permission: 'media.review' },
      schema: {
        params: ID_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['category'],
          properties: {
            category: { type: 'string', minLength: 1, maxLength: 40 },
            note: { type: 'string', maxLength: 2000 },
            items: {
              type: 'array',
              minItems: 1,
              maxItems: 100_000,
              items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            },
          },
        },
      },
    },
    async (req): Promise<TriageSeriesReviewResult> => {
      const v = await ctx.views(req).get();
      // Every item's review and the one audit entry commit together.
      return ctx.audited(
        req,
        'triage.series.review',
        { series: req.params.id, category: req.body.category, note: req.body.note ?? null },
        (s) =>
          reviewSeries(
            s,
            v,
            req.params.id,
            { category: req.body.category, note: req.body.note ?? null, items: req.body.items },
            { by: req.user!.name, at: Date.now() },
          ).catch(rethrow),
        seriesReviewSummary,
      );
    },
  );

  app.get(
    CASE_PREFIX + '/categories/scheme',
    { config: { permission: 'case.read' } },
    async (req): Promise<CategorySchemeView> => schemeView(await schemeOf(ctx.store(req))),
  );

  app.put<{ Body: { scheme: string } }>(
    CASE_PREFIX + '/categories/scheme',
    {
      config: { permission: 'categories.manage' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['scheme'],
          properties: { scheme: { type: 'string', enum: [...CATEGORY_SCHEME_NAMES] } },
        },
      },
    },
    async (req): Promise<CategorySchemeView> => {
      const r = await ctx.audited(
        req,
        'categories.scheme.set',
        { scheme: req.body.scheme },
        (s) => setScheme(s, req.body.scheme, { by: req.user!.name, at: Date.now() }).catch(rethrow),
        schemeSummary,
      );
      return schemeView(r.after);
    },
  );
}
