// The KV router's choice among scored targets: argmin with Dynamo's tie-break (smallest indexed tree,
// then uniformly random) at temperature 0, softmax over min-max-normalised costs above it.

/** The cheapest of candidates `cands[0 .. n-1]` (target indices into `cost`); ties: smallest tree, then random. */
export function argminPick(cost: Float64Array, cands: Int32Array, n: number, treeSize: (i: number) => number, random: () => number): number {
  let best = cands[0];
  let ties = 1;
  for (let k = 1; k < n; k++) {
    const c = cost[cands[k]];
    if (c < cost[best]) (best = cands[k]), (ties = 1);
    else if (c === cost[best]) ties++;
  }
  if (ties === 1) return best;
  const tied: number[] = [];
  for (let k = 0; k < n; k++) if (cost[cands[k]] === cost[best]) tied.push(cands[k]);
  const minTree = Math.min(...tied.map(treeSize));
  const smallest = tied.filter((i) => treeSize(i) === minTree);
  return smallest.length === 1 ? smallest[0] : smallest[Math.floor(random() * smallest.length)];
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
