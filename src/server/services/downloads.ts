import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import yazl from 'yazl';
import { buildCaseView } from '../../report/case-view.js';
import { i2Tables } from '../../report/csv-export.js';
import { buildCaseExport } from '../../report/export-json.js';
import { toGexf, toGraphML } from '../../report/graph-export.js';
import { renderHtmlReport } from '../../report/html-report.js';
import { writeReferrals } from '../../report/referrals.js';
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

function zip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, body] of Object.entries(files))
    z.addBuffer(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, name);
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

/** The HTML report of src/report (self-contained, strict CSP of its own). */
export async function reportDownload(store: CaseStore): Promise<Download> {
  const html = renderHtmlReport(await buildCaseView(store));
  return {
    bytes: Buffer.from(html),
    type: 'text/html; charset=utf-8',
    filename: `report-${store.caseId.slice(0, 8)}.html`,
  };
}

/**
 * One country's referral package (built by src/report/referrals.ts into a scratch folder of the case, then
 * zipped with its manifest). 404 when the country has no package.
 */
export async function referralDownload(
  store: CaseStore,
  caseDir: string,
  country: string,
): Promise<Download> {
  const tmp = join(caseDir, 'derived', 'tmp', `referrals-${randomUUID()}`);
  try {
    const r = await writeReferrals(store, await buildCaseView(store), tmp);
    const pkg = r.packages.find((p) => p.country === country);
    if (!pkg) throw new HttpError(404, `no referral package for ${country} (no suspects resolved there)`);
    const files: Record<string, Buffer> = {};
    for (const e of await readdir(pkg.dir, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const p = join(e.parentPath, e.name);
      files[`${country}/${relative(pkg.dir, p)}`] = await readFile(p);
    }
    return { bytes: await zip(files), type: 'application/zip', filename: `referral-${country}.zip` };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export function notAvailable(what: string): never {
  throw new HttpError(501, `${what} is not available in this build (no generator in src/report)`);
}
