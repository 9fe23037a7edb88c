import type { Command } from 'commander';
import { searchCase, type SearchRequest, type SearchResult } from '../../app/search.js';
import { markedSnippet } from '../../search/query.js';
import { SearchStore } from '../../store/search-store.js';
import { UserError } from '../../util/errors.js';
import { auditedRead, parsePositiveInt, printJson, withCase } from '../context.js';

interface SearchOptions {
  store?: string;
  json?: boolean;
  group?: string;
  sender?: string;
  country?: string;
  from?: string;
  to?: string;
  hasMedia?: boolean;
  limit?: string;
  offset?: string;
  reindex?: boolean;
}

/** What the audit entry of a search records besides the query and filters: how much was shown. */
const searchSummary = (r: SearchResult) => ({ total: r.total, returned: r.items.length });

export function register(program: Command): void {
  program
    .command('search')
    .description(
      "full-text search over the case's messages (text, captions, media file names), display names and group subjects",
    )
    .argument('<case>', 'the case folder')
    .argument('[query]', 'words (all of them), "exact phrase", prefix*, -excluded, a OR b (docs/search.md)')
    .option('--group <id>', 'only messages of this group (or chat) id')
    .option('--sender <id>', 'only messages of this account (and of the accounts merged with it)')
    .option('--country <cc>', "only senders whose number is of this country (ISO 3166 code), or 'unresolved'")
    .option('--from <date>', 'only messages at or after this ISO 8601 date or time')
    .option('--to <date>', 'only messages before this time (a date alone includes that day)')
    .option('--has-media', 'only media messages')
    .option('--limit <n>', 'hits to show (1–500)', '20')
    .option('--offset <n>', 'hits to skip (paging)', '0')
    .option('--reindex', "rebuild the case's search index from its messages, names and subjects")
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      "\nExamples:\n  filet search ./op-x 'niño \"sin papeles\" -foto'\n  filet search ./op-x 'pap* OR video' --group 3 --from 2024-01-01 --json\n  filet search ./op-x --reindex\n\nEvery search is recorded in the case's audit log (action \"search\", with the query and filters).",
    )
    .action(async (dir: string, query: string | undefined, o: SearchOptions) => {
      if (o.reindex) {
        if (query !== undefined) throw new UserError('search: --reindex takes no query');
        const n = await withCase(dir, o, ({ store }) =>
          auditedRead(
            store,
            'search.reindex',
            {},
            () => new SearchStore(store).reindex(),
            (m) => ({
              messages: m,
            }),
          ),
        );
        if (o.json) printJson({ reindexed: n });
        else console.log(`search index rebuilt: ${n} messages`);
        return;
      }
      if (query === undefined) throw new UserError('search: give a query (or --reindex)');
      const int = (v: string | undefined, name: string) =>
        v === undefined ? undefined : parsePositiveInt(v, name);
      const req: SearchRequest = {
        q: query,
        group: int(o.group, '--group'),
        sender: int(o.sender, '--sender'),
        country: o.country,
        from: o.from,
        to: o.to,
        hasMedia: o.hasMedia ? true : undefined,
        limit: int(o.limit, '--limit'),
        offset: int(o.offset, '--offset'),
      };
      const { q, offset, limit, ...given } = req;
      // The audit entry names the filters given, as the route's does.
      const filters = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
      const r = await withCase(dir, o, ({ store }) =>
        auditedRead(
          store,
          'search',
          { q, filters, offset, limit },
          () => searchCase(store, req),
          searchSummary,
        ),
      );
      if (o.json) return printJson(r);
      for (const g of r.groups) console.log(`group #${g.id}: ${g.subject}`);
      for (const a of r.accounts) console.log(`account #${a.id}: ${a.display}`);
      if (r.groups.length || r.accounts.length) console.log('');
      for (const h of r.items) {
        const chat = h.chat.subject ? `#${h.chat.id} ${h.chat.subject}` : `#${h.chat.id}`;
        const sender = h.sender ? `#${h.sender.id} ${h.sender.display}` : '(no sender)';
        console.log(`message #${h.messageId}  ${h.at}  chat ${chat}  from ${sender}`);
        console.log(`  ${markedSnippet(h.snippet).replace(/\n/g, '\n  ')}`);
      }
      const shown = r.items.length ? `${r.offset + 1}–${r.offset + r.items.length}` : 'none';
      console.log(`${r.total} message(s) match; shown ${shown}`);
    });
}
