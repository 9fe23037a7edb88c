import type { AbstractGraph as Graph } from 'graphology-types';
import { seededRandom } from './rng.js';

/**
 * Betweenness on an unweighted undirected graph, Brandes (2001) on a CSR copy of the graph (typed arrays:
 * no per-node objects in the inner loop).
 *
 * Exact: one BFS + dependency accumulation from every node, O(V·E) time, O(V + E) memory.
 * Sampled (Brandes & Pich 2007), used above EXACT_MAX_NODES: the same from k pivots drawn uniformly
 * without replacement (seeded), scaled by V/k — an unbiased estimate in O(k·E). Error: each pivot's
 * dependency δ_s(v)/(V-2) lies in [0, 1], so by Hoeffding and a union bound over the V nodes, with
 * probability ≥ 1 − δ every node's normalized betweenness is within ε = sqrt(ln(2V/δ) / (2k)) of its
 * exact value (δ = 0.05 here). That bound is loose; bench/analyze.bench.ts measures the real error.
 */
export const EXACT_MAX_NODES = 5000;
export const PIVOTS = 1000;
export const ERROR_CONFIDENCE = 0.95;

export interface Betweenness {
  /** node key → betweenness over unordered pairs, normalized to [0, 1] by (V−1)(V−2)/2. */
  normalized: Map<string, number>;
  mode: 'exact' | 'sampled';
  pivots: number;
  nodes: number;
  edges: number;
  /** Worst-case absolute error of `normalized` at ERROR_CONFIDENCE (0 when exact). */
  errorBound: number;
}

interface Csr {
  keys: string[];
  offsets: Uint32Array;
  targets: Uint32Array;
}

/** O(V + E). */
function toCsr(g: Graph): Csr {
  const keys = g.nodes();
  const index = new Map(keys.map((k, i) => [k, i]));
  const offsets = new Uint32Array(keys.length + 1);
  keys.forEach((k, i) => (offsets[i + 1] = offsets[i]! + g.degree(k)));
  const targets = new Uint32Array(offsets[keys.length]!);
  const fill = offsets.slice(0, keys.length);
  g.forEachEdge((_e, _a, s, t) => {
    const [i, j] = [index.get(s)!, index.get(t)!];
    targets[fill[i]!++] = j;
    targets[fill[j]!++] = i;
  });
  return { keys, offsets, targets };
}

/** Adds the dependencies of every node on source s into `acc`. O(V + E). */
function accumulateFrom(
  s: number,
  csr: Csr,
  acc: Float64Array,
  buf: { dist: Int32Array; sigma: Float64Array; delta: Float64Array; order: Uint32Array },
): void {
  const { offsets, targets } = csr;
  const { dist, sigma, delta, order } = buf;
  dist.fill(-1);
  sigma.fill(0);
  delta.fill(0);
  dist[s] = 0;
  sigma[s] = 1;
  let head = 0;
  let tail = 0;
  order[tail++] = s;
  while (head < tail) {
    const v = order[head++]!;
    for (let p = offsets[v]!; p < offsets[v + 1]!; p++) {
      const w = targets[p]!;
      if (dist[w]! < 0) {
        dist[w] = dist[v]! + 1;
        order[tail++] = w;
      }
      if (dist[w] === dist[v]! + 1) sigma[w]! += sigma[v]!;
    }
  }
  for (let i = tail - 1; i > 0; i--) {
    const w = order[i]!;
    for (let p = offsets[w]!; p < offsets[w + 1]!; p++) {
      const v = targets[p]!;
      if (dist[v] === dist[w]! - 1) delta[v]! += (sigma[v]! / sigma[w]!) * (1 + delta[w]!);
    }
    acc[w]! += delta[w]!;
  }
}

/** Chooses k distinct pivots from n nodes (partial Fisher–Yates, seeded). O(n). */
function pivots(n: number, k: number, seed: number): Uint32Array {
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const rnd = seededRandom(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, k);
}

export function samplingError(nodes: number, k: number, delta = 1 - ERROR_CONFIDENCE): number {
  return Math.sqrt(Math.log((2 * nodes) / delta) / (2 * k));
}

export function betweenness(
  g: Graph,
  opts: { exactMaxNodes?: number; pivots?: number; seed?: number } = {},
): Betweenness {
  const csr = toCsr(g);
  const n = csr.keys.length;
  const exact = n <= (opts.exactMaxNodes ?? EXACT_MAX_NODES);
  const k = exact ? n : Math.min(n, opts.pivots ?? PIVOTS);
  const sources = exact ? Uint32Array.from({ length: n }, (_, i) => i) : pivots(n, k, opts.seed ?? 1);
  const acc = new Float64Array(n);
  const buf = {
    dist: new Int32Array(n),
    sigma: new Float64Array(n),
    delta: new Float64Array(n),
    order: new Uint32Array(n),
  };
  for (const s of sources) accumulateFrom(s, csr, acc, buf);
  // Ordered pairs → unordered (÷2), the V/k sampling scale, then the (V−1)(V−2)/2 normalization.
  const scale = n > 2 ? ((n / k) * 0.5) / (((n - 1) * (n - 2)) / 2) : 0;
  const normalized = new Map(csr.keys.map((key, i) => [key, acc[i]! * scale]));
  return {
    normalized,
    mode: exact ? 'exact' : 'sampled',
    pivots: k,
    nodes: n,
    edges: g.size,
    errorBound: exact ? 0 : samplingError(n, k),
  };
}
