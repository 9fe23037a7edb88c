import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeInvalid } from '../../matching/import-list.js';
import type { CategoryScheme } from '../../matching/lists/types.js';
import { writeVicsHashSet } from '../../matching/lists/vics-write.js';
import { ReviewStore } from '../../store/review-store.js';
import { categoryCode, schemeOf } from '../../triage/categories.js';
import { UserError } from '../../util/errors.js';
import { importListAudited } from '../../app/case-actions.js';
import { withCrossCase } from '../../app/cross-case.js';
import { auditedRead, printJson, withCase } from '../context.js';

interface ImportOptions {
  name?: string;
  format?: string;
  categoryScheme: string;
  skipInvalid?: boolean;
  store?: string;
  json?: boolean;
  match?: boolean;
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
    .option('--no-match', 'do not compare the case\'s media with the lists now (they stay "unmatched")')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  filet hashes import ./op-x lists/known.vics.json --name project-vic-2016',
    )
    .action(async (dir: string, file: string, o: ImportOptions) => {
      if (o.categoryScheme !== 'vics-us' && o.categoryScheme !== 'legacy') {
        throw new UserError(`--category-scheme must be vics-us or legacy, got "${o.categoryScheme}"`);
      }
      const opts = { ...o, categoryScheme: o.categoryScheme as CategoryScheme };
      const r = await withCase(dir, o, ({ store, dir: caseDir }) =>
        withCrossCase(caseDir, store, o, (followUp) =>
          importListAudited(
            store,
            caseDir,
            file,
            opts,
            {
              file: resolve(file),
              name: o.name,
              format: o.format,
              categoryScheme: o.categoryScheme,
              skipInvalid: !!o.skipInvalid,
            },
            { match: o.match !== false, followUp },
          ),
        ),
      );
      if (o.json) printJson({ ...r.list, invalid: r.invalidCount });
      else {
        console.log(
          `imported list "${r.list.name}" (${r.list.format}): ${r.list.entryCount} entries, source sha256 ${r.list.sourceSha256}`,
        );
        if (r.invalidCount)
          console.log(describeInvalid(r.list.sourcePath, r.invalid, r.invalidCount) + ' (skipped)');
        if (r.match)
          console.log(
            `matched every media item: ${r.match.known} known material, ${r.match.novel} novel, ${r.match.unmatched} unmatched`,
          );
      }
    });

  hashes
    .command('export')
    .description(
      "export the case's novel media as a VICS v2 #Media hash set (hashes; Category: the reviewed category's code, else null)",
    )
    .argument('<case>', 'the case folder')
    .requiredOption('--out <file>', 'where to write the hash set')
    .option('--format <format>', 'vics', 'vics')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .addHelpText('after', '\nExample:\n  filet hashes export ./op-x --format vics --out novel.vics.json')
    .action(async (dir: string, o: { out: string; format: string; store?: string }) => {
      if (o.format !== 'vics') throw new UserError(`unknown format "${o.format}" (use vics)`);
      const out = resolve(o.out);
      const n = await withCase(dir, o, async ({ store }) =>
        auditedRead(store, 'hashes.export', { out, format: o.format }, async () => {
          if ((await store.getMeta('matched_at')) === null) {
            throw new UserError(`run "filet match ${dir}" first: novel media are those that matched no list`);
          }
          const matched = new Set((await store.matches()).map((m) => m.mediaId));
          const novel = (await store.media()).filter((m) => !matched.has(m.id) && m.md5 !== null);
          const info = await store.getCase();
          // Reviewed categories go out as the codes of the case's scheme now (docs/triage.md).
          const reviews = await new ReviewStore(store).reviews();
          const { scheme } = await schemeOf(store);
          await writeVicsHashSet(
            out,
            novel.map((m) => ({
              md5: m.md5!,
              sha1: m.sha1,
              size: m.size,
              mimeType: m.mime,
              pdq: m.pdq,
              mediaId: m.sha256,
              category: categoryCode(scheme, reviews.get(m.id)?.category ?? null),
            })),
            { synthetic: info?.synthetic ?? false },
          );
          return {
            out,
            media: novel.length,
            categorised: novel.filter((m) => reviews.get(m.id)?.category).length,
            scheme,
          };
        }),
      );
      console.log(
        `wrote ${n.media} novel media hashes to ${out} (${n.categorised} with a reviewed category, ${n.scheme} codes)`,
      );
    });
}
