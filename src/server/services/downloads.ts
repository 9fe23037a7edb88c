import yazl from 'yazl';
import { buildCaseView } from '../../report/case-view.js';
import { i2Tables } from '../../report/csv-export.js';
import { buildCaseExport } from '../../report/export-json.js';
import { toGexf, toGraphML } from '../../report/graph-export.js';
import type { CaseStore } from '../../store/case-store.js';
import { HttpError } from './paging.js';

/**
 * Downloads built by the report module (src/report). The server only packages them; a generator that is not in
 * this build answers 501 rather than something home-made.
 */
export const EXPORT_FORMATS = ['json', 'graphml', 'gexf', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface Download {
  bytes: Buffer;
  type: string;
  filename: string;
}

function zip(files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files)) z.addBuffer(Buffer.from(text, 'utf8'), name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((res, rej) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => res(Buffer.concat(chunks)));
    z.outputStream.on('error', rej);
  });
}

export async function exportDownload(store: CaseStore, format: ExportFormat): Promise<Download> {
  const base = `case-${store.caseId.slice(0, 8)}`;
  if (format === 'json') {
    const doc = await buildCaseExport(store);
    return {
      bytes: Buffer.from(JSON.stringify(doc, null, 2)),
      type: 'application/json',
      filename: `${base}.json`,
    };
  }
  const view = await buildCaseView(store);
  if (format === 'graphml')
    return {
      bytes: Buffer.from(toGraphML(view)),
      type: 'application/graphml+xml',
      filename: `${base}.graphml`,
    };
  if (format === 'gexf')
    return { bytes: Buffer.from(toGexf(view)), type: 'application/gexf+xml', filename: `${base}.gexf` };
  return { bytes: await zip(i2Tables(view)), type: 'application/zip', filename: `${base}-i2-csv.zip` };
}

export function notAvailable(what: string): never {
  throw new HttpError(501, `${what} is not available in this build (no generator in src/report)`);
}
