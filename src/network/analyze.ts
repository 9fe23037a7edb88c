import { UndirectedGraph } from 'graphology';
import type { AbstractGraph as Graph } from 'graphology-types';
import { resolveAccount, type Jurisdiction } from '../jurisdiction/resolve.js';
import { summarizeCountries, type CountrySummary } from '../jurisdiction/summary.js';
import { pdqSignal } from '../hashing/signal-types.js';
import type { CaseStore } from '../store/case-store.js';
import { HashListStore } from '../store/hash-list-store.js';
import { TOOL_VERSION } from '../version.js';
import { betweenness, EXACT_MAX_NODES, PIVOTS, type Betweenness } from './centrality.js';
import { clusterGroups, LOUVAIN_SEED, type Cluster } from './clusters.js';
import { canonicalizer, loadCaseData } from './data.js';
import { buildFamilies } from './families.js';
import { flagGroups, type GroupFlag } from './flagged.js';
import { keywordFacts } from './keywords.js';
import {
  accountKey,
  buildGroupGraph,
  buildMembershipGraph,
  buildPropagationGraph,
  groupKey,
} from './graphs.js';
import { attachProvenance, explain, type Reason } from './reasons.js';
import { assignRoles, type Role } from './roles.js';
import { PriorityStore } from '../store/priority-store.js';
import { factors, producersFirst, scoreAll, zeroFactors, type FactorValues, type Weights } from './score.js';

/**
 * `filet analyze`: the whole network analysis of a case, phase by phase, each timed. Reads the case, never
 * writes it (persisting is the caller's job, see AnalysisStore). Every choice that changes results is in
 * `params` and stored with the run.
 */
export const FLAG_RULE =
  'A group is flagged when known material (a list match, by SHA-256/MD5/SHA-1 or PDQ, or a PDQ/SHA-256 copy of one) was posted in it, ' +
  'or when a novel media item (or a PDQ copy of it) that was posted in a flagged group was also posted in it (transitively). Novel media alone flag nothing.';

export const PHASES = [
  'load',
  'graphs',
  'centrality',
  'communities',
  'roles',
  'score',
  'jurisdiction',
] as const;
export type Phase = (typeof PHASES)[number];

export interface AnalyzeOptions {
  threshold?: number;
  seed?: number;
  exactMaxNodes?: number;
  pivots?: number;
  /** Priority weights (score.ts); default: the case's (src/store/priority-store.ts). */
  weights?: Weights;
  onPhase?: (phase: Phase, index: number, total: number) => void;
}

export interface AccountResult {
  accountId: number;
  key: string;
  roles: Role[];
  score: number;
  points: FactorValues;
  reasons: Reason[];
  jurisdiction: Jurisdiction;
  flaggedGroups: number[];
  betweenness: number;
}

export interface GroupResult extends GroupFlag {
  cluster: number | null;
  component: number | null;
  members: number;
  messages: number;
}

export interface PhaseTiming {
  ms: number;
  rssMb: number;
}

export interface AnalysisResult {
  at: number;
  toolVersion: string;
  params: {
    threshold: number;
    seed: number;
    exactMaxNodes: number;
    pivots: number;
    flagRule: string;
    /** The priority weights the scores were computed with. */
    weights: Weights;
    /** The keyword lists behind the `keywords` factor: which lists, as imported (file SHA-256), how many terms. */
    keywordLists: { id: number; name: string; sha256: string; terms: number }[];
  };
  matched: boolean;
  accounts: AccountResult[];
  groups: GroupResult[];
  clusters: Cluster[];
  components: number;
  modularity: number | null;
  countries: CountrySummary[];
  centrality: Omit<Betweenness, 'normalized'>;
  graphs: Record<'membership' | 'propagation' | 'groups', { nodes: number; edges: number }>;
  timings: Partial<Record<Phase, PhaseTiming>>;
}

/** The two-mode graph restricted to flagged groups and their members. O(V + E). */
function flaggedTwoMode(membership: Graph): Graph {
  const g = new UndirectedGraph();
  membership.forEachNode((n, a) => {
    if (a.kind === 'group' && a.flagged) g.addNode(n);
  });
  membership.forEachEdge((_e, _a, s, t) => {
    const [acc, grp] = s.startsWith('g') ? [t, s] : [s, t];
    if (!g.hasNode(grp)) return;
    g.mergeNode(acc);
    g.mergeEdge(acc, grp);
  });
  return g;
}

async function evidenceOf(store: CaseStore, type: string, ids: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    for (const p of await store.provenance(type, unique.slice(i, i + 500))) {
      const list = out.get(p.factId) ?? out.set(p.factId, []).get(p.factId)!;
      if (!list.includes(p.evidenceId)) list.push(p.evidenceId);
    }
  }
  return out;
}

const size = (g: Graph) => ({ nodes: g.order, edges: g.size });

