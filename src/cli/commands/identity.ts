import type { Command } from 'commander';
import type { CaseStore } from '../../store/case-store.js';
import { MergeConflict, ReviewStore } from '../../store/review-store.js';
import { UserError } from '../../util/errors.js';
import {
  acceptSuggestion,
  acceptSummary,
  applyIdentityMerges,
  currentSuggestions,
  rejectSuggestion,
  rejectSummary,
  SuggestionRefused,
  suggestionsView,
} from '../../app/identity-suggestions.js';
import type { IdentityCandidate } from '../../model/identity.js';
import { actor, audited, auditedRead, printJson, withCase } from '../context.js';

/** An identity named on the command line: its id, its key (`phone:+34…`, `name:dev:Ana`) or an E.164 number. */
async function resolveAccount(store: CaseStore, ref: string): Promise<number> {
  const accounts = await store.accounts();
  const key = /^\+\d{7,15}$/.test(ref) ? `phone:${ref}` : ref;
  const hit = /^\d+$/.test(ref)
    ? accounts.find((a) => a.id === Number(ref))
    : accounts.find((a) => a.key === key);
  if (!hit)
    throw new UserError(
      `no identity "${ref}" in the case (give an id, a key such as phone:+34600000123, or a number)`,
    );
  return hit.id;
}

const MIN_SUPPORT_HELP = 'units of evidence for a pair to count as unambiguous (docs/identity.md)';

function parseMinSupport(v: string): number {
  if (!/^[1-9]\d{0,3}$/.test(v))
    throw new UserError(`--min-support must be a whole number from 1 to 9999, got "${v}"`);
  return Number(v);
}

