// The run loop's watchdog: the simulated clock must keep advancing and stay in the range where a
// millisecond keeps its fractions. A run that spins at one instant, or schedules an event past the
// clock's range, stops with one line naming what repeats (event kind, worker or request) and why.
import { clockResolutionMs, MAX_TIME_MS } from '../util/clock.ts';
import { inputError, InputError } from '../util/errors.ts';

export { MAX_TIME_MS };

/** Events counted at one instant before the watchdog looks at what repeats: far more than any burst of
 *  arrivals, dispatches, cut-offs and iteration ends `requests` requests can cause at one instant. */
export function stallLimit(requests: number): number {
  return 1_000_000 + 8 * requests;
}

/** Events tallied (after the limit) to name what repeats. */
const SAMPLE_EVENTS = 1000;

/** Why events of `kind` keep coming at one instant. */
const WHY: Record<string, string> = {
  'iteration-end': 'its iterations end where they start (iteration time below the clock resolution): check platform.iteration_slowdown and the cost model',
  arrival: 'arrival gaps are below the clock resolution: check client.request_rate, the workload rate and the trace timestamps',
  'server-arrival': 'router.decision_overhead_ms is below the clock resolution',
  'transfer-done': 'KV transfers take no simulated time',
  timeout: 'cut-offs repeat at one instant',
};

export class Watchdog {
  private lastMs = NaN;
  private count = 0;
  private sample: Map<string, number> | null = null;
  private sampled = 0;

  constructor(private readonly limit: number) {}

  /** Called per event with its time: true once the clock has stood still past the limit; then name
   *  the event with note(). */
  tick(timeMs: number): boolean {
    if (timeMs !== this.lastMs) {
      this.lastMs = timeMs;
      this.count = 0;
      this.sample = null;
      this.sampled = 0;
      return false;
    }
    return ++this.count > this.limit;
  }

  /** An event at the stuck instant, e.g. "iteration-end of agg0"; after enough of them, stop the run. */
  note(subject: string): void {
    const s = (this.sample ??= new Map());
    s.set(subject, (s.get(subject) ?? 0) + 1);
    if (++this.sampled >= SAMPLE_EVENTS) this.trip();
  }

  private trip(): never {
    const [key, n] = [...this.sample!.entries()].sort((a, b) => b[1] - a[1])[0];
    const kind = key.split(' ')[0];
    const share = Math.round((100 * n) / this.sampled);
    throw new InputError(
      `simulated clock stuck at ${this.lastMs} ms for ${this.count} events (resolution ${clockResolutionMs(this.lastMs).toPrecision(2)} ms): ${key} repeats (${share}% of the last ${this.sampled}); ${WHY[kind] ?? 'the run spins without time passing'}`,
    );
  }
}

/** Refuse an event past the clock's range: `what` names it, `check` says which setting to look at. */
export function checkHorizon(timeMs: number, what: string, check: string): void {
  if (timeMs <= MAX_TIME_MS) return;
  throw inputError({}, `${what} at ${timeMs} ms, beyond the simulated clock's range of 2^43 ms (~278 years; past it ms fractions are lost): ${check}`);
}
