import type { Command } from 'commander';
import { auditedChange, cliPolicy } from '../../app/audited.js';
import {
  applyPriorityChange,
  parseWeightList,
  priorityAction,
  priorityArgs,
  prioritySummary,
  priorityView,
  type PriorityChange,
  type PriorityView,
} from '../../app/priority.js';
import { UserError } from '../../util/errors.js';
import { actor, printJson, table, withCase } from '../context.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function print(v: PriorityView): void {
  console.log(
    v.source === 'default'
      ? 'priority weights: the defaults (docs/priority.md)'
      : `priority weights: set by ${v.by} at ${iso(v.at)}`,
  );
  console.log(table(v.factors.map((f) => [f, `${v.weights[f]}  (default ${v.defaults[f]})`])));
  console.log(
    v.producersFirst
      ? 'producers first: yes, every producer of novel media ranks above every non-producer'
      : 'producers first: NO, with these weights a non-producer can outrank a producer of novel media',
  );
  if (!v.analysis) console.log('analysis: none yet (filet analyze)');
  else if (v.analysis.current)
    console.log(`analysis: run #${v.analysis.run} at ${iso(v.analysis.at)}, computed with these weights`);
  else
    console.log(
      `analysis: run #${v.analysis.run} at ${iso(v.analysis.at)} was computed with other weights: run filet analyze`,
    );
}

const viewJson = (v: PriorityView) => ({
  ...v,
  at: iso(v.at),
  analysis: v.analysis && { ...v.analysis, at: iso(v.analysis.at) },
});

export function register(program: Command): void {
  program
    .command('priority')
    .description(
      'the priority weights of the case: show them, or set / reset them (audited; the analysis is recomputed)',
    )
    .argument('<case>', 'the case folder')
    .option(
      '--set <weights>',
      'factor=weight pairs, comma-separated; the others keep theirs; the sum must be 1',
    )
    .option('--reset', 'back to the default weights')
    .option(
      '--actor <name>',
      'who makes the change, for the audit log (default: FILET_USER or the OS account)',
    )
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nFactors: producer, severity, activity, degree, betweenness, bridging, keywords (docs/priority.md).\n' +
        'Examples:\n  filet priority ./op-x\n' +
        '  filet priority ./op-x --set severity=0.3,betweenness=0 --actor lena\n' +
        '  filet priority ./op-x --reset --actor lena',
    )
    .action(
      async (
        dir: string,
        o: { set?: string; reset?: boolean; actor?: string; store?: string; json?: boolean },
      ) => {
        if (o.set !== undefined && o.reset) throw new UserError('give --set or --reset, not both');
        if (o.actor !== undefined && !o.actor.trim()) throw new UserError('--actor must name someone');
        const change: PriorityChange | null = o.reset
          ? { reset: true }
          : o.set !== undefined
            ? { set: parseWeightList(o.set) }
            : null;
        if (!change && o.actor !== undefined) throw new UserError('--actor goes with --set or --reset');
        const out = await withCase(dir, o, async ({ store }) => {
          if (!change) return { view: await priorityView(store), run: undefined };
          const by = o.actor?.trim() ?? actor();
          const r = await auditedChange(
            store,
            { ...cliPolicy(), actor: by },
            priorityAction(change),
            priorityArgs(change),
            (s) => applyPriorityChange(s, change, { by, at: Date.now() }),
            prioritySummary,
          );
          return { view: r.after, run: r.analysisRun };
        });
        if (o.json) return printJson(viewJson(out.view));
        if (out.run !== undefined)
          console.log(
            out.run === null
              ? 'weights changed (no analysis yet to recompute)'
              : `weights changed; analysis recomputed as run #${out.run}`,
          );
        print(out.view);
      },
    );
}
