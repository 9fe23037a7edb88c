import type { FastifyInstance } from 'fastify';
import type { PriorityChanged, PriorityState } from '../../api/contract.js';
import {
  applyPriorityChange,
  priorityAction,
  priorityArgs,
  prioritySummary,
  priorityView,
  type PriorityChange,
  type PriorityView,
} from '../../app/priority.js';
import { FACTORS } from '../../network/score.js';
import { UserError } from '../../util/errors.js';
import type { ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { HttpError, iso } from '../services/paging.js';

const WEIGHT = { type: 'number', minimum: 0, maximum: 1 } as const;

/** Either `{ weights: { factor: number, … } }` (the named ones change) or `{ reset: true }`. */
const PUT_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    weights: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(FACTORS.map((f) => [f, WEIGHT])),
    },
    reset: { type: 'boolean', enum: [true] },
  },
} as const;
type Put = { Body: { weights?: Record<string, number>; reset?: true } };

const out = (v: PriorityView): PriorityState => ({
  ...v,
  at: iso(v.at),
  analysis: v.analysis && { ...v.analysis, at: iso(v.analysis.at) },
});

/**
 * The priority weights (src/app/priority.ts, shared with `filet priority`): anyone who reads the case sees
 * the weights in force; only a lead changes them. A change recomputes the stored analysis in its
 * transaction (as long as `filet analyze` takes), then the shared view of the case is rebuilt.
 */
export function priorityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(CASE_PREFIX + '/priority', { config: { permission: 'case.read' } }, async (req) =>
    out(await priorityView(ctx.store(req))),
  );

  app.put<Put>(
    CASE_PREFIX + '/priority',
    { config: { permission: 'priority.manage' }, schema: { body: PUT_BODY } },
    async (req): Promise<PriorityChanged> => {
      const change: PriorityChange = req.body.reset ? { reset: true } : { set: req.body.weights ?? {} };
      const r = await ctx.audited(
        req,
        priorityAction(change),
        priorityArgs(change),
        (s) =>
          applyPriorityChange(s, change, { by: req.user!.name, at: Date.now() }).catch((err: unknown) => {
            // A refused change (sum, range) is the client's: 400, rolled back and audited as refused.
            throw err instanceof UserError ? new HttpError(400, err.message) : err;
          }),
        prioritySummary,
      );
      ctx.views(req).invalidate();
      return { ...out(r.after), previous: r.before.weights, analysisRun: r.analysisRun };
    },
  );
}
