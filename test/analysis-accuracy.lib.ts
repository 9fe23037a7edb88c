/**
 * Scoring an analysis against a synthetic operation's truth.json: how truth phones map to case accounts,
 * and precision/recall per role, for flagged groups and for cluster co-membership (pairs of groups).
 */
import type { AnalysisResult } from '../src/network/analyze.js';
import { ROLES } from '../src/network/roles.js';
import type { Truth } from '../src/synth/truth.js';

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
}

export function confusion(predicted: Set<string>, actual: Set<string>, universe: Set<string>): Confusion {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const x of universe) {
    const p = predicted.has(x);
    const a = actual.has(x);
    if (p && a) tp++;
    else if (p) fp++;
    else if (a) fn++;
  }
  const tn = universe.size - tp - fp - fn;
  // Nothing predicted (or nothing to find) is no score at all: NaN, which fails every floor.
  return {
    tp,
    fp,
    fn,
    tn,
    precision: tp + fp ? tp / (tp + fp) : NaN,
    recall: tp + fn ? tp / (tp + fn) : NaN,
  };
}

/** Case account key → truth phone: phone identities, device owners (and their profile names), saved contacts. */
export function phoneOfKey(truth: Truth): (key: string) => string | null {
  const named = new Map<string, string>();
  for (const d of truth.devices) {
    named.set(`owner:${d.label}`, d.owner);
    for (const n of [d.ownerName, d.ownerName.replace(/\.$/, '')]) named.set(`name:${d.label}:${n}`, d.owner);
    for (const [n, phone] of Object.entries(d.savedContacts)) named.set(`name:${d.label}:${n}`, phone);
  }
  return (key) => (key.startsWith('phone:') ? key.slice(6) : (named.get(key) ?? null));
}

export interface AccuracyReport {
  roles: Record<string, Confusion>;
  flaggedGroups: Confusion;
  clusterPairs: Confusion;
  phonesInCase: number;
  unmappedAccounts: string[];
  groupsInCase: number;
}

/**
 * `full`: against everything the generator made happen (truth.json `accounts[].roles`). `observable`: the
 * same key without the roles no seized device holds any fact of (`accounts[].observableRoles`, i.e. roles
 * minus `accounts[].unobservable`; docs/accuracy.md).
 */
export type TruthView = 'full' | 'observable';

export function scoreAnalysis(
  result: AnalysisResult,
  truth: Truth,
  chatKeys: Map<number, string>,
  view: TruthView = 'observable',
): AccuracyReport {
  const phoneOf = phoneOfKey(truth);
  const predicted = new Map<string, Set<string>>();
  const unmapped: string[] = [];
  for (const a of result.accounts) {
    const phone = phoneOf(a.key);
    if (!phone) {
      unmapped.push(a.key);
      continue;
    }
    const s = predicted.get(phone) ?? predicted.set(phone, new Set()).get(phone)!;
    a.roles.forEach((r) => s.add(r));
  }
  const universe = new Set(predicted.keys());
  const roles: Record<string, Confusion> = {};
  for (const role of ROLES) {
    const p = new Set([...predicted].filter(([, rs]) => rs.has(role)).map(([k]) => k));
    const rolesOf = (a: Truth['accounts'][number]) => (view === 'full' ? a.roles : a.observableRoles);
    const t = new Set(truth.accounts.filter((a) => rolesOf(a).includes(role)).map((a) => a.phone));
    roles[role] = confusion(p, t, universe);
  }
  const truthByKey = new Map(
    truth.groups.flatMap((g) => [[g.exportKey, g] as const, [g.jidKey, g] as const]),
  );
  const groupPairs: { truth: (typeof truth.groups)[number]; result: AnalysisResult['groups'][number] }[] = [];
  // An export's group is keyed by its phone too (`export:<device>:<subject>`); synth labels hold no ':'.
  const truthKey = (key: string) =>
    key.startsWith('export:') ? `export:${key.slice(key.indexOf(':', 'export:'.length) + 1)}` : key;
  for (const g of result.groups) {
    const t = truthByKey.get(truthKey(chatKeys.get(g.groupId) ?? ''));
    if (t) groupPairs.push({ truth: t, result: g });
  }
  const gUniverse = new Set(groupPairs.map((x) => x.truth.jid));
  const flaggedGroups = confusion(
    new Set(groupPairs.filter((x) => x.result.flagged).map((x) => x.truth.jid)),
    new Set(
      groupPairs
        .filter((x) => (view === 'full' ? x.truth.flagged : x.truth.observableFlagged))
        .map((x) => x.truth.jid),
    ),
    gUniverse,
  );
  const both = groupPairs.filter((x) => x.truth.cluster !== null && x.result.cluster !== null);
  const pPairs = new Set<string>();
  const tPairs = new Set<string>();
  const pairUniverse = new Set<string>();
  for (let i = 0; i < both.length; i++)
    for (let j = i + 1; j < both.length; j++) {
      const k = `${both[i]!.truth.jid}|${both[j]!.truth.jid}`;
      pairUniverse.add(k);
      if (both[i]!.result.cluster === both[j]!.result.cluster) pPairs.add(k);
      if (both[i]!.truth.cluster === both[j]!.truth.cluster) tPairs.add(k);
    }
  return {
    roles,
    flaggedGroups,
    clusterPairs: confusion(pPairs, tPairs, pairUniverse),
    phonesInCase: universe.size,
    unmappedAccounts: unmapped,
    groupsInCase: groupPairs.length,
  };
}

export function formatReport(name: string, r: AccuracyReport): string {
  const row = (k: string, c: Confusion) =>
    `  ${k.padEnd(14)} tp ${String(c.tp).padStart(5)} fp ${String(c.fp).padStart(5)} fn ${String(c.fn).padStart(5)} tn ${String(c.tn).padStart(6)}  precision ${c.precision.toFixed(3)} recall ${c.recall.toFixed(3)}`;
  return [
    `${name}: ${r.phonesInCase} truth phones in the case, ${r.groupsInCase} groups, unmapped accounts: ${r.unmappedAccounts.length}`,
    row('flagged group', r.flaggedGroups),
    row('cluster pairs', r.clusterPairs),
    ...Object.entries(r.roles).map(([k, c]) => row(k, c)),
  ].join('\n');
}
