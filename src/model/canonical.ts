/**
 * Follows `mergedInto` chains (identity merges) to the surviving account. O(A · chain length); a chain
 * longer than 64 hops (which merges never make: they only go into unmerged accounts) stops there.
 */
export function canonicalizer(accounts: { id: number; mergedInto: number | null }[]): (id: number) => number {
  const into = new Map(accounts.filter((a) => a.mergedInto !== null).map((a) => [a.id, a.mergedInto!]));
  const memo = new Map<number, number>();
  return (id) => {
    const hit = memo.get(id);
    if (hit !== undefined) return hit;
    let cur = id;
    for (let hops = 0; into.has(cur) && hops < 64; hops++) cur = into.get(cur)!;
    memo.set(id, cur);
    return cur;
  };
}
