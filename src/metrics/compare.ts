// Side-by-side comparison of block figures (simulated vs reported): rows of figure, reported,
// simulated and relative error, shared by `demo`, `check` and `calibrate`.
import type { BlockFigures } from '../protocol/summary.ts';
import { textTable } from '../util/text-table.ts';

export interface FigureRow {
  figure: string;
  reported: number;
  simulated: number;
  /** (simulated − reported) / reported */
  error: number;
}

const STATS = ['mean', 'median', 'p99'] as const;
const LATENCIES = [
  ['ttftMs', 'TTFT'],
  ['itlMs', 'ITL'],
  ['e2elMs', 'E2EL'],
] as const;

/** The figures of the benchmark block (TPOT equals ITL in AIPerf and is not repeated). */
export function figureRows(reported: BlockFigures, simulated: BlockFigures): FigureRow[] {
  const rows: FigureRow[] = [];
  const add = (figure: string, r: number, s: number) => rows.push({ figure, reported: r, simulated: s, error: (s - r) / r });
  add('request throughput (req/s)', reported.requestThroughput, simulated.requestThroughput);
  add('output token throughput (tok/s)', reported.outputTokenThroughput, simulated.outputTokenThroughput);
  add('total token throughput (tok/s)', reported.totalTokenThroughput, simulated.totalTokenThroughput);
  for (const [key, label] of LATENCIES) for (const st of STATS) add(`${st} ${label} (ms)`, reported[key][st], simulated[key][st]);
  return rows;
}

export function formatRows<R extends FigureRow>(rows: R[], extra?: (r: R) => string[], extraHeads: string[] = []): string {
  const head = ['figure', 'reported', 'simulated', 'error %', ...extraHeads];
  const body = rows.map((r) => [r.figure, r.reported.toFixed(2), r.simulated.toFixed(2), `${(r.error * 100).toFixed(1)}`, ...(extra ? extra(r) : [])]);
  return textTable(head, body);
}
