import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { IntakePreview, IntakeResult, ShareListing, StoredUploadView } from '../../api/contract.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditPolicy } from '../../app/audited.js';
import {
  ingestEvidence,
  previewEvidence,
  queueIngest,
  storeUpload,
  uploadLimits,
  UPLOADS_DIR,
  type EvidenceDescription,
  type IntakeSecrets,
} from '../../app/intake.js';
import { outcomeSummary, type FollowUp } from '../../app/case-actions.js';
import type { CaseStore } from '../../store/case-store.js';
import type { JobQueue } from '../../jobs/types.js';
import type { EvidenceShare } from '../../evidence/share.js';
import { UserError } from '../../util/errors.js';
import { CASE_ID_PARAM, userName, type ServerContext } from '../context.js';
import { CASE_PREFIX } from '../policy.js';
import { HttpError } from '../services/paging.js';

/**
 * Evidence intake from the web app (docs/intake.md): a lead browses the configured evidence share, previews
 * what the chosen items hold (devices, instances, owners, the secrets they need), and confirms; or uploads
 * a small chat export. The server reads the share only through EvidenceShare (no path outside it, no
 * symbolic link), and keys and backup passwords travel in the request body only: they are handed to the
 * readers in memory and recorded nowhere (the audit entry says only that one was given, from the web form).
 */
const WEB_FORM = 'web form';

const DESCRIPTION = {
  type: 'object',
  additionalProperties: false,
  properties: {
    device: { type: 'string', minLength: 1, maxLength: 100 },
    owner: { type: 'string', pattern: '^\\+[1-9]\\d{6,14}$' },
    ownerName: { type: 'string', maxLength: 200 },
    examiner: { type: 'string', maxLength: 200 },
    acquiredAt: { type: 'string', format: 'date-time' },
    tz: { type: 'string', maxLength: 64 },
    locale: { type: 'string', maxLength: 35 },
  },
} as const;

const SECRETS = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    backupPassword: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

const EVIDENCE_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // Paths on the evidence share (relative to its root)…
    paths: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: { type: 'string', minLength: 1, maxLength: 4096 },
    },
    // …or chat exports uploaded to this case before (by their SHA-256, as the upload answered).
    uploads: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    },
    description: DESCRIPTION,
    secrets: SECRETS,
    match: { type: 'boolean', default: true },
  },
} as const;

interface EvidenceBody {
  paths?: string[];
  uploads?: string[];
  description?: Omit<EvidenceDescription, 'acquiredAt'> & { acquiredAt?: string };
  secrets?: { key?: string; backupPassword?: string };
  match?: boolean;
}

const descriptionOf = (b: EvidenceBody): EvidenceDescription => ({
  ...b.description,
  acquiredAt: b.description?.acquiredAt ? Date.parse(b.description.acquiredAt) : null,
});

/** Secrets from the form: in memory, with where they came from (the only thing the audit records). */
const secretsOf = (b: EvidenceBody): IntakeSecrets => ({
  ...(b.secrets?.key ? { key: b.secrets.key.toLowerCase(), keyFrom: WEB_FORM } : {}),
  ...(b.secrets?.backupPassword
    ? { backupPassword: b.secrets.backupPassword, backupPasswordFrom: WEB_FORM }
    : {}),
});

/** A rule of the evidence layer refused the input: a 400 with its message (never a 500). */
async function asBadInput<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** What a request names: share paths (resolved through the share) or the case's own uploads. */
async function sourcesOf(
  b: EvidenceBody,
  share: () => EvidenceShare,
  caseDir: string,
): Promise<{ paths: string[]; share?: EvidenceShare }> {
  if ((b.paths === undefined) === (b.uploads === undefined))
    throw new HttpError(400, 'give either paths (on the evidence share) or uploads (their SHA-256)');
  if (b.paths) return { paths: b.paths, share: share() };
  const out: string[] = [];
  for (const sha of b.uploads!) {
    const dir = join(caseDir, UPLOADS_DIR, sha);
    const names = await readdir(dir).catch(() => null);
    if (!names || names.length !== 1) throw new HttpError(404, `no upload ${sha} in this case`);
    out.push(join(dir, names[0]!));
  }
  return { paths: out };
}

