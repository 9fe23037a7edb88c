import type { Command } from 'commander';
import type { TriageSeries } from '../../api/contract.js';
import { auditedChange, cliPolicy } from '../../app/audited.js';
import {
  reviewSeries,
  schemeView,
  seriesDetail,
  seriesReviewSummary,
  triageQueue,
} from '../../app/triage.js';
import { buildCaseView } from '../../server/services/case-view.js';
import { schemeOf, schemeSummary, setScheme } from '../../triage/categories.js';
import { UserError } from '../../util/errors.js';
import { actor, auditedRead, parsePositiveInt, printJson, withCase } from '../context.js';

function printSeries(s: TriageSeries): void {
  const cats = Object.entries(s.categories)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  console.log(
    `series ${s.id}  urgency ${s.urgency.toFixed(2)}  ${s.size} item(s)  reviewed: ${s.reviewed}${cats ? ` (${cats})` : ''}`,
  );
  for (const r of s.reasons) console.log(`    +${r.points.toFixed(2).padStart(5)}  ${r.factor}: ${r.text}`);
  console.log(`    media: ${s.itemIds.join(', ')}`);
}

const actorOf = (o: { actor?: string }) => {
  if (o.actor !== undefined && !o.actor.trim()) throw new UserError('--actor must name someone');
  return o.actor?.trim() ?? actor();
};

interface TriageOptions {
  series?: string;
  category?: string;
  note?: string;
  limit?: string;
  pending?: boolean;
  actor?: string;
  store?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('triage')
    .description(
      'novel media by urgency, in series (PDQ near copies); review a series as a whole (audited) — docs/triage.md',
    )
    .argument('<case>', 'the case folder')
    .option('--limit <n>', 'how many series to list', '50')
    .option('--pending', 'only series with an item not reviewed yet')
    .option('--series <id>', 'one series (its smallest media id): show it, or with --category review it')
    .option('--category <c>', "the series' category, by code or name in the case's scheme")
    .option('--note <text>', 'a note kept with every review of the series')
    .option('--actor <name>', 'who reviews, for the audit log (default: FILET_USER or the OS account)')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  filet triage ./op-x --limit 20\n  filet triage ./op-x --series 17\n' +
        '  filet triage ./op-x --series 17 --category 1 --note "one production" --actor lena',
    )
    .action(async (dir: string, o: TriageOptions) => {
      const limit = parsePositiveInt(o.limit ?? '50', '--limit');
      const seriesId = o.series === undefined ? null : parsePositiveInt(o.series, '--series');
      if (seriesId === null && (o.category !== undefined || o.note !== undefined))
        throw new UserError('--category and --note go with --series');
      if (o.note !== undefined && o.category === undefined)
        throw new UserError('--note goes with --category');
      await withCase(dir, o, async ({ store }) => {
        const v = await buildCaseView(store);
        if (seriesId !== null && o.category !== undefined) {
          const by = actorOf(o);
          const r = await auditedChange(
            store,
            { ...cliPolicy(), actor: by },
            'triage.series.review',
            { series: seriesId, category: o.category, note: o.note ?? null },
            (s) =>
              reviewSeries(
                s,
                v,
                seriesId,
                { category: o.category!, note: o.note ?? null },
                { by, at: Date.now() },
              ),
            seriesReviewSummary,
          );
          if (o.json) return printJson(r);
          console.log(
            `series ${r.series}: ${r.items.length} item(s) reviewed as ${r.category} (code ${r.code} in the ${r.scheme} scheme), ${r.status}`,
          );
          return;
        }
        if (seriesId !== null) {
          const d = await auditedRead(
            store,
            'view.triage.series',
            { series: seriesId },
            () => seriesDetail(store, v, seriesId),
            (s) => ({ items: s.items.length }),
          );
          if (o.json) return printJson(d);
          printSeries(d);
          for (const i of d.items)
            console.log(
              `    media ${i.id}  ${i.mime ?? '?'}  posts ${i.posts}  pdq ${i.pdq ?? 'none'}  ${i.review ? `${i.review.category ?? i.review.status} by ${i.review.by}` : 'not reviewed'}`,
            );
          return;
        }
        const q = await auditedRead(
          store,
          'view.triage',
          { limit, pending: !!o.pending },
          () => triageQueue(store, v, { limit, pending: !!o.pending }),
          (r) => ({ total: r.total, returned: r.items.length }),
        );
        if (o.json) return printJson(q);
        console.log(
          `${q.novel} novel media in ${q.total} series (PDQ ≤ ${q.threshold}); ${q.reviewed} reviewed; scheme ${q.scheme}`,
        );
        for (const s of q.items) printSeries(s);
      });
    });

  program
    .command('categories')
    .description("the case's category scheme for reviews of novel media: show it, or set it (audited)")
    .argument('<case>', 'the case folder')
    .option('--scheme <name>', 'vics | legacy')
    .option('--actor <name>', 'who sets it, for the audit log (default: FILET_USER or the OS account)')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  filet categories ./op-x\n  filet categories ./op-x --scheme legacy')
    .action(async (dir: string, o: { scheme?: string; actor?: string; store?: string; json?: boolean }) => {
      const view = await withCase(dir, o, async ({ store }) => {
        if (o.scheme === undefined) {
          if (o.actor !== undefined) throw new UserError('--actor goes with --scheme');
          return schemeView(await schemeOf(store));
        }
        const by = actorOf(o);
        const r = await auditedChange(
          store,
          { ...cliPolicy(), actor: by },
          'categories.scheme.set',
          { scheme: o.scheme },
          (s) => setScheme(s, o.scheme!, { by, at: Date.now() }),
          schemeSummary,
        );
        return schemeView(r.after);
      });
      if (o.json) return printJson(view);
      console.log(
        view.source === 'default'
          ? `category scheme: ${view.scheme} (the default)`
          : `category scheme: ${view.scheme}, set by ${view.by} at ${view.at}`,
      );
      for (const c of view.categories) console.log(`  ${c.code}  ${c.category.padEnd(14)} ${c.label}`);
    });
}
