// Text output: the "Serving Benchmark Result" block in the seed's exact layout (50-column rules,
// 40-column labels, 2 decimals; n/a for a statistic without values), and a few lines explaining where
// the time went, led by why a run has no figures or partial ones.
import { routingLine } from './routing.ts';
import type { BlockFigures, Summary } from '../protocol/summary.ts';

const WIDTH = 50;

/** Python's '{s:{c}^{n}}'.format: centred, extra padding on the right. */
export function centre(text: string, fill: string, width = WIDTH): string {
  const pad = Math.max(0, width - text.length);
  const left = Math.floor(pad / 2);
  return fill.repeat(left) + text + fill.repeat(pad - left);
}

/** Python's '{:<40} {:<10.2f}'.format(label, value), trailing blanks trimmed. */
export function line(label: string, value: number): string {
  return `${label.padEnd(40)} ${pyFixed2(value)}`;
}

/** Python's '{:.2f}': like toFixed(2), but an exact binary tie (x = odd/8) rounds to even, and nan/inf. */
function pyFixed2(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const eighths = x * 8;
  if (Number.isInteger(eighths) && eighths % 2 !== 0) {
    const lo = Math.floor(x * 100); // x * 100 = 12.5 × odd, exact
    return ((lo % 2 === 0 ? lo : lo + 1) / 100).toFixed(2);
  }
  return x.toFixed(2);
}

/** A latency line: n/a when the statistic has no values (no completed request, or one-token outputs for ITL). */
function figure(label: string, value: number): string {
  return Number.isFinite(value) ? line(label, value) : `${label.padEnd(40)} n/a`;
}

export function formatBlock(s: BlockFigures): string {
  const out = [
    centre(' Serving Benchmark Result ', '='),
    line('Request throughput (req/s):', s.requestThroughput),
    line('Output token throughput (tok/s):', s.outputTokenThroughput),
    line('Total Token throughput (tok/s):', s.totalTokenThroughput),
  ];
  const section = (title: string, key: 'ttftMs' | 'tpotMs' | 'itlMs' | 'e2elMs', short: string) => {
    out.push(centre(title, '-'));
    out.push(figure(`Mean ${short} (ms):`, s[key].mean));
    out.push(figure(`Median ${short} (ms):`, s[key].median));
    out.push(figure(`P99 ${short} (ms):`, s[key].p99));
  };
  section('Time to First Token', 'ttftMs', 'TTFT');
  section('Time per Output Token (excl. 1st token)', 'tpotMs', 'TPOT');
  section('Inter-token Latency', 'itlMs', 'ITL');
  section('End-to-end Latency', 'e2elMs', 'E2EL');
  out.push('='.repeat(WIDTH));
  return out.join('\n');
}

/** Which iterations a pool ran: share with prefill chunks and mean durations. */
function iterationMix(w: Summary['workers'][string]): string {
  const parts: string[] = [];
  if (w.prefillIterationFraction > 0) parts.push(`${(w.prefillIterationFraction * 100).toFixed(1)}% of iterations carry prefill, mean ${w.meanPrefillIterationMs.toFixed(1)} ms`);
  if (w.prefillIterationFraction < 1) parts.push(`decode-only iterations ${w.meanDecodeIterationMs.toFixed(1)} ms`);
  return parts.join('; ');
}

/** Lines under the block: requests, where the time went, cache and routing. */
export function formatNotes(s: Summary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const b = s.breakdownMs;
  const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines: string[] = [];
  const stop = s.interrupted;
  if (stop) lines.push(`INTERRUPTED (${stop.signal}) at simulated ${stop.simulatedS.toFixed(1)} s: the figures are those of the ${s.requests.issued} requests ended so far; ${stop.inFlight} in flight and ${stop.notSent} not yet sent are left out`);
  if (s.noneCompleted) lines.push(`no request completed: ${s.noneCompleted}`);
  lines.push(
    `requests: ${s.requests.issued} issued, ${s.requests.completed} completed, ${s.requests.timedOut} timed out, ${s.requests.rejected} rejected; duration ${s.durationS.toFixed(1)} s`,
    ...(s.noneCompleted ? [] : [`mean E2EL = client wait ${sec(b.clientWait)} + queue ${sec(b.queue)} + prefill ${sec(b.prefill)} + transfer ${sec(b.transfer)} + decode ${sec(b.decode)}; ${pct(s.clientWaitedFraction)} of requests waited for a client connection (peak ${s.client.peakWaiting} waiting)`]),
    `prefix-cache hit rate: ${Object.entries(s.kvCache.hitRate).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`,
    `workers: ${Object.entries(s.workers).map(([k, w]) => `${k} ${w.workers}x${w.ranksPerWorker} ranks busy ${pct(w.busyFraction)} (${iterationMix(w)})`).join('; ')}`,
    routingLine(s.routing, s.router),
  );
  lines.push(`load: ${s.load}; ${s.gpus} GPUs, ${s.outputTokenThroughputPerGpu.toFixed(1)} output tok/s per GPU, ${s.outputTokenThroughputPerUser.toFixed(1)} tok/s per user`);
  if (s.goodput) {
    // an SLO the run does not judge is held at Infinity (null in summary.json): left out of the line
    const slos = [['TTFT', s.goodput.ttftMs], ['ITL', s.goodput.itlMs]].filter(([, v]) => Number.isFinite(v)).map(([name, v]) => `${name} <= ${v} ms`);
    lines.push(`goodput (${slos.join(', ')}): ${s.goodput.requestThroughput.toFixed(2)} req/s (${s.goodput.requests} requests)`);
  }
  // where the settings or the run's lookups left the cost model's data (also in summary.json modelNotes)
  for (const n of s.modelNotes) lines.push(`model note: ${n}`);
  return lines.join('\n');
}
