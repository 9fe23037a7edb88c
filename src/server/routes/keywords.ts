import type { FastifyInstance } from 'fastify';
import type { KeywordHits, KeywordImported, KeywordList, KeywordLists } from '../../api/contract.js';
import {
  deleteKeywordList,
  hitsSummary,
  importArgs,
  importSummary,
  keywordHits,
  keywordLists,
  keywordUpload,
  MAX_TERMS,
  writeKeywordList,
  type ParsedKeywordList,
} from '../../app/keywords.js';
import { MAX_QUERY_LENGTH } from '../../search/query.js';
import { UserError } from '../../util/errors.js';
import type { ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { HttpError } from '../services/paging.js';

const asHttp = (err: unknown, status = 400): never => {
  throw err instanceof UserError ? new HttpError(status, err.message) : err;
};

const TEXT = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

const POST_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'terms'],
  properties: {
    name: TEXT(100),
    category: { anyOf: [TEXT(64), { type: 'null' }] },
    language: { anyOf: [TEXT(20), { type: 'null' }] },
    terms: { type: 'array', minItems: 1, maxItems: MAX_TERMS, items: TEXT(MAX_QUERY_LENGTH) },
    synthetic: { type: 'boolean' },
  },
} as const;
type Post = {
  Body: {
    name: string;
    category?: string | null;
    language?: string | null;
    terms: string[];
    synthetic?: boolean;
  };
};

/**
 * Keyword lists (src/app/keywords.ts, shared with `filet keywords`; docs/keywords.md). Readers see the lists
 * and their hits (a read of case content: audited as `keywords.hits`); only a lead imports or deletes a list
 * (`keywords.manage`), each change audited with it in one transaction. The stored analysis is not
 * recomputed: its `keywords` factor follows the lists at the next `filet analyze`.
 */
export function keywordRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    CASE_PREFIX + '/keywords',
    { config: { permission: 'case.read' } },
    async (req): Promise<KeywordLists> => ({ lists: await keywordLists(ctx.store(req)) }),
  );

  app.get<{ Querystring: { list?: string } }>(
    CASE_PREFIX + '/keywords/hits',
    {
      config: { permission: 'case.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { list: TEXT(100) },
        },
      },
    },
    async (req): Promise<KeywordHits> =>
      ctx.viewed(
        req,
        'keywords.hits',
        { list: req.query.list ?? null },
        () => keywordHits(ctx.store(req), req.query.list).catch((e: unknown) => asHttp(e, 404)),
        hitsSummary,
      ),
  );

  app.post<Post>(
    CASE_PREFIX + '/keywords',
    { config: { permission: 'keywords.manage' }, schema: { body: POST_BODY } },
    async (req, reply): Promise<KeywordImported> => {
      let parsed: ParsedKeywordList;
      try {
        parsed = keywordUpload(req.body);
      } catch (err) {
        return asHttp(err);
      }
      const r = await ctx.audited(
        req,
        'keywords.import',
        importArgs(parsed),
        (s) => writeKeywordList(s, parsed, { by: req.user!.name, at: Date.now() }),
        importSummary,
      );
      reply.code(201);
      return r;
    },
  );

  app.delete<{ Params: { id: number } }>(
    CASE_PREFIX + '/keywords/:id',
    {
      config: { permission: 'keywords.manage' },
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
    },
    async (req): Promise<{ deleted: KeywordList }> => {
      const deleted = await ctx.audited(
        req,
        'keywords.delete',
        { id: req.params.id },
        (s) => deleteKeywordList(s, req.params.id).catch((e: unknown) => asHttp(e, 404)),
        (l) => ({ name: l.name, terms: l.terms }),
      );
      return { deleted };
    },
  );
}