export function register(program: Command): void {
  const identity = program
    .command('identity')
    .description('merge and split identities (audited, reversible)');
  identity
    .command('merge')
    .description('record that identity A is the same person as identity B (A is merged into B)')
    .argument('<case>', 'the case folder')
    .argument('<a>', 'identity merged away: id, key or +E164')
    .argument('<b>', 'identity kept')
    .requiredOption('--reason <text>', 'why: the facts that show they are one person')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  filet identity merge ./op-x "name:phone-A:Kiko bar" +50688001378 --reason "same number in contact card, line 812"',
    )
    .action(
      async (dir: string, a: string, b: string, o: { reason: string; store?: string; json?: boolean }) => {
        if (!o.reason.trim()) throw new UserError('--reason must say why the identities are one person');
        const row = await withCase(dir, o, async ({ store }) => {
          const from = await resolveAccount(store, a);
          const into = await resolveAccount(store, b);
          return audited(store, 'identity.merge', { from: a, into: b, reason: o.reason }, async (s) => {
            try {
              return await new ReviewStore(s).merge(from, into, actor(), o.reason, Date.now());
            } catch (err) {
              if (err instanceof MergeConflict) throw new UserError(err.message);
              throw err;
            }
          });
        });
        if (o.json) printJson(row);
        else
          console.log(
            `merge #${row.id}: identity ${row.from} merged into ${row.into} (undo: filet identity split ${dir} ${row.id})`,
          );
      },
    );
  identity
    .command('split')
    .description('undo a merge (the merge stays in the record, marked undone)')
    .argument('<case>', 'the case folder')
    .argument('<merge>', 'merge number, as printed by merge')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet identity split ./op-x 3')
    .action(async (dir: string, merge: string, o: { store?: string; json?: boolean }) => {
      if (!/^\d+$/.test(merge)) throw new UserError(`merge must be a number, got "${merge}"`);
      const row = await withCase(dir, o, async ({ store }) =>
        audited(store, 'identity.split', { merge: Number(merge) }, async (s) => {
          const r = await new ReviewStore(s).unmerge(Number(merge), actor(), Date.now());
          if (!r) throw new UserError(`no active merge #${merge} in the case`);
          return r;
        }),
      );
      if (o.json) printJson(row);
      else console.log(`merge #${row.id} undone: identity ${row.from} is separate from ${row.into} again`);
    });
  identity
    .command('list')
    .description('list merges, active and undone')
    .argument('<case>', 'the case folder')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet identity list ./op-x')
    .action(async (dir: string, o: { store?: string; json?: boolean }) => {
      const rows = await withCase(dir, o, ({ store }) => new ReviewStore(store).merges());
      if (o.json) printJson(rows);
      else
        for (const r of rows)
          console.log(
            `#${r.id} ${r.from} → ${r.into} by ${r.by} at ${new Date(r.at).toISOString()}${r.undoneAt ? ' (undone)' : ''}: ${r.reason}`,
          );
    });
  identity
    .command('resolve')
    .description(
      'merge the identities the evidence shows unambiguously to be one person (audited; each merge can be undone with split)',
    )
    .argument('<case>', 'the case folder')
    .option('--min-support <n>', MIN_SUPPORT_HELP, '2')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet identity resolve ./op-x')
    .action(async (dir: string, o: { minSupport: string; store?: string; json?: boolean }) => {
      const minSupport = parseMinSupport(o.minSupport);
      const r = await withCase(dir, o, ({ store }) =>
        audited(store, 'identity.resolve', { minSupport }, (s) =>
          applyIdentityMerges(s, { minSupport, at: Date.now() }),
        ),
      );
      if (o.json) printJson(r);
      else {
        for (const m of r.merged)
          console.log(
            `merge #${m.id}: ${m.from} → ${m.into} (${m.support} facts; undo: filet identity split ${dir} ${m.id})`,
          );
        console.log(
          `${r.merged.length} merged; ${r.suggestions} suggestion(s) and ${r.contradictions} contradiction(s) left for an analyst (filet identity suggestions ${dir})`,
        );
      }
    });
  const refused = (err: unknown) => (err instanceof SuggestionRefused ? new UserError(err.message) : err);
  identity
    .command('accept')
    .description(
      'accept a suggestion: merge the pair, with its reasons in the merge reason (audited; undo with split)',
    )
    .argument('<case>', 'the case folder')
    .argument('<from>', 'one identity of the suggested pair: id, key or +E164')
    .argument('<into>', 'the other (the merge goes the way the suggestion names the pair)')
    .option('--reason <text>', 'your own words, added to the suggestion’s reasons')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  filet identity accept ./op-x "name:A:Boris" +491512222222 --reason "same voice note"',
    )
    .action(
      async (dir: string, a: string, b: string, o: { reason?: string; store?: string; json?: boolean }) => {
        const r = await withCase(dir, o, async ({ store }) => {
          const from = await resolveAccount(store, a);
          const into = await resolveAccount(store, b);
          return audited(
            store,
            'identity.accept',
            { from: a, into: b, reason: o.reason ?? null },
            (s) =>
              acceptSuggestion(s, { a: from, b: into, by: actor(), reason: o.reason, at: Date.now() }).catch(
                (err: unknown) => {
                  throw refused(err);
                },
              ),
            acceptSummary,
          );
        });
        if (o.json) printJson({ ...r.merge, support: r.support, pair: r.pair });
        else
          console.log(
            `merge #${r.merge.id}: ${r.pair.from} → ${r.pair.into} (${r.support} fact(s); undo: filet identity split ${dir} ${r.merge.id})`,
          );
      },
    );
  identity
    .command('reject')
    .description('reject a pair: it is never suggested or merged automatically again (audited)')
    .argument('<case>', 'the case folder')
    .argument('<a>', 'one identity: id, key or +E164')
    .argument('<b>', 'the other')
    .option('--reason <text>', 'why they are not one person')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExample:\n  filet identity reject ./op-x "name:A:Boris" +491512222222 --reason "different voice"',
    )
    .action(
      async (dir: string, a: string, b: string, o: { reason?: string; store?: string; json?: boolean }) => {
        const r = await withCase(dir, o, async ({ store }) => {
          const x = await resolveAccount(store, a);
          const y = await resolveAccount(store, b);
          return audited(
            store,
            'identity.reject',
            { from: a, into: b, reason: o.reason ?? null },
            (s) =>
              rejectSuggestion(s, { a: x, b: y, by: actor(), reason: o.reason, at: Date.now() }).catch(
                (err: unknown) => {
                  throw refused(err);
                },
              ),
            rejectSummary,
          );
        });
        if (o.json) printJson(r);
        else console.log(`rejection #${r.id}: ${r.from} and ${r.into} are kept apart`);
      },
    );
  identity
    .command('suggestions')
    .description(
      'list the saved names and numbers that the same message or event, seen from two devices, shows to be one person (read only)',
    )
    .argument('<case>', 'the case folder')
    .option('--min-support <n>', MIN_SUPPORT_HELP, '2')
    .option('--store <url>', 'PostgreSQL URL when the case lives there')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  filet identity suggestions ./op-x --json')
    .action(async (dir: string, o: { minSupport: string; store?: string; json?: boolean }) => {
      const minSupport = parseMinSupport(o.minSupport);
      const d = await withCase(dir, o, ({ store }) =>
        auditedRead(
          store,
          'identity.suggestions',
          { minSupport },
          () => currentSuggestions(store, minSupport),
          (r) => ({
            unambiguous: r.merges.length,
            suggestions: r.suggestions.length,
            contradictions: r.contradictions.length,
          }),
        ),
      );
      if (o.json) {
        printJson(suggestionsView(d, minSupport));
        return;
      }
      const line = (c: IdentityCandidate) => {
        const r = c.reasons[0]!;
        return `  ${c.from} → ${c.into}: ${c.support} unit(s), e.g. ${r.kind} in chat ${r.chat} at ${new Date(r.minute * 60000).toISOString()} (facts ${r.facts.join(' and ')})`;
      };
      console.log(
        `unambiguous (≥ ${minSupport} units, no contradiction; filet identity resolve merges them, or accept one):`,
      );
      d.merges.forEach((c) => console.log(line(c)));
      console.log('suggestions:');
      d.suggestions.forEach((c) => console.log(line(c)));
      console.log('contradictions (never merged automatically):');
      for (const c of d.contradictions) {
        console.log(`  ${c.identity}:`);
        c.candidates.forEach((x) => console.log(`  ${line(x)}`));
      }
    });
}
