import { REVIEW_STATUSES, type ReviewStatus } from '../../model/vocabulary.js';
import { CASE_PREFIX } from '../policy.js';
import type { FastifyInstance } from 'fastify';
import { ID_PARAMS, PAGING, sendBytes, type ServerContext } from '../context.js';
import { listMedia, setReview, thumbnail, type MediaQuery } from '../services/media.js';
import { gatedMediaBytes } from '../services/media-gate.js';
import { HttpError } from '../services/paging.js';

type Id = { Params: { id: number } };

export function mediaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: MediaQuery }>(
    CASE_PREFIX + '/media',
    {
      config: { permission: 'case.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...PAGING,
            status: { type: 'string', enum: ['known', 'novel', 'unmatched'] },
            review: { type: 'string', enum: [...REVIEW_STATUSES] },
            group: { type: 'integer', minimum: 1 },
            account: { type: 'integer', minimum: 1 },
            id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          },
        },
      },
    },
    async (req) =>
      ctx.viewed(
        req,
        'view.media',
        { ...req.query },
        async () => listMedia(ctx.store(req), await ctx.views(req).get(), req.query),
        (p) => ({ total: p.total, returned: p.items.length }),
      ),
  );

  app.get<Id>(
    CASE_PREFIX + '/media/:id/thumbnail',
    { config: { permission: 'case.read' }, schema: { params: ID_PARAMS } },
    async (req, reply) => {
      try {
        const bytes = await thumbnail(ctx.store(req), ctx.caseDir(req), req.params.id);
        return sendBytes(reply, bytes, 'image/webp');
      } catch (err) {
        // A refusal by the gate is part of the record (a 404 for a missing file is not a refusal).
        if (err instanceof HttpError && err.statusCode !== 404)
          await ctx.audit(
            req,
            'media.thumbnail.refused',
            { media: req.params.id },
            { ok: false, status: err.statusCode, error: err.message },
          );
        throw err;
      }
    },
  );

  app.post<Id & { Body: { reason?: string } | undefined }>(
    CASE_PREFIX + '/media/:id/reveal',
    {
      config: { permission: 'media.reveal' },
      schema: {
        params: ID_PARAMS,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { reason: { type: 'string', maxLength: 500 } },
        },
      },
    },
    async (req, reply) => {
      const args = { media: req.params.id, reason: req.body?.reason ?? null };
      try {
        // The gate reads the store and the evidence now; the type comes from the bytes, never the evidence.
        const { media, bytes, type } = await gatedMediaBytes(ctx.store(req), ctx.caseDir(req), req.params.id);
        await ctx.audit(
          req,
          'media.reveal',
          { ...args, sha256: media.sha256 },
          { ok: true, bytes: bytes.length, type },
        );
        return sendBytes(reply, bytes, type);
      } catch (err) {
        if (err instanceof HttpError)
          await ctx.audit(req, 'media.reveal', args, {
            ok: false,
            status: err.statusCode,
            error: err.message,
          });
        throw err;
      }
    },
  );

  app.post<Id & { Body: { status: ReviewStatus; note?: string; category?: string } }>(
    CASE_PREFIX + '/media/:id/review',
    {
      config: { permission: 'media.review' },
      schema: {
        params: ID_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status'],
          properties: {
            status: { type: 'string', enum: [...REVIEW_STATUSES] },
            note: { type: 'string', maxLength: 2000 },
            // A novel item's category in the case's scheme, by code or name (docs/triage.md).
            category: { type: 'string', minLength: 1, maxLength: 40 },
          },
        },
      },
    },
    async (req) => {
      const v = await ctx.views(req).get();
      // The review and its audit entry commit together.
      const r = await ctx.audited(
        req,
        'media.review',
        {
          media: req.params.id,
          status: req.body.status,
          ...(req.body.category !== undefined ? { category: req.body.category } : {}),
        },
        (s) =>
          setReview(
            s,
            v,
            req.params.id,
            req.user!.name,
            req.body.status,
            req.body.note ?? null,
            req.body.category ?? null,
          ),
      );
      return { review: r };
    },
  );
}
