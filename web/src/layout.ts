/**
 * A layout that needs no simulation, so 20,000 nodes are placed in milliseconds, deterministically:
 * clusters sit on a golden-angle spiral (big clusters first, near the middle), each cluster's groups on a
 * ring around its centre, and each account at the mean of its groups' positions plus a small spiral offset
 * so that accounts sharing the same groups do not stack. Bridges land between the clusters they join.
 * O(nodes + memberships).
 */
export interface LayoutInput {
  groups: { id: string; cluster: number | null }[];
  /** For each account, the group ids it belongs to (in the graph sent). */
  accounts: { id: string; groups: string[] }[];
}

const GOLDEN = Math.PI * (3 - Math.sqrt(5));

export function clusterLayout(input: LayoutInput): Map<string, { x: number; y: number }> {
  const pos = new Map<string, { x: number; y: number }>();
  const byCluster = new Map<number, string[]>();
  for (const g of input.groups) {
    const c = g.cluster ?? -1;
    const list = byCluster.get(c) ?? byCluster.set(c, []).get(c)!;
    list.push(g.id);
  }
  const clusters = [...byCluster.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
  // Sunflower packing: each cluster's centre sits at the radius that encloses the area of all bigger
  // clusters, so rings neither overlap much nor drift far apart.
  let area = 0;
  clusters.forEach(([, ids], i) => {
    const ring = 4 + 3 * Math.sqrt(ids.length);
    const r = i === 0 ? 0 : Math.sqrt(area) * 1.1 + ring;
    area += (2.4 * ring) ** 2;
    const cx = r * Math.cos(i * GOLDEN);
    const cy = r * Math.sin(i * GOLDEN);
    ids.forEach((id, j) => {
      const a = (2 * Math.PI * j) / ids.length;
      const rr = ids.length === 1 ? 0 : ring * 0.6;
      pos.set(id, { x: cx + rr * Math.cos(a), y: cy + rr * Math.sin(a) });
    });
  });
  // Accounts per "home" (their set of groups) get a sunflower spiral around that home.
  const seen = new Map<string, number>();
  for (const a of input.accounts) {
    let x = 0;
    let y = 0;
    let n = 0;
    for (const g of a.groups) {
      const p = pos.get(g);
      if (!p) continue;
      x += p.x;
      y += p.y;
      n++;
    }
    if (n) {
      x /= n;
      y /= n;
    }
    const home = n ? a.groups.join(',') : '';
    const k = seen.get(home) ?? 0;
    seen.set(home, k + 1);
    const rr = 1.2 * Math.sqrt(k + 1);
    pos.set(a.id, { x: x + rr * Math.cos(k * GOLDEN), y: y + rr * Math.sin(k * GOLDEN) });
  }
  return pos;
}
