import type { FastifyInstance } from 'fastify';
import {
  acceptSuggestion,
  acceptSummary,
  AUTOMATIC,
  currentSuggestions,
  rejectSuggestion,
  rejectSummary,
  SuggestionRefused,
  suggestionsView,
} from '../../app/identity-suggestions.js';
import { MergeConflict, ReviewStore } from '../../store/review-store.js';
import { ID_PARAMS, PAGING, type ServerContext } from '../context.js';
import { CASE_PREFIX, canInCase } from '../policy.js';
import { checkEvidenceItem, listAudit, listEvidence, recordEvidenceCheck } from '../services/custody.js';
import { HttpError, iso, isoAt, page } from '../services/paging.js';
import type { Merge } from '../../api/contract.js';

type Id = { Params: { id: number } };
type Paged = { Querystring: { offset: number; limit: number } };
const pagedQuery = { type: 'object', additionalProperties: false, properties: { ...PAGING } } as const;

/** A merge refused by the store, as the HTTP answer (inside the transaction, so it is rolled back and audited). */
const refusal = (err: unknown) =>
  err instanceof MergeConflict || err instanceof SuggestionRefused
    ? new HttpError(err.notFound ? 404 : 409, err.message)
    : err;

/** The body of an accept or a reject: two account ids (either order) and, optionally, the analyst's words. */
const PAIR_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'into'],
  properties: {
    from: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    into: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;
type Pair = { Body: { from: number; into: number; reason?: string } };

export function custodyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Paths and reader notes are case content: only for roles that may read the case (finding 9).
  app.get<Paged>(
    CASE_PREFIX + '/evidence',
    { config: { permission: 'evidence.read' }, schema: { querystring: pagedQuery } },
    async (req) =>
      listEvidence(
        ctx.store(req),
        req.query.offset,
        req.query.limit,
        canInCase(ctx.roleOf(req), 'case.read'),
      ),
  );

  app.post<Id>(
    CASE_PREFIX + '/evidence/:id/verify',
    { config: { permission: 'evidence.verify' }, schema: { params: ID_PARAMS } },
    async (req) => {
      const { id } = req.params;
      const check = await checkEvidenceItem(ctx.store(req), id);
      return ctx.audited(
        req,
        'evidence.verify',
        { evidence: id },
        async (s) => {
          if (!check) throw new HttpError(404, `no evidence item ${id}`);
          return recordEvidenceCheck(s, check, req.user!.name);
        },
        (r) => ({ ok: r.ok, status: r.status, actual: r.actual, error: r.error }),
      );
    },
  );

  app.get<{ Querystring: { offset: number; limit: number; action?: string; actor?: string } }>(
    CASE_PREFIX + '/audit',
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
    async (req) => listAudit(ctx.store(req), req.query),
  );

  const mergeOut = (m: Awaited<ReturnType<ReviewStore['merges']>>[number]): Merge => ({
    ...m,
    at: isoAt(m.at),
    undoneAt: iso(m.undoneAt),
  });

  // `automatic=true`: the merges identity resolution made that stand (for the analyst to review or undo).
  app.get<{ Querystring: { offset: number; limit: number; automatic?: boolean } }>(
    CASE_PREFIX + '/merges',
    {
      config: { permission: 'case.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...PAGING, automatic: { type: 'boolean' } },
        },
      },
    },
    async (req) => {
      const all = await new ReviewStore(ctx.store(req)).merges();
      const shown = req.query.automatic ? all.filter((m) => m.by === AUTOMATIC && m.undoneAt === null) : all;
      return page(shown.map(mergeOut), req.query.offset, req.query.limit);
    },
  );

  // What the evidence says about saved names and numbers (docs/identity.md): unambiguous pairs, suggestions
  // and contradictions, each with its reasons (the two fact ids, chat and minute), for an analyst to check.
  app.get<{ Querystring: { minSupport?: number } }>(
    CASE_PREFIX + '/identity/suggestions',
    {
      config: { permission: 'case.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { minSupport: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
      },
    },
    async (req) => {
      const minSupport = req.query.minSupport ?? 2;
      return ctx.viewed(
        req,
        'view.identity-suggestions',
        { minSupport },
        async () => {
          return suggestionsView(await currentSuggestions(ctx.store(req), minSupport), minSupport);
        },
        (r) => ({
          unambiguous: r.unambiguous.length,
          suggestions: r.suggestions.length,
          contradictions: r.contradictions.length,
        }),
      );
    },
  );

  // An analyst's decision on a suggestion (src/app/identity-suggestions.ts, shared with the CLI): accept is
  // a merge carrying the suggestion's reasons; reject keeps the pair apart from then on. Both audited.
  app.post<Pair>(
    CASE_PREFIX + '/identity/suggestions/accept',
    { config: { permission: 'identity.merge' }, schema: { body: PAIR_BODY } },
    async (req, reply) => {
      const { from, into, reason } = req.body;
      const r = await ctx.audited(
        req,
        'identity.accept',
        { from, into, reason: reason ?? null },
        (s) =>
          acceptSuggestion(s, { a: from, b: into, by: req.user!.name, reason, at: Date.now() }).catch(
            (err: unknown) => {
              throw refusal(err);
            },
          ),
        acceptSummary,
      );
      ctx.views(req).invalidate();
      return reply.code(201).send({ ...mergeOut(r.merge), support: r.support, pair: r.pair });
    },
  );

  app.post<Pair>(
    CASE_PREFIX + '/identity/suggestions/reject',
    { config: { permission: 'identity.merge' }, schema: { body: PAIR_BODY } },
    async (req, reply) => {
      const { from, into, reason } = req.body;
      const r = await ctx.audited(
        req,
        'identity.reject',
        { from, into, reason: reason ?? null },
        (s) =>
          rejectSuggestion(s, { a: from, b: into, by: req.user!.name, reason, at: Date.now() }).catch(
            (err: unknown) => {
              throw refusal(err);
            },
          ),
        rejectSummary,
      );
      return reply.code(201).send({ ...r, at: iso(r.at), undoneAt: iso(r.undoneAt) });
    },
  );

  app.post<{ Body: { from: number; into: number; reason: string } }>(
    CASE_PREFIX + '/merges',
    {
      config: { permission: 'identity.merge' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'into', 'reason'],
          properties: {
            from: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            into: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            reason: { type: 'string', minLength: 3, maxLength: 500 },
          },
        },
      },
    },
    async (req, reply) => {
      const { from, into, reason } = req.body;
      const m = await ctx.audited(
        req,
        'identity.merge',
        { from, into, reason },
        (s) =>
          new ReviewStore(s).merge(from, into, req.user!.name, reason, Date.now()).catch((err: unknown) => {
            throw refusal(err);
          }),
        (r) => ({ merge: r.id }),
      );
      ctx.views(req).invalidate();
      return reply.code(201).send(mergeOut(m));
    },
  );

  app.delete<Id>(
    CASE_PREFIX + '/merges/:id',
    { config: { permission: 'identity.merge' }, schema: { params: ID_PARAMS } },
    async (req) => {
      const { id } = req.params;
      const m = await ctx.audited(
        req,
        'identity.unmerge',
        { merge: id },
        async (s) => {
          const undone = await new ReviewStore(s)
            .unmerge(id, req.user!.name, Date.now())
            .catch((err: unknown) => {
              throw refusal(err);
            });
          if (!undone) throw new HttpError(404, `no merge ${id}`);
          return undone;
        },
        (r) => ({ from: r.from, into: r.into }),
      );
      ctx.views(req).invalidate();
      return mergeOut(m);
    },
  );
}
