/**
 * CSV hash lists (csv-parse, streaming): a header row names the columns, case-insensitively, among
 * md5, sha1, sha256, pdq, category, id, label (also `sha-1`, `sha-256`, `photodna`); other columns are
 * kept in `extra`. Each data row is validated (hex, length, category) and reported with its line number.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { UserError } from '../../util/errors.js';
import { checkHex, head, mapCategory, type HexHashKind } from './common.js';
import type { HashListEntry, HashListFormat, InvalidRecord, ReadListOptions } from './types.js';

const ALIASES: Record<string, string> = {
  md5: 'md5',
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  pdq: 'pdq',
  photodna: 'photoDna',
  category: 'category',
  id: 'id',
  label: 'label',
};
const HEX_COLUMNS: HexHashKind[] = ['md5', 'sha1', 'sha256', 'pdq'];

function headerColumns(cells: string[]): (string | null)[] {
  return cells.map((c) => ALIASES[c.trim().toLowerCase()] ?? null);
}

async function* readCsv(file: string, opts: ReadListOptions): AsyncGenerator<HashListEntry | InvalidRecord> {
  const records = createReadStream(file).pipe(
    parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }),
  );
  let header: string[] | null = null;
  let cols: (string | null)[] = [];
  let recordNo = 0;
  try {
    for await (const { record, info } of records as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (!header) {
        header = record;
        cols = headerColumns(record);
        if (!cols.some((c) => c && (HEX_COLUMNS as string[]).concat('photoDna').includes(c))) {
          throw new UserError(
            `CSV header names no hash column (md5, sha1, sha256, pdq, photodna): ${record.join(',')}`,
            {
              file,
              line,
            },
          );
        }
        continue;
      }
      recordNo++;
      const fields: Record<string, string> = {};
      const extra: Record<string, unknown> = {};
      record.forEach((cell, i) => {
        const c = cols[i];
        if (c) fields[c] = cell;
        else extra[header?.[i] || `column${i + 1}`] = cell;
      });
      const problems: string[] = [];
      const hashes: Record<string, string | null> = {};
      for (const kind of HEX_COLUMNS) {
        const r = checkHex(kind, fields[kind]);
        if ('problem' in r) problems.push(r.problem);
        else hashes[kind] = r.value;
      }
      const cat = mapCategory(fields.category, opts.categoryScheme);
      if ('problem' in cat) problems.push(cat.problem);
      const photoDna = fields.photoDna || null;
      if (!problems.length && !hashes.md5 && !hashes.sha1 && !hashes.sha256 && !hashes.pdq && !photoDna) {
        problems.push('row has no hash');
      }
      if (problems.length || 'problem' in cat) {
        yield { recordNo, line, problem: `line ${line}: ${problems.join('; ')}` };
        continue;
      }
      yield {
        recordNo,
        entryId: fields.id || null,
        md5: hashes.md5 ?? null,
        sha1: hashes.sha1 ?? null,
        sha256: hashes.sha256 ?? null,
        pdq: hashes.pdq ?? null,
        photoDna,
        category: cat.category,
        categoryLabel: cat.label,
        label: fields.label || null,
        extra,
      };
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as Error & { lines?: number };
    throw new UserError(`malformed CSV: ${err.message}`, { file, line: err.lines });
  }
  if (!header) throw new UserError('empty CSV file: no header row', { file });
}

export const csvFormat: HashListFormat = {
  name: 'csv',
  async detect(file) {
    const first = (await head(file, 4096)).split(/\r?\n/, 1)[0] ?? '';
    const cols = headerColumns(first.split(/[,;\t]/).map((c) => c.replace(/^"|"$/g, '')));
    if (cols.some((c) => c && ['md5', 'sha1', 'sha256', 'pdq', 'photoDna'].includes(c))) return 0.9;
    return 0;
  },
  read: readCsv,
};
