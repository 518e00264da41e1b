// Pareto frontiers of sweep points (both coordinates to maximise, or x to minimise) and a plain-text
// scatter plot that marks the frontier, for the terminal.

export interface ParetoPoint {
  point: number;
  label: string;
  x: number;
  y: number;
  frontier: boolean;
}

/**
 * Mark the points no other point dominates (at least as good in both, better in one). `xBetter`
 * says whether a larger x is better ('max') or a smaller one ('min'); y is always maximised.
 * Points with a non-finite coordinate are never on the frontier.
 */
export function paretoFrontier(points: readonly Omit<ParetoPoint, 'frontier'>[], xBetter: 'max' | 'min' = 'max'): ParetoPoint[] {
  const sx = xBetter === 'max' ? 1 : -1;
  const ok = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const dominated = (p: Omit<ParetoPoint, 'frontier'>) => ok.some((q) => q !== p && sx * q.x >= sx * p.x && q.y >= p.y && (sx * q.x > sx * p.x || q.y > p.y));
  return points.map((p) => ({ ...p, frontier: Number.isFinite(p.x) && Number.isFinite(p.y) && !dominated(p) }));
}

/** The frontier points sorted by x. */
export function frontierOf(points: readonly ParetoPoint[]): ParetoPoint[] {
  return points.filter((p) => p.frontier).sort((a, b) => a.x - b.x || a.y - b.y || a.point - b.point);
}

const tick = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3));

/** A text scatter plot: '*' frontier points, 'o' others, '+' where both fall in one cell. */
export function asciiPlot(points: readonly ParetoPoint[], o: { xLabel: string; yLabel: string; width?: number; height?: number }): string {
  const W = o.width ?? 60;
  const H = o.height ?? 16;
  const ok = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (ok.length === 0) return '(no points with both values)';
  let [x0, x1, y0, y1] = [Math.min(...ok.map((p) => p.x)), Math.max(...ok.map((p) => p.x)), Math.min(...ok.map((p) => p.y)), Math.max(...ok.map((p) => p.y))];
  if (x0 === x1) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const grid = Array.from({ length: H }, () => Array.from({ length: W }, () => ' '));
  for (const p of ok) {
    const c = Math.round(((p.x - x0) / (x1 - x0)) * (W - 1));
    const r = H - 1 - Math.round(((p.y - y0) / (y1 - y0)) * (H - 1));
    const mark = p.frontier ? '*' : 'o';
    const cur = grid[r][c];
    grid[r][c] = cur === ' ' || cur === mark ? mark : '+';
  }
  const lw = Math.max(tick(y0).length, tick(y1).length);
  const lines = [o.yLabel];
  grid.forEach((row, r) => {
    const label = r === 0 ? tick(y1) : r === H - 1 ? tick(y0) : '';
    lines.push(`${label.padStart(lw)} |${row.join('').trimEnd()}`);
  });
  lines.push(`${' '.repeat(lw)} +${'-'.repeat(W)}`);
  const left = tick(x0);
  const right = tick(x1);
  lines.push(`${' '.repeat(lw + 2)}${left}${right.padStart(W - left.length)}`);
  lines.push(`${' '.repeat(lw + 2)}${o.xLabel}   (* Pareto frontier, o dominated)`);
  return lines.join('\n');
}
