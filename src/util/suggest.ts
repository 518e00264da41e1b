// "Did you mean …?" for a mistyped name: the closest candidate by edit distance, if close enough.

/** Levenshtein distance (insert, delete, substitute; case-insensitive). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[t.length];
}

/** The candidate nearest to `name` when at most a third of its letters differ (ties: first listed), or
 *  else the shortest candidate holding every word of `name` (enable_reuse → enable_block_reuse). */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const words = (x: string) => x.toLowerCase().split(/[_\-.]+/).filter((w) => w !== '');
  const mine = words(name);
  const holding = candidates.filter((c) => c !== name && mine.length > 1 && mine.every((w) => words(c).includes(w))).sort((a, b) => a.length - b.length)[0];
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD > 0 && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : holding;
}

/** " (did you mean 'x'?)" or ''. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
