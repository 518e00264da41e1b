// The KV router's choice among scored targets: argmin with Dynamo's tie-break (smallest indexed tree,
// then uniformly random) at temperature 0, softmax over min-max-normalised costs above it.

/** The cheapest of candidates `cands[0 .. n-1]` (target indices into `cost`); ties: smallest tree, then
 *  random. `smallest` is scratch of at least n entries. */
export function argminPick(cost: Float64Array, cands: Int32Array, n: number, treeSize: (i: number) => number, random: () => number, smallest: Int32Array): number {
  let best = cands[0];
  let ties = 1;
  for (let k = 1; k < n; k++) {
    const c = cost[cands[k]];
    if (c < cost[best]) (best = cands[k]), (ties = 1);
    else if (c === cost[best]) ties++;
  }
  if (ties === 1) return best;
  // the tied candidates with the smallest tree, in candidate order
  const min = cost[best];
  let minTree = Infinity;
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = cands[k];
    if (cost[i] !== min) continue;
    const tree = treeSize(i);
    if (tree < minTree) (minTree = tree), (m = 0);
    if (tree === minTree) smallest[m++] = i;
  }
  return m === 1 ? smallest[0] : smallest[Math.floor(random() * m)];
}

/** A candidate drawn with weight exp(−(cost − min) / ((max − min) · temperature)); uniform when all costs are equal. */
export function softmaxPick(cost: Float64Array, cands: Int32Array, n: number, temperature: number, random: () => number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const c = cost[cands[k]];
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  if (hi === lo) return cands[Math.floor(random() * n)];
  const w: number[] = [];
  for (let k = 0; k < n; k++) w.push(Math.exp(-(cost[cands[k]] - lo) / ((hi - lo) * temperature)));
  const total = w.reduce((a, b) => a + b, 0);
  let u = random() * total;
  for (let k = 0; k < n; k++) {
    u -= w[k];
    if (u < 0) return cands[k];
  }
  return cands[n - 1];
}
