// The answers a sweep prints (and answers.json holds for the report): per traffic level the cheapest
// deployments meeting the SLA, ranked (GPUs, then cost); the max sustainable load per deployment;
// the Pareto frontiers of tokens/s/GPU vs tokens/s/user and of goodput vs GPUs. Means over seeds.
import { textTable } from '../util/text-table.ts';
import { meanOf } from '../util/stats.ts';
import { AGGREGATE_METRICS, type Figures } from './figures.ts';
import { asciiPlot, frontierOf, paretoFrontier, type ParetoPoint } from './pareto.ts';
import type { Scalar } from './plan.ts';
import { isTrafficColumn, type Manifest } from './points.ts';
import type { SearchResult } from './search.ts';
import { conditionValue, meetsSla, parseSla, type Sla } from './sla.ts';
import type { TablePoint } from './tables.ts';

export interface RankedPoint {
  point: number;
  deployment: Record<string, Scalar>;
  gpus: number;
  costPerMillionUsd: number | null;
  outputTokensPerGpu: number;
  outputTokensPerUser: number;
  goodput: number | null;
  /** The SLA conditions' values (means over seeds), by condition. */
  sla: Record<string, number>;
}

export interface Answers {
  data: {
    sla: string | null;
    seeds: number;
    gpuHourUsd: number | null;
    cheapest: { traffic: string; points: number; ranked: RankedPoint[] }[];
    maxLoad: SearchResult[];
    pareto: { throughputVsInteractivity: ParetoPoint[]; goodputVsGpus: ParetoPoint[] };
  };
  text: string;
}

/** Fixed formatting of printed figures: integers from 1000 up, then 1, 2 decimals, 3 significant digits. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

const mean = (runs: readonly Figures[], get: (f: Figures) => number) => meanOf(runs.map(get));
const cost = (f: Figures, price: number) => (f.outputTokenThroughput > 0 ? (price * f.gpusTotal * 1e6) / (f.outputTokenThroughput * 3600) : NaN);
const label = (inputs: Record<string, Scalar>) => Object.entries(inputs).map(([k, v]) => `${k}=${v}`).join(' ') || 'base';
const nullable = (x: number) => (Number.isFinite(x) ? x : null);

function ranked(p: TablePoint, manifest: Manifest, sla: Sla | undefined): RankedPoint {
  const runs = p.runs.map((r) => r.figures);
  const price = manifest.gpuHourUsd;
  return {
    point: p.index,
    deployment: Object.fromEntries(Object.entries(p.inputs).filter(([k]) => !isTrafficColumn(k, { search: manifest.search ?? undefined }))),
    gpus: runs[0]?.gpusTotal ?? NaN,
    costPerMillionUsd: price !== null ? nullable(mean(runs, (f) => cost(f, price))) : null,
    outputTokensPerGpu: mean(runs, AGGREGATE_METRICS.output_token_throughput_per_gpu.get),
    outputTokensPerUser: mean(runs, (f) => f.perUser.mean),
    goodput: nullable(mean(runs, AGGREGATE_METRICS.goodput.get)),
    sla: Object.fromEntries((sla?.conditions ?? []).map((c) => [c.text, conditionValue(c, runs)])),
  };
}

const MAX_PRINTED_POINTS = 60;

/** Every point's headline figures (means over seeds), or a pointer to points.csv for large sweeps. */
function pointsText(manifest: Manifest, points: readonly TablePoint[]): string {
  const n = manifest.seeds.length;
  if (points.length > MAX_PRINTED_POINTS) return `${points.length} points: every figure with its 95 % CI is in points.csv`;
  const figs: [string, (f: Figures) => number, number][] = [
    ['req/s', (f) => f.requestThroughput, 1],
    ['TTFT mean s', (f) => f.ttft.mean / 1000, 1000],
    ['TTFT p99 s', (f) => f.ttft.p99 / 1000, 1000],
    ['ITL mean ms', (f) => f.itl.mean, 1],
    ['ITL p99 ms', (f) => f.itl.p99, 1],
    ['tok/s/GPU', AGGREGATE_METRICS.output_token_throughput_per_gpu.get, 1],
    ['tok/s/user', (f) => f.perUser.mean, 1],
    ['goodput req/s', AGGREGATE_METRICS.goodput.get, 1],
    ['cut off', (f) => f.requests.timedOut + f.requests.rejected, 1],
  ];
  const head = [...manifest.columns, 'GPUs', ...figs.map(([h]) => h)];
  const body = points.map((p) => {
    const runs = p.runs.map((r) => r.figures);
    return [...manifest.columns.map((c) => String(p.inputs[c] ?? '')), String(runs[0]?.gpusTotal ?? ''), ...figs.map(([, get]) => fmt(mean(runs, get)))];
  });
  return `points (${n > 1 ? `mean over ${n} seeds` : '1 seed'}; every figure with its 95 % CI in points.csv)\n${textTable(head, body, manifest.columns.length)}`;
}