export function intakeRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  share: EvidenceShare | null,
  opts: {
    /** What keeps a workspace's cross-case index up after an ingest into one of its cases. */
    followUpFor: (store: CaseStore) => FollowUp | undefined;
    /** The job queue: an ingest without secrets is queued (null: it runs in the request). */
    queue: JobQueue | null;
  },
): void {
  const add = { permission: 'evidence.add' } as const;
  const needShare = (): EvidenceShare => {
    if (!share)
      throw new HttpError(
        404,
        'no evidence share is configured on this server (filet serve --evidence-root)',
      );
    return share;
  };
  // The routes' own audit policy: besides refusals, any input the evidence layer refused is recorded.
  const policy = (req: FastifyRequest): AuditPolicy => ({
    actor: userName(req),
    failure: (err) =>
      err instanceof HttpError
        ? { ok: false, status: err.statusCode, error: err.message }
        : err instanceof UserError
          ? { ok: false, status: 400, error: err.message }
          : null,
  });

  app.get<{ Querystring: { path: string; offset: number; limit: number } }>(
    CASE_PREFIX + '/intake/share',
    {
      config: add,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            path: { type: 'string', maxLength: 4096, default: '' },
            offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
      },
    },
    async (req): Promise<ShareListing> => {
      const s = needShare();
      const { path, offset, limit } = req.query;
      return ctx.viewed(
        req,
        'intake.share',
        { path, offset, limit },
        () => asBadInput(() => s.list(path, { offset, limit })),
        (l) => ({ entries: l.entries.length }),
      );
    },
  );

  app.post<{ Body: EvidenceBody }>(
    CASE_PREFIX + '/intake/preview',
    { config: add, schema: { body: EVIDENCE_BODY } },
    async (req): Promise<IntakePreview> => {
      const src = await sourcesOf(req.body, needShare, ctx.caseDir(req));
      return ctx.viewed(
        req,
        'intake.preview',
        {
          ...(req.body.paths ? { paths: req.body.paths } : { uploads: req.body.uploads }),
          secretsGiven: Object.keys(req.body.secrets ?? {}),
        },
        () =>
          asBadInput(() =>
            previewEvidence(src.paths, descriptionOf(req.body), secretsOf(req.body), { share: src.share }),
          ),
        (p) => ({ devices: p.devices.length, files: p.files.length }),
      );
    },
  );

  // Queued as jobs when the server has a queue (202, their ids: GET …/jobs shows them run); in this request
  // otherwise, and always when a key or a password is given: a job's parameters are kept in the case, a
  // secret never is. Either way each item commits with its audit entry.
  app.post<{ Body: EvidenceBody }>(
    CASE_PREFIX + '/intake/ingest',
    { config: add, schema: { body: EVIDENCE_BODY } },
    async (req, reply) => {
      const c = ctx.caseOf(req);
      const src = await sourcesOf(req.body, needShare, c.caseDir);
      const secrets = secretsOf(req.body);
      if (opts.queue && !secrets.key && secrets.backupPassword === undefined) {
        const queue = opts.queue;
        const jobs = await ctx.audited(
          req,
          'intake.queue',
          { ...(req.body.paths ? { paths: req.body.paths } : { uploads: req.body.uploads }) },
          // The jobs and the audit entry in one transaction (`s`): queued and recorded, or neither.
          (s) =>
            asBadInput(() =>
              queueIngest(s, queue, src.paths, descriptionOf(req.body), secrets, {
                share: src.share,
                actor: userName(req),
                match: req.body.match !== false,
              }),
            ),
          (ids) => ({ jobs: ids }),
        );
        const queued: IntakeResult = { jobs };
        return reply.code(202).send(queued);
      }
      const r = await asBadInput(() =>
        ingestEvidence(c.store, c.caseDir, src.paths, descriptionOf(req.body), secrets, {
          share: src.share,
          policy: policy(req),
          match: req.body.match !== false,
          followUp: opts.followUpFor(c.store),
        }),
      );
      c.views.invalidate();
      const done: IntakeResult = {
        devices: r.devices,
        outcomes: [...r.fileOutcomes, ...r.discovered].map(outcomeSummary),
        skipped: r.skipped,
        match: r.match,
      };
      return done;
    },
  );

  // A chat export as the request body (bytes, at most the upload limit), its name in `?name=`.
  app.register(async (scoped) => {
    scoped.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    scoped.post<{ Querystring: { name: string } }>(
      CASE_PREFIX + '/intake/upload',
      {
        config: add,
        bodyLimit: uploadLimits.chatExportBytes,
        schema: {
          params: { type: 'object', additionalProperties: false, properties: { ...CASE_ID_PARAM } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
          },
        },
      },
      async (req, reply) => {
        const c = ctx.caseOf(req);
        const declared = Number(req.headers['content-length']);
        const args = { name: req.query.name, declaredSize: Number.isFinite(declared) ? declared : null };
        // Stored first, then recorded: no transaction is held open while the bytes arrive.
        let stored;
        try {
          // The request stream is handed over as an iterable only: a refusal stops reading it, and the
          // server answers (and closes the connection) instead of the stream being destroyed under it.
          const body = req.body as AsyncIterable<Uint8Array>;
          const bytes = { [Symbol.asyncIterator]: () => body[Symbol.asyncIterator]() };
          stored = await storeUpload(c.caseDir, req.query.name, bytes, {
            declaredSize: Number.isFinite(declared) ? declared : undefined,
          });
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          const status = /larger than the limit/.test(err.message) ? 413 : 400;
          await ctx.audit(req, 'intake.upload', args, { ok: false, status, error: err.message });
          if (status === 413) reply.header('connection', 'close');
          throw new HttpError(status, err.message);
        }
        await ctx.audit(req, 'intake.upload', args, {
          ok: true,
          sha256: stored.sha256,
          size: stored.size,
          existed: stored.existed,
        });
        const view: StoredUploadView = {
          name: req.query.name,
          sha256: stored.sha256,
          size: stored.size,
          existed: stored.existed,
        };
        return reply.code(stored.existed ? 200 : 201).send(view);
      },
    );
  });
}
