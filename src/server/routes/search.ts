import type { FastifyInstance } from 'fastify';
import type { SearchResult } from '../../api/contract.js';
import { MAX_QUERY_LENGTH } from '../../search/query.js';
import { searchCase, SEARCH_LIMIT_MAX, type SearchRequest } from '../../app/search.js';
import { UserError } from '../../util/errors.js';
import { MAX_OFFSET, type ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { HttpError } from '../services/paging.js';

const DATE = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?)?$',
} as const;

type Query = Omit<SearchRequest, 'q'> & { q?: string };

export function searchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Every search is a read of case content: audited as `search` with the query and filters (who looked
  // for what, when, and how many hits they got), like the views of accounts and groups.
  app.get<{ Querystring: Query }>(
    CASE_PREFIX + '/search',
    {
      config: { permission: 'case.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: MAX_QUERY_LENGTH },
            group: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            sender: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            country: { type: 'string', pattern: '^([A-Z]{2}|unresolved)$' },
            from: DATE,
            to: DATE,
            hasMedia: { type: 'boolean' },
            offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: SEARCH_LIMIT_MAX, default: 50 },
          },
        },
      },
    },
    async (req): Promise<SearchResult> => {
      const { q, offset = 0, limit = 50, ...filters } = req.query;
      // No query yet (an empty search box): nothing was asked, nothing of the case is read or logged.
      if (q === undefined || !q.trim())
        return { query: q ?? '', total: 0, offset, limit, items: [], accounts: [], groups: [] };
      return ctx.viewed(
        req,
        'search',
        { q, filters, offset, limit },
        async () => {
          try {
            return await searchCase(ctx.store(req), { q, offset, limit, ...filters });
          } catch (err) {
            if (err instanceof UserError) throw new HttpError(400, err.message);
            throw err;
          }
        },
        (r) => ({ total: r.total, returned: r.items.length }),
      );
    },
  );
}