export function answers(manifest: Manifest, points: readonly TablePoint[], searches: readonly SearchResult[]): Answers {
  const sla = manifest.sla !== null ? parseSla(manifest.sla) : undefined;
  const text: string[] = [pointsText(manifest, points), ''];
  const all = points.map((p) => ranked(p, manifest, sla));
  const byTraffic = new Map<string, number[]>();
  manifest.points.forEach((p, i) => byTraffic.set(p.traffic, [...(byTraffic.get(p.traffic) ?? []), i]));
  const cheapest: Answers['data']['cheapest'] = [];
  if (sla) {
    text.push(`SLA ${sla.text} (each statistic's mean over ${manifest.seeds.length} seed${manifest.seeds.length > 1 ? 's' : ''})`);
    for (const [traffic, idx] of byTraffic) {
      const ok = idx.filter((i) => meetsSla(sla, points[i].runs.map((r) => r.figures))).map((i) => all[i]);
      ok.sort((a, b) => a.gpus - b.gpus || (a.costPerMillionUsd ?? 0) - (b.costPerMillionUsd ?? 0) || b.outputTokensPerGpu - a.outputTokensPerGpu || a.point - b.point);
      cheapest.push({ traffic, points: idx.length, ranked: ok });
      text.push('', `traffic ${traffic || '(the base workload)'}: ${ok.length} of ${idx.length} deployments meet the SLA${ok.length > 0 ? '' : ' — none'}`);
      if (ok.length === 0) continue;
      const cols = Object.keys(ok[0].deployment);
      const head = ['rank', ...cols, 'GPUs', ...(manifest.gpuHourUsd !== null ? ['$/Mtok'] : []), ...sla.conditions.map((c) => c.text.replace(/(<=|>=|<|>).*$/, '')), 'tok/s/GPU', 'tok/s/user'];
      const body = ok.map((r, k) => [String(k + 1), ...cols.map((c) => String(r.deployment[c] ?? '')), String(r.gpus), ...(manifest.gpuHourUsd !== null ? [fmt(r.costPerMillionUsd)] : []), ...sla.conditions.map((c) => fmt(r.sla[c.text])), fmt(r.outputTokensPerGpu), fmt(r.outputTokensPerUser)]);
      text.push(textTable(head, body, 1 + cols.length));
    }
  } else text.push('no SLA given (--sla or sla: in the plan): no ranking');

  if (searches.length > 0) {
    const s = searches[0];
    text.push('', `max sustainable ${s.key} under the SLA (bisection on ${s.low} + k·${s.tolerance} up to ${s.high}; the true limit lies below the next lattice value)`);
    const cols = [...new Set(searches.flatMap((r) => Object.keys(r.inputs)))];
    const body = searches.map((r) => [
      ...cols.map((c) => String(r.inputs[c] ?? '')),
      r.status === 'below' ? `< ${r.low}` : r.status === 'above' ? `>= ${r.high}` : `${r.value} (< ${Number((r.value + r.tolerance).toPrecision(12))})`,
      String(r.evaluated.length),
    ]);
    text.push(textTable([...cols, `max ${s.key}`, 'simulated values'], body, cols.length));
  }

  const tvi = paretoFrontier(all.map((r, i) => ({ point: r.point, label: label(points[i].inputs), x: r.outputTokensPerUser, y: r.outputTokensPerGpu })));
  const gvg = paretoFrontier(all.map((r, i) => ({ point: r.point, label: label(points[i].inputs), x: r.gpus, y: r.goodput ?? NaN })), 'min');
  text.push('', 'Pareto frontier: output tokens/s/GPU vs tokens/s/user (AIPerf output_token_throughput_per_user, mean)');
  text.push(textTable(['point', 'tok/s/user', 'tok/s/GPU'], frontierOf(tvi).map((p) => [p.label, fmt(p.x), fmt(p.y)]), 1));
  text.push('', asciiPlot(tvi, { xLabel: 'output tokens/s/user', yLabel: 'output tokens/s/GPU' }));
  if (gvg.some((p) => p.frontier)) {
    text.push('', 'Pareto frontier: goodput (req/s) vs GPUs');
    text.push(textTable(['point', 'GPUs', 'goodput req/s'], frontierOf(gvg).map((p) => [p.label, String(p.x), fmt(p.y)]), 1));
  }
  const clean = <T>(x: T): T => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as T;
  return {
    data: clean({ sla: manifest.sla, seeds: manifest.seeds.length, gpuHourUsd: manifest.gpuHourUsd, cheapest, maxLoad: [...searches], pareto: { throughputVsInteractivity: tvi, goodputVsGpus: gvg } }),
    text: text.join('\n') + '\n',
  };
}
