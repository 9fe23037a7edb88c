import { basename, resolve } from 'node:path';
import { sha256File } from '../hashing/digests.js';
import type { CaseStore } from '../store/case-store.js';
import { HashListStore, type HashListInfo } from '../store/hash-list-store.js';
import { UserError } from '../util/errors.js';
import { detectFormat, formatByName } from './lists/index.js';
import { isInvalid, type CategoryScheme, type HashListEntry, type InvalidRecord } from './lists/types.js';

export interface ImportListOptions {
  name?: string;
  format?: string;
  categoryScheme?: CategoryScheme;
  skipInvalid?: boolean;
}

export interface ImportListResult {
  list: HashListInfo;
  invalid: InvalidRecord[];
  invalidCount: number;
}

export function describeInvalid(file: string, bad: InvalidRecord[], total: number): string {
  const shown = bad
    .slice(0, 10)
    .map((b) => `record ${b.recordNo}${b.line !== undefined ? ` (line ${b.line})` : ''}: ${b.problem}`)
    .join('; ');
  return `${file}: ${total} invalid record(s) — ${shown}${total > 10 ? '; …' : ''}`;
}

/**
 * Imports one hash list into the case. The list is read twice, streaming: once to validate every record
 * (an invalid list changes nothing unless `skipInvalid`), once to write it, replacing a list of the
 * same name atomically.
 */
export async function importHashList(
  store: CaseStore,
  file: string,
  opts: ImportListOptions = {},
): Promise<ImportListResult> {
  const path = resolve(file);
  const src = await sha256File(path).catch(() => {
    throw new UserError('no such file or not readable', { file: path });
  });
  const format = opts.format ? formatByName(opts.format) : await detectFormat(path);
  const readOpts = { categoryScheme: opts.categoryScheme ?? 'vics-us' };
  const invalid: InvalidRecord[] = [];
  let invalidCount = 0;
  for await (const r of format.read(path, readOpts)) {
    if (isInvalid(r) && invalidCount++ < 50) invalid.push(r);
  }
  if (invalidCount && !opts.skipInvalid) {
    throw new UserError(
      `${describeInvalid(path, invalid, invalidCount)}; nothing imported (use --skip-invalid to import the valid records)`,
    );
  }
  async function* valid(): AsyncGenerator<HashListEntry> {
    for await (const r of format.read(path, readOpts)) if (!isInvalid(r)) yield r;
  }
  const list = await new HashListStore(store).replaceList(
    {
      name: opts.name ?? basename(path),
      format: format.name,
      sourcePath: path,
      sourceSha256: src.sha256,
      categoryScheme: readOpts.categoryScheme,
    },
    valid(),
  );
  return { list, invalid, invalidCount };
}
