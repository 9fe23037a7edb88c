import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { sha256File } from '../../hashing/digests.js';
import { detectFormat, formatByName } from '../../matching/lists/index.js';
import {
  isInvalid,
  type CategoryScheme,
  type HashListEntry,
  type InvalidRecord,
} from '../../matching/lists/types.js';
import { writeVicsHashSet } from '../../matching/lists/vics-write.js';
import { HashListStore } from '../../store/hash-list-store.js';
import { UserError } from '../../util/errors.js';
import { audited, printJson, withCase } from '../context.js';

interface ImportOptions {
  name?: string;
  format?: string;
  categoryScheme: string;
  skipInvalid?: boolean;
  store?: string;
  json?: boolean;
}

function describeInvalid(file: string, bad: InvalidRecord[], total: number): string {
  const shown = bad
    .slice(0, 10)
    .map((b) => `record ${b.recordNo}${b.line !== undefined ? ` (line ${b.line})` : ''}: ${b.problem}`)
    .join('; ');
  return `${file}: ${total} invalid record(s) — ${shown}${total > 10 ? '; …' : ''}`;
}

export function register(program: Command): void {
  const hashes = program.command('hashes').description('known-material hash lists: import, export');
  hashes
    .command('import')
    .description(
      'import a hash list (VICS JSON v1/v2, CSV, PDQ text); a list of the same name is replaced atomically',
    )
    .argument('<case>', 'the case folder')
    .argument('<file>', 'the list file')
    .option('--name <name>', 'list name (default: the file name)')
    .option('--format <format>', 'vics | csv | pdq (default: detected from the content)')
    .option('--category-scheme <scheme>', 'vics-us | legacy', 'vics-us')
    .option('--skip-invalid', 'import the valid records even when some are invalid (they are reported)')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  filet hashes import ./op-x lists/known.vics.json --name project-vic-2016',
    )
    .action(async (dir: string, file: string, o: ImportOptions) => {
      const path = resolve(file);
      if (o.categoryScheme !== 'vics-us' && o.categoryScheme !== 'legacy') {
        throw new UserError(`--category-scheme must be vics-us or legacy, got "${o.categoryScheme}"`);
      }
      const src = await sha256File(path).catch(() => {
        throw new UserError('no such file or not readable', { file: path });
      });
      const format = o.format ? formatByName(o.format) : await detectFormat(path);
      const readOpts = { categoryScheme: o.categoryScheme as CategoryScheme };
      // First pass: validate the whole list, so an invalid list changes nothing unless --skip-invalid.
      const bad: InvalidRecord[] = [];
      let badCount = 0;
      for await (const r of format.read(path, readOpts)) {
        if (isInvalid(r)) {
          badCount++;
          if (bad.length < 50) bad.push(r);
        }
      }
      if (badCount && !o.skipInvalid) {
        throw new UserError(
          `${describeInvalid(path, bad, badCount)}; nothing imported (use --skip-invalid to import the valid records)`,
        );
      }
      async function* valid(): AsyncGenerator<HashListEntry> {
        for await (const r of format.read(path, readOpts)) if (!isInvalid(r)) yield r;
      }
      const name = o.name ?? basename(path);
      const info = await withCase(dir, o, ({ store }) =>
        audited(
          store,
          'hashes.import',
          {
            file: path,
            name,
            format: format.name,
            categoryScheme: o.categoryScheme,
            skipInvalid: !!o.skipInvalid,
          },
          () =>
            new HashListStore(store).replaceList(
              {
                name,
                format: format.name,
                sourcePath: path,
                sourceSha256: src.sha256,
                categoryScheme: o.categoryScheme,
              },
              valid(),
            ),
          (r) => ({ list: r.id, entries: r.entryCount, invalid: badCount, sourceSha256: src.sha256 }),
        ),
      );
      if (o.json) printJson({ ...info, invalid: badCount });
      else {
        console.log(
          `imported list "${info.name}" (${format.name}): ${info.entryCount} entries, source sha256 ${src.sha256}`,
        );
        if (badCount) console.log(describeInvalid(path, bad, badCount) + ' (skipped)');
      }
    });

  hashes
    .command('export')
    .description("export the case's novel media as a VICS v2 #Media hash set (hashes only, category null)")
    .argument('<case>', 'the case folder')
    .requiredOption('--out <file>', 'where to write the hash set')
    .option('--format <format>', 'vics', 'vics')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .addHelpText('after', '\nExample:\n  filet hashes export ./op-x --format vics --out novel.vics.json')
    .action(async (dir: string, o: { out: string; format: string; store?: string }) => {
      if (o.format !== 'vics') throw new UserError(`unknown format "${o.format}" (use vics)`);
      const out = resolve(o.out);
      const n = await withCase(dir, o, async ({ store }) =>
        audited(store, 'hashes.export', { out, format: o.format }, async () => {
          if ((await store.getMeta('matched_at')) === null) {
            throw new UserError(`run "filet match ${dir}" first: novel media are those that matched no list`);
          }
          const matched = new Set((await store.matches()).map((m) => m.mediaId));
          const novel = (await store.media()).filter((m) => !matched.has(m.id) && m.md5 !== null);
          const info = await store.getCase();
          await writeVicsHashSet(
            out,
            novel.map((m) => ({
              md5: m.md5!,
              sha1: m.sha1,
              size: m.size,
              mimeType: m.mime,
              pdq: m.pdq,
              mediaId: m.sha256,
            })),
            { synthetic: info?.synthetic ?? false },
          );
          return { out, media: novel.length };
        }),
      );
      console.log(`wrote ${n.media} novel media hashes to ${out}`);
    });
}
