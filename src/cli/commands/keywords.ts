import type { Command } from 'commander';
import type { KeywordHits, KeywordList } from '../../api/contract.js';
import {
  hitsSummary,
  importArgs,
  importSummary,
  keywordHits,
  keywordLists,
  readKeywordFile,
  writeKeywordList,
} from '../../app/keywords.js';
import { actor, audited, auditedRead, printJson, withCase } from '../context.js';

/** `filet keywords import|list|hits` (docs/keywords.md). */
const describe = (l: KeywordList) =>
  `#${l.id} ${l.name}${l.synthetic ? ' [SYNTHETIC]' : ''}: ${l.terms} term(s)` +
  `${l.category ? `, category ${l.category}` : ''}${l.language ? `, language ${l.language}` : ''}` +
  ` — ${l.source.path} (sha256 ${l.source.sha256.slice(0, 16)}…), imported by ${l.importedBy} at ${l.importedAt}`;

const counted = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

function printHits(r: KeywordHits): void {
  console.log(
    `keyword hits${r.list ? ` of list "${r.list}"` : ''}: ${r.messages} message(s)` +
      (r.lists.length
        ? ` — ${r.lists.map((l) => `${l.name} ${l.messages}`).join(', ')}`
        : ' (no keyword lists)'),
  );
  if (r.categories.length)
    console.log(`by category: ${r.categories.map((c) => `${c.category} ${c.messages}`).join(', ')}`);
  if (r.accounts.length) {
    console.log('\nper account (a person: merged accounts count as one):');
    for (const a of r.accounts)
      console.log(
        `  #${a.id} ${a.display}: ${a.messages} message(s), ${a.terms} term(s) — ${counted(a.lists)} — messages ${a.messageIds.slice(0, 10).join(', ')}${a.messageIds.length > 10 ? ', …' : ''}`,
      );
  }
  if (r.groups.length) {
    console.log('\nper chat:');
    for (const g of r.groups)
      console.log(
        `  #${g.id} ${g.subject ?? '(no subject)'} [${g.kind ?? '?'}]: ${g.messages} message(s) by ${g.senders} sender(s) — ${counted(g.lists)}`,
      );
  }
}

export function register(program: Command): void {
  const kw = program
    .command('keywords')
    .description(
      "the case's keyword lists (slang and code words): import, list, and their hits (docs/keywords.md)",
    );

  kw.command('import')
    .description(
      'import a keyword list (one term a line, # comments; or CSV term,category,language), replacing the list of the same name (audited)',
    )
    .argument('<case>', 'the case folder')
    .argument('<file>', 'the list file (UTF-8)')
    .requiredOption('--name <name>', 'the list name')
    .option('--category <category>', 'the category of its terms (a CSV cell overrides it)')
    .option('--language <code>', 'the language of its terms, e.g. es, pt-br (a CSV cell overrides it)')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nEach term is a search query (docs/search.md): a word, a "phrase", a prefix*, … A bad term refuses the\n' +
        'whole list (nothing imported), naming its line. Example:\n  filet keywords import ./op-x slang-es.txt --name slang-es --category slang --language es',
    )
    .action(
      async (
        dir: string,
        file: string,
        o: { name: string; category?: string; language?: string; store?: string; json?: boolean },
      ) => {
        const parsed = readKeywordFile(file, { name: o.name, category: o.category, language: o.language });
        const r = await withCase(dir, o, ({ store }) =>
          audited(
            store,
            'keywords.import',
            importArgs(parsed),
            (s) => writeKeywordList(s, parsed, { by: actor(), at: Date.now() }),
            importSummary,
          ),
        );
        if (o.json) return printJson(r);
        console.log(
          `${r.replaced === null ? 'imported' : `replaced list #${r.replaced} with`} ${describe(r.list)}` +
            (r.duplicates
              ? `\n${r.duplicates} duplicate term(s) dropped (same words as an earlier line)`
              : ''),
        );
      },
    );

  kw.command('list')
    .description("the case's keyword lists with their term counts and provenance")
    .argument('<case>', 'the case folder')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const lists = await withCase(dir, o, ({ store }) => keywordLists(store));
      if (o.json) return printJson({ lists });
      if (!lists.length) console.log('no keyword lists (filet keywords import)');
      for (const l of lists) console.log(describe(l));
    });

  kw.command('hits')
    .description(
      'messages matching the lists now (through the search index), per account (person) and per chat (audited as a read)',
    )
    .argument('<case>', 'the case folder')
    .option('--list <name>', 'only this list')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o: { list?: string; store?: string; json?: boolean }) => {
      const r = await withCase(dir, o, ({ store }) =>
        auditedRead(
          store,
          'keywords.hits',
          { list: o.list ?? null },
          () => keywordHits(store, o.list),
          hitsSummary,
        ),
      );
      if (o.json) return printJson(r);
      printHits(r);
    });
}
