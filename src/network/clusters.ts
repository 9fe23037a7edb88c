import { UndirectedGraph } from 'graphology';
import type { AbstractGraph as Graph } from 'graphology-types';
import louvainImport from 'graphology-communities-louvain';
import { connectedComponents } from 'graphology-components';
import type { CaseData } from './data.js';
import type { Flagging } from './flagged.js';
import { groupKey, idOf } from './graphs.js';
import { seededRandom } from './rng.js';

/**
 * Clusters of the network: the group–group graph restricted to flagged groups (unflagged groups belong to
 * no cluster), split into connected components and, inside them, Louvain communities (weights from
 * graphs.ts: shared members and shared media, each 1/(k−1) for k the groups it is in; resolution 1;
 * seeded so that a re-run gives the same clusters). A cluster is a Louvain
 * community; bridges are the accounts that are members of flagged groups in several clusters, and the
 * group–group links that cross clusters. Louvain: O(E log V) in practice; components O(V + E).
 */
export interface Cluster {
  id: number;
  component: number;
  groupIds: number[];
  memberCount: number;
  /** Accounts in this cluster's groups that are also in other clusters' groups. */
  bridgeAccounts: number[];
  /** Links to other clusters: the other cluster, the summed weight, the group pairs. */
  links: { cluster: number; weight: number; groupPairs: [number, number][] }[];
}

export interface Clustering {
  clusters: Cluster[];
  clusterOfGroup: Map<number, number>;
  componentOfGroup: Map<number, number>;
  components: number;
  modularity: number | null;
  /** account id → clusters whose flagged groups it was a member of. */
  clustersOfAccount: Map<number, number[]>;
}

// A CommonJS package typed with `export default`: under NodeNext the default import is the function itself.
const louvain = louvainImport as unknown as (typeof louvainImport)['default'];

export const LOUVAIN_SEED = 20160601;
export const LOUVAIN_RESOLUTION = 1;

/** The induced subgraph on `keys`. O(V + E). */
function induced(g: Graph, keys: string[]): Graph {
  const out = new UndirectedGraph();
  const keep = new Set(keys);
  for (const k of keys) out.addNode(k);
  g.forEachEdge((_e, attrs, s, t) => {
    if (keep.has(s) && keep.has(t)) out.addEdge(s, t, attrs);
  });
  return out;
}

function communities(
  flagged: Graph,
  seed: number,
  resolution: number,
): { of: Map<string, number>; modularity: number | null } {
  if (flagged.size === 0) {
    return { of: new Map(flagged.nodes().map((n, i) => [n, i])), modularity: null };
  }
  const r = louvain.detailed(flagged, { getEdgeWeight: 'weight', rng: seededRandom(seed), resolution });
  return { of: new Map(Object.entries(r.communities)), modularity: r.modularity };
}

/** Numbers clusters by their smallest group id, so ids do not depend on Louvain's labels. */
function numbered(of: Map<string, number>): Map<number, number> {
  const byLabel = new Map<number, number[]>();
  for (const [node, label] of of) (byLabel.get(label) ?? byLabel.set(label, []).get(label)!).push(idOf(node));
  const ordered = [...byLabel.values()].map((ids) => ids.sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
  const out = new Map<number, number>();
  ordered.forEach((ids, i) => ids.forEach((gid) => out.set(gid, i)));
  return out;
}

export function clusterGroups(
  data: CaseData,
  groupGraph: Graph,
  flagging: Flagging,
  seed = LOUVAIN_SEED,
  resolution = LOUVAIN_RESOLUTION,
): Clustering {
  const flaggedKeys = data.groups
    .filter((g) => flagging.groups.get(g.id)!.flagged)
    .map((g) => groupKey(g.id));
  const flagged = induced(groupGraph, flaggedKeys);
  const componentOfGroup = new Map<number, number>();
  connectedComponents(flagged)
    .map((c) => c.map(idOf).sort((a, b) => a - b))
    .sort((a, b) => a[0]! - b[0]!)
    .forEach((c, i) => c.forEach((gid) => componentOfGroup.set(gid, i)));
  const { of, modularity } = communities(flagged, seed, resolution);
  const clusterOfGroup = numbered(of);
  const clustersOfAccount = new Map<number, number[]>();
  const members = new Map<number, Set<number>>();
  for (const [gid, c] of clusterOfGroup) {
    for (const m of data.members.get(gid) ?? []) {
      const cs =
        clustersOfAccount.get(m.accountId) ?? clustersOfAccount.set(m.accountId, []).get(m.accountId)!;
      if (!cs.includes(c)) cs.push(c);
      (members.get(c) ?? members.set(c, new Set()).get(c)!).add(m.accountId);
    }
  }
  for (const cs of clustersOfAccount.values()) cs.sort((a, b) => a - b);
  const count = new Set(clusterOfGroup.values()).size;
  const clusters: Cluster[] = Array.from({ length: count }, (_, id) => ({
    id,
    component: -1,
    groupIds: [],
    memberCount: members.get(id)?.size ?? 0,
    bridgeAccounts: [],
    links: [],
  }));
  for (const [gid, c] of [...clusterOfGroup].sort((a, b) => a[0] - b[0])) {
    clusters[c]!.groupIds.push(gid);
    clusters[c]!.component = componentOfGroup.get(gid)!;
  }
  for (const [acc, cs] of clustersOfAccount)
    if (cs.length > 1) for (const c of cs) clusters[c]!.bridgeAccounts.push(acc);
  for (const c of clusters) c.bridgeAccounts.sort((a, b) => a - b);
  flagged.forEachEdge((_e, attrs, s, t) => {
    const [a, b] = [idOf(s), idOf(t)];
    const [ca, cb] = [clusterOfGroup.get(a)!, clusterOfGroup.get(b)!];
    if (ca === cb) return;
    for (const [x, y] of [
      [ca, cb],
      [cb, ca],
    ] as const) {
      const links = clusters[x]!.links;
      const l =
        links.find((k) => k.cluster === y) ??
        (links.push({ cluster: y, weight: 0, groupPairs: [] }), links[links.length - 1]!);
      l.weight += Number(attrs.weight);
      l.groupPairs.push(x === ca ? [a, b] : [b, a]);
    }
  });
  const components = new Set(componentOfGroup.values()).size;
  return { clusters, clusterOfGroup, componentOfGroup, components, modularity, clustersOfAccount };
}
