import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Annotation, AnnotationTags, Page } from '../../api/contract.js';
import {
  addAnnotation,
  deleteAnnotation,
  editAnnotation,
  listAnnotations,
  tagSummary,
  type Annotator,
  type AuditedRun,
} from '../../app/annotations.js';
import {
  ANNOTATION_KINDS,
  AnnotationError,
  LABEL_MAX,
  NOTE_MAX,
  TARGET_KINDS,
  parseTarget,
  type AnnotationKind,
  type TargetKind,
} from '../../store/annotation-store.js';
import { ID_PARAMS, PAGING, type ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { annotationPage, annotationView, tagsView } from '../services/annotations.js';
import { HttpError } from '../services/paging.js';

const ID = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
// The longest text any kind takes; each kind's own limit is the store's (a clear 400 naming it).
const TEXT = { type: ['string', 'null'], maxLength: Math.max(NOTE_MAX, LABEL_MAX) * 2 } as const;

const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGING,
    target: { type: 'string', pattern: '^(account|chat|group|message|media):[1-9][0-9]{0,15}$' },
    kind: { type: 'string', enum: [...ANNOTATION_KINDS] },
    tag: { type: 'string', minLength: 1, maxLength: 80 },
    inReport: { type: 'boolean' },
  },
} as const;
type List = {
  Querystring: {
    offset: number;
    limit: number;
    target?: string;
    kind?: AnnotationKind;
    tag?: string;
    inReport?: boolean;
  };
};

const POST_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['target', 'kind'],
  properties: {
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'id'],
      properties: { kind: { type: 'string', enum: [...TARGET_KINDS] }, id: ID },
    },
    kind: { type: 'string', enum: [...ANNOTATION_KINDS] },
    text: TEXT,
    inReport: { type: 'boolean' },
  },
} as const;
type Post = {
  Body: {
    target: { kind: TargetKind; id: number };
    kind: AnnotationKind;
    text?: string | null;
    inReport?: boolean;
  };
};

const PATCH_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { text: TEXT, inReport: { type: 'boolean' } },
} as const;
type Patch = { Params: { id: number }; Body: { text?: string | null; inReport?: boolean } };

/** A refusal of the store or the app layer is the client's: its status, rolled back and audited as refused. */
const asHttp = (err: unknown): never => {
  throw err instanceof AnnotationError ? new HttpError(err.status, err.message) : err;
};

/**
 * Notes, tags and bookmarks (src/app/annotations.ts, shared with `filet annotate`). Reading them is
 * `case.read`; writing is `annotate` (lead and analyst). Editing or deleting another's annotation is for
 * a lead only: the app layer decides, inside the change's transaction. Every change is one audit entry
 * committed with it. The suspect file and group page do not embed annotations: the UI asks
 * `GET …/annotations?target=account:12` (the case view they are built from is cached; annotations change
 * far more often than it is rebuilt).
 */
export function annotationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const run =
    (req: FastifyRequest): AuditedRun =>
    (action, args, change, summary) =>
      ctx.audited(req, action, args, (s) => change(s).catch(asHttp), summary);
  const who = (req: FastifyRequest): Annotator => ({
    name: req.user!.name,
    lead: ctx.roleOf(req) === 'lead',
  });

  app.get<List>(
    CASE_PREFIX + '/annotations',
    { config: { permission: 'case.read' }, schema: { querystring: LIST_QUERY } },
    async (req): Promise<Page<Annotation>> => {
      const { offset, limit, target, kind, tag, inReport } = req.query;
      return ctx.viewed(
        req,
        'view.annotations',
        { target, kind, tag, inReport, offset, limit },
        async () => {
          const filter = { target: target ? parseTarget(target) : undefined, kind, tag, inReport };
          const rows = await listAnnotations(ctx.store(req), filter).catch(asHttp);
          return annotationPage(rows, offset, limit);
        },
        (p) => ({ total: p.total, returned: p.items.length }),
      );
    },
  );

  app.get(
    CASE_PREFIX + '/annotations/tags',
    {
      config: { permission: 'case.read' },
      schema: { querystring: { type: 'object', additionalProperties: false } },
    },
    async (req): Promise<AnnotationTags> => tagsView(await tagSummary(ctx.store(req))),
  );

  app.post<Post>(
    CASE_PREFIX + '/annotations',
    { config: { permission: 'annotate' }, schema: { body: POST_BODY } },
    async (req, reply): Promise<Annotation> => {
      const { target, kind, text, inReport } = req.body;
      const a = await addAnnotation(run(req), who(req), { target, kind, text, inReport });
      reply.code(201);
      return annotationView(a);
    },
  );

  app.patch<Patch>(
    CASE_PREFIX + '/annotations/:id',
    { config: { permission: 'annotate' }, schema: { params: ID_PARAMS, body: PATCH_BODY } },
    async (req): Promise<Annotation> =>
      annotationView(await editAnnotation(run(req), who(req), req.params.id, req.body)),
  );

  app.delete<{ Params: { id: number } }>(
    CASE_PREFIX + '/annotations/:id',
    { config: { permission: 'annotate' }, schema: { params: ID_PARAMS } },
    async (req): Promise<Annotation> =>
      annotationView(await deleteAnnotation(run(req), who(req), req.params.id)),
  );
}
