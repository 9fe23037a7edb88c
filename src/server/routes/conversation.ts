import type { FastifyInstance } from 'fastify';
import { ID_PARAMS, type ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { chatOfMessage, conversation, type ConversationQuery } from '../services/conversation.js';

const WINDOW = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 80 },
    before: { type: 'string', maxLength: 40 },
    after: { type: 'string', maxLength: 40 },
    end: { type: 'string', enum: ['first', 'last'] },
  },
} as const;

type Window = { Params: { id: number }; Querystring: ConversationQuery };

/** What the audit entry of a conversation window records besides the query: how much was shown. */
const shown = (p: { items: unknown[]; focus: number | null }) => ({ returned: p.items.length });

/**
 * The conversation reader: a chat a window at a time, opened at an end, a cursor or one message. Reading
 * case content, so each window is a `view.conversation` entry in the case's audit log.
 */
export function conversationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<Window>(
    CASE_PREFIX + '/chats/:id/conversation',
    { config: { permission: 'case.read' }, schema: { params: ID_PARAMS, querystring: WINDOW } },
    async (req) => {
      const { before, after, end, limit } = req.query;
      return ctx.viewed(
        req,
        'view.conversation',
        { chat: req.params.id, before, after, end, limit },
        async () => conversation(ctx.store(req), await ctx.views(req).get(), req.params.id, req.query),
        shown,
      );
    },
  );

  app.get<Window>(
    CASE_PREFIX + '/messages/:id/conversation',
    { config: { permission: 'case.read' }, schema: { params: ID_PARAMS, querystring: WINDOW } },
    async (req) =>
      ctx.viewed(
        req,
        'view.conversation',
        { message: req.params.id, limit: req.query.limit },
        async () => {
          const store = ctx.store(req);
          const chat = await chatOfMessage(store, req.params.id);
          return conversation(store, await ctx.views(req).get(), chat, req.query, req.params.id);
        },
        shown,
      ),
  );
}
