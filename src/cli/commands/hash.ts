import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { hashFiles, type FileHashResult } from '../../hashing/pool.js';
import { UserError } from '../../util/errors.js';
import { progress } from '../../util/progress.js';

/** Files under each argument, directories walked recursively in name order; missing paths kept as-is so they get a per-file error. */
export async function expandPaths(args: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      out.push(dir);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() || e.isSymbolicLink()) out.push(p);
    }
  };
  for (const a of args) {
    const s = await stat(a).catch(() => null);
    if (s?.isDirectory()) await walk(a);
    else out.push(a);
  }
  return [...new Set(out)];
}

function line(r: Extract<FileHashResult, { ok: true }>): string {
  return [r.sha256, r.md5, r.sha1, r.pdq ?? '-', r.quality ?? '-', r.path].join(' ');
}

export function register(program: Command): void {
  program
    .command('hash')
    .description(
      'SHA-256, MD5, SHA-1 and PDQ (perceptual) of files, one line per file: sha256 md5 sha1 pdq quality path',
    )
    .argument('<paths...>', 'files and/or directories (walked recursively)')
    .option('--json', 'one JSON object per line')
    .option('--mode <mode>', 'exact (the reference decode) or fast (shrink-on-load, a few bits off)', 'exact')
    .option('--threads <n>', 'worker threads (default: all cores)')
    .option('--dihedral', 'also print the 7 rotated/flipped PDQ variants (JSON only)')
    .addHelpText('after', '\nExample:\n  filet hash ./media --mode fast --json > hashes.jsonl')
    .action(
      async (args: string[], o: { json?: boolean; mode: string; threads?: string; dihedral?: boolean }) => {
        if (o.mode !== 'exact' && o.mode !== 'fast')
          throw new UserError(`--mode must be exact or fast, got "${o.mode}"`);
        let threads: number | undefined;
        if (o.threads !== undefined) {
          threads = Number(o.threads);
          if (!Number.isInteger(threads) || threads < 1)
            throw new UserError(`--threads must be a positive integer, got "${o.threads}"`);
        }
        const paths = await expandPaths(args);
        if (paths.length === 0) throw new UserError('no files found under the given paths');
        const bar = progress('hash', paths.length, { quiet: o.json });

        // Results are printed in input order as soon as every earlier file is done, so output is
        // deterministic and still streams on large folders.
        const index = new Map(paths.map((p, i) => [p, i]));
        const ready: (FileHashResult | undefined)[] = new Array(paths.length);
        let printed = 0;
        let failed = 0;
        const emit = (r: FileHashResult) => {
          if (!r.ok) {
            failed++;
            process.stderr.write(`filet: hash: ${r.path}: ${r.error}\n`);
            if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
          } else if (o.json) {
            process.stdout.write(JSON.stringify(r) + '\n');
          } else {
            process.stdout.write(line(r) + '\n');
          }
        };
        await hashFiles(paths, {
          mode: o.mode,
          threads,
          dihedral: o.dihedral,
          onResult: (r) => {
            bar.tick();
            const i = index.get(r.path);
            if (i === undefined) return;
            ready[i] = r;
            while (printed < paths.length && ready[printed]) {
              emit(ready[printed]!);
              ready[printed++] = undefined;
            }
          },
        });
        bar.stop();
        if (failed) {
          process.stderr.write(`filet: hash: ${failed} of ${paths.length} files could not be read\n`);
          process.exitCode = 1;
        }
      },
    );
}
