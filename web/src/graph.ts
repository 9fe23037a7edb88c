import Graph from 'graphology';
import { clusterLayout } from './layout';
import type { NetworkData, Role } from './types';

/** Node attributes kept on the graphology graph: what sigma draws plus the facts the side panel shows. */
export interface NodeAttrs {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  kind: 'g' | 'a';
  id: number;
  cluster: number | null;
  country: string | null;
  roles: Role[];
  score: number | null;
  flagged: boolean | null;
}

export type ColourBy = 'cluster' | 'role' | 'country';

// Distinguishable on white, none lighter than 3:1 against the background.
const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#ff7f0e',
  '#393b79',
  '#637939',
  '#8c6d31',
  '#843c39',
  '#7b4173',
  '#3182bd',
];
export const OTHER = '#9aa3ad';
const GROUP_IN_ROLE_MODE = '#34495e';

export const ROLE_COLOURS: Record<Role, string> = {
  producer: '#d62728',
  admin: '#9467bd',
  recruiter: '#e377c2',
  distributor: '#ff7f0e',
  bridge: '#17becf',
  consumer: '#1f77b4',
};
// The role that colours an account with several: the most urgent first.
const ROLE_ORDER: Role[] = ['producer', 'admin', 'recruiter', 'distributor', 'bridge', 'consumer'];

export function primaryRole(roles: Role[]): Role | null {
  for (const r of ROLE_ORDER) if (roles.includes(r)) return r;
  return null;
}

function hashColour(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length];
}

export function colourOf(a: Pick<NodeAttrs, 'kind' | 'cluster' | 'country' | 'roles'>, by: ColourBy): string {
  if (by === 'cluster') return a.cluster === null ? OTHER : PALETTE[a.cluster % PALETTE.length];
  if (by === 'country')
    return a.kind === 'g' ? GROUP_IN_ROLE_MODE : a.country ? hashColour(a.country) : OTHER;
  if (a.kind === 'g') return GROUP_IN_ROLE_MODE;
  const r = primaryRole(a.roles);
  return r ? ROLE_COLOURS[r] : OTHER;
}

/** The legend for the current colouring: value → colour, most frequent first, capped. */
export function legend(
  graph: Graph<NodeAttrs>,
  by: ColourBy,
  cap = 14,
): { label: string; colour: string; count: number }[] {
  const counts = new Map<string, { colour: string; count: number }>();
  graph.forEachNode((_k, a) => {
    if (by !== 'cluster' && a.kind === 'g') return;
    const label =
      by === 'cluster'
        ? a.cluster === null
          ? ''
          : String(a.cluster)
        : by === 'country'
          ? (a.country ?? '')
          : (primaryRole(a.roles) ?? '');
    const e = counts.get(label) ?? counts.set(label, { colour: a.color, count: 0 }).get(label)!;
    e.count++;
  });
  return [...counts.entries()]
    .map(([label, v]) => ({ label, ...v }))
    .sort((a, b) => b.count - a.count)
    .slice(0, cap);
}

/** Columnar API answer → graphology graph with a precomputed layout. O(nodes + edges). */
export function buildGraph(data: NetworkData, by: ColourBy): Graph<NodeAttrs> {
  const n = data.nodes;
  const graph = new Graph<NodeAttrs>({ type: 'undirected', multi: false, allowSelfLoops: false });
  const key = (i: number) => `${n.kind[i]}${n.id[i]}`;
  let maxScore = 0;
  for (let i = 0; i < n.count; i++) maxScore = Math.max(maxScore, n.score[i] ?? 0);
  const groupsOf: string[][] = Array.from({ length: n.count }, () => []);
  for (let e = 0; e < data.edges.count; e++) {
    const s = data.edges.source[e];
    const t = data.edges.target[e];
    const [acc, grp] = n.kind[s] === 'a' ? [s, t] : [t, s];
    groupsOf[acc].push(key(grp));
  }
  const groups: { id: string; cluster: number | null }[] = [];
  const accounts: { id: string; groups: string[] }[] = [];
  for (let i = 0; i < n.count; i++) {
    if (n.kind[i] === 'g') groups.push({ id: key(i), cluster: n.cluster[i] });
    else accounts.push({ id: key(i), groups: groupsOf[i] });
  }
  const pos = clusterLayout({ groups, accounts });
  for (let i = 0; i < n.count; i++) {
    const k = key(i);
    const p = pos.get(k) ?? { x: 0, y: 0 };
    const score = n.score[i];
    const attrs: NodeAttrs = {
      x: p.x,
      y: p.y,
      kind: n.kind[i],
      id: n.id[i],
      label: n.label[i],
      cluster: n.cluster[i],
      country: n.country[i],
      roles: n.roles[i] ?? [],
      score,
      flagged: n.flagged[i],
      size:
        n.kind[i] === 'g'
          ? n.flagged[i]
            ? 9
            : 6
          : 1.5 + (maxScore > 0 && score ? 9 * Math.sqrt(score / maxScore) : 0),
      color: '',
    };
    attrs.color = colourOf(attrs, by);
    graph.addNode(k, attrs);
  }
  for (let e = 0; e < data.edges.count; e++) {
    const s = key(data.edges.source[e]);
    const t = key(data.edges.target[e]);
    if (!graph.hasEdge(s, t))
      graph.addEdge(s, t, { color: data.edges.admin[e] ? '#8e7cc3' : '#d3d8de', size: 0.5 });
  }
  return graph;
}