export async function analyzeCase(store: CaseStore, opts: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const params = {
    threshold: opts.threshold ?? pdqSignal.matchThreshold,
    seed: opts.seed ?? LOUVAIN_SEED,
    exactMaxNodes: opts.exactMaxNodes ?? EXACT_MAX_NODES,
    pivots: opts.pivots ?? PIVOTS,
    flagRule: FLAG_RULE,
    weights: opts.weights ?? (await new PriorityStore(store).get()).weights,
    keywordLists: [] as AnalysisResult['params']['keywordLists'],
  };
  const timings: AnalysisResult['timings'] = {};
  let t = performance.now();
  let i = 0;
  const phase = (p: Phase) => {
    opts.onPhase?.(p, i++, PHASES.length);
    const now = performance.now();
    return () => {
      timings[p] = {
        ms: Math.round(performance.now() - now),
        rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
      t = performance.now();
    };
  };
  void t;

  let done = phase('load');
  const data = await loadCaseData(store);
  const lists = new Map(data.keywordHits.map((h) => [h.list.id, h.list]));
  params.keywordLists = [...lists.values()]
    .sort((a, b) => a.id - b.id)
    .map((l) => ({ id: l.id, name: l.name, sha256: l.sourceSha256, terms: l.termCount }));
  const fam = buildFamilies(data, await new HashListStore(store).mediaDihedral(), params.threshold);
  const flagging = flagGroups(data, fam);
  done();

  done = phase('graphs');
  const membership = buildMembershipGraph(data, flagging);
  const propagation = buildPropagationGraph(data, fam);
  const groupGraph = buildGroupGraph(data, fam);
  const twoMode = flaggedTwoMode(membership);
  done();

  done = phase('centrality');
  const bc = betweenness(twoMode, {
    exactMaxNodes: params.exactMaxNodes,
    pivots: params.pivots,
    seed: params.seed,
  });
  done();

  done = phase('communities');
  const clustering = clusterGroups(data, groupGraph, flagging, params.seed);
  done();

  done = phase('roles');
  const roleFacts = assignRoles(data, fam, flagging, clustering);
  done();

  done = phase('score');
  const keywords = keywordFacts(
    data.keywordHits,
    canonicalizer(data.accounts),
    (g) => flagging.groups.get(g)?.flagged ?? false,
  );
  const values = new Map<number, FactorValues>();
  for (const [id, f] of roleFacts)
    values.set(
      id,
      factors(f, bc.normalized.get(accountKey(id)) ?? 0, keywords.get(id)?.messageIds.length ?? 0),
    );
  const scores = scoreAll(values, params.weights);
  const bcText = (v: number) =>
    bc.mode === 'exact'
      ? `betweenness ${v.toFixed(4)} in the accounts–flagged-groups graph (exact)`
      : `betweenness ${v.toFixed(4)} ± ${bc.errorBound.toFixed(3)} (sampled, ${bc.pivots} pivots, 95%)`;
  const reasons = new Map<number, Reason[]>();
  for (const [id, f] of roleFacts) {
    const v = values.get(id)!;
    reasons.set(
      id,
      explain(
        f,
        scores.get(id)!.points,
        { value: v.betweenness, text: bcText(v.betweenness) },
        producersFirst(params.weights),
        keywords.get(id),
      ),
    );
  }
  const all = [...reasons.values()].flat();
  const prov = {
    message: await evidenceOf(
      store,
      'message',
      all.flatMap((r) => r.messageIds),
    ),
    event: await evidenceOf(
      store,
      'event',
      all.flatMap((r) => r.eventIds),
    ),
  };
  // Once over every reason: it indexes the case's events, O(E + R).
  attachProvenance(all, data, prov);
  done();

  done = phase('jurisdiction');
  const accounts: AccountResult[] = data.accounts
    .filter((a) => a.mergedInto === null)
    .map((a) => {
      const f = roleFacts.get(a.id);
      const s = scores.get(a.id);
      return {
        accountId: a.id,
        key: a.key,
        roles: f?.roles ?? [],
        score: s?.score ?? 0,
        points: s?.points ?? zeroFactors(),
        reasons: reasons.get(a.id) ?? [],
        jurisdiction: resolveAccount(a),
        flaggedGroups: (f?.memberOf ?? []).map((m) => m.groupId),
        betweenness: bc.normalized.get(accountKey(a.id)) ?? 0,
      };
    })
    // Equal (rounded) scores: a producer first, then by id, so the order is total and repeatable.
    .sort(
      (a, b) =>
        b.score - a.score ||
        Number(b.roles.includes('producer')) - Number(a.roles.includes('producer')) ||
        a.accountId - b.accountId,
    );
  const countries = summarizeCountries(
    accounts.map((a) => ({
      accountId: a.accountId,
      jurisdiction: a.jurisdiction,
      roles: a.roles,
      score: a.score,
      flaggedGroups: a.flaggedGroups,
    })),
  );
  done();

  const groups: GroupResult[] = data.groups.map((g) => ({
    ...flagging.groups.get(g.id)!,
    cluster: clustering.clusterOfGroup.get(g.id) ?? null,
    component: clustering.componentOfGroup.get(g.id) ?? null,
    members: membership.hasNode(groupKey(g.id)) ? membership.degree(groupKey(g.id)) : 0,
    messages: data.messageCount.get(g.id) ?? 0,
  }));
  const { normalized: _n, ...centrality } = bc;
  void _n;
  return {
    at: Date.now(),
    toolVersion: TOOL_VERSION,
    params,
    matched: data.matched,
    accounts,
    groups,
    clusters: clustering.clusters,
    components: clustering.components,
    modularity: clustering.modularity,
    countries,
    centrality,
    graphs: { membership: size(membership), propagation: size(propagation), groups: size(groupGraph) },
    timings,
  };
}
