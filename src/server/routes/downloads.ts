import type { FastifyInstance } from 'fastify';
import { sendBytes, type ServerContext } from '../context.js';
import {
  EXPORT_FORMATS,
  exportDownload,
  referralDownload,
  reportDownload,
  type ExportFormat,
} from '../services/downloads.js';

const lead = { permission: 'export' as const };
/** What a download's audit entry records of the file. */
const bytes = (d: { bytes: Buffer }) => ({ bytes: d.bytes.length });
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
      const d = await ctx.viewed(
        req,
        'export.download',
        { format: req.params.format },
        () => exportDownload(ctx.store, req.params.format),
        bytes,
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
      const d = await ctx.viewed(
        req,
        'referral.download',
        { country },
        () => referralDownload(ctx.store, ctx.caseDir, country),
        bytes,
      );
      return sendBytes(reply, d.bytes, d.type, d.filename);
    },
  );

  app.get('/api/report', { config: lead, schema: { querystring: noQuery } }, async (req, reply) => {
    const d = await ctx.viewed(req, 'report.download', {}, () => reportDownload(ctx.store), bytes);
    return sendBytes(reply, d.bytes, d.type, d.filename);
  });
}
