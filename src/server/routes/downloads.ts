import type { FastifyInstance } from 'fastify';
import { sendBytes, type ServerContext } from '../context.js';
import {
  EXPORT_FORMATS,
  exportDownload,
  referralDownload,
  reportDownload,
  type ExportFormat,
} from '../services/downloads.js';
import { HttpError } from '../services/paging.js';

const lead = { permission: 'export' as const };
const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export function downloadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { format: ExportFormat } }>(
    '/api/exports/:format',
    {
      config: lead,
      schema: {
        querystring: noQuery,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['format'],
          properties: { format: { type: 'string', enum: [...EXPORT_FORMATS] } },
        },
      },
    },
    async (req, reply) => {
      const d = await exportDownload(ctx.store, req.params.format);
      await ctx.audit(
        req,
        'export.download',
        { format: req.params.format },
        { ok: true, bytes: d.bytes.length },
      );
      return sendBytes(reply, d.bytes, d.type, d.filename);
    },
  );

  app.get<{ Params: { country: string } }>(
    '/api/referrals/:country',
    {
      config: lead,
      schema: {
        querystring: noQuery,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['country'],
          properties: { country: { type: 'string', pattern: '^([A-Z]{2}|unresolved)$' } },
        },
      },
    },
    async (req, reply) => {
      const { country } = req.params;
      try {
        const d = await referralDownload(ctx.store, ctx.caseDir, country);
        await ctx.audit(req, 'referral.download', { country }, { ok: true, bytes: d.bytes.length });
        return sendBytes(reply, d.bytes, d.type, d.filename);
      } catch (err) {
        if (err instanceof HttpError)
          await ctx.audit(
            req,
            'referral.download',
            { country },
            { ok: false, status: err.statusCode, error: err.message },
          );
        throw err;
      }
    },
  );

  app.get('/api/report', { config: lead, schema: { querystring: noQuery } }, async (req, reply) => {
    const d = await reportDownload(ctx.store);
    await ctx.audit(req, 'report.download', {}, { ok: true, bytes: d.bytes.length });
    return sendBytes(reply, d.bytes, d.type, d.filename);
  });
}
