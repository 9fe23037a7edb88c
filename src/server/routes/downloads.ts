import { CASE_PREFIX } from '../policy.js';
import type { FastifyInstance } from 'fastify';
import { CASE_ID_PARAM, sendBytes, type ServerContext } from '../context.js';
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
    CASE_PREFIX + '/exports/:format',
    {
      config: lead,
      schema: {
        querystring: noQuery,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['format'],
          properties: { ...CASE_ID_PARAM, format: { type: 'string', enum: [...EXPORT_FORMATS] } },
        },
      },
    },
    async (req, reply) => {
      const d = await ctx.viewed(
        req,
        'export.download',
        { format: req.params.format },
        () => exportDownload(ctx.store(req), req.params.format),
        bytes,
      );
      return sendBytes(reply, d.bytes, d.type, d.filename);
    },
  );

  app.get<{ Params: { country: string } }>(
    CASE_PREFIX + '/referrals/:country',
    {
      config: lead,
      schema: {
        querystring: noQuery,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['country'],
          properties: { ...CASE_ID_PARAM, country: { type: 'string', pattern: '^([A-Z]{2}|unresolved)$' } },
        },
      },
    },
    async (req, reply) => {
      const { country } = req.params;
      const d = await ctx.viewed(
        req,
        'referral.download',
        { country },
        () => referralDownload(ctx.store(req), ctx.caseDir(req), country),
        bytes,
      );
      return sendBytes(reply, d.bytes, d.type, d.filename);
    },
  );

  app.get(CASE_PREFIX + '/report', { config: lead, schema: { querystring: noQuery } }, async (req, reply) => {
    const d = await ctx.viewed(req, 'report.download', {}, () => reportDownload(ctx.store(req)), bytes);
    return sendBytes(reply, d.bytes, d.type, d.filename);
  });
}
