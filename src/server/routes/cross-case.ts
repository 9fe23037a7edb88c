import type { FastifyInstance } from 'fastify';
import { linksFor, type CrossCaseLinks, type CrossCaseSubject } from '../../app/cross-case.js';
import type { Workspace } from '../../store/workspace.js';
import { ID_PARAMS, userName, type ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';

/**
 * "Also in another case" for an account or a media item of a workspace's case (docs/cross-case.md): a link
 * to each other case the user is a member of, and for the others only who leads them. The answer is a read
 * of this case, audited in its log like any other view.
 */
export function crossCaseRoutes(app: FastifyInstance, ctx: ServerContext, ws: Workspace): void {
  const summary = (r: CrossCaseLinks) => ({ links: r.links.length, notices: r.notices.length });
  const elsewhere = (kind: 'account' | 'media') =>
    app.get<{ Params: { id: number } }>(
      `${CASE_PREFIX}/${kind === 'account' ? 'accounts' : 'media'}/:id/elsewhere`,
      { config: { permission: 'case.read' }, schema: { params: ID_PARAMS } },
      async (req) => {
        const subject: CrossCaseSubject =
          kind === 'account' ? { account: req.params.id } : { media: req.params.id };
        return ctx.viewed(
          req,
          `view.${kind}.elsewhere`,
          subject,
          () => linksFor(ws, ctx.caseOf(req).id, userName(req), subject),
          summary,
        );
      },
    );
  elsewhere('account');
  elsewhere('media');
}
