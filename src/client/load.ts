// Load modes as AIPerf has them: fixed schedule (each request at its trace timestamp), request rate
// (open loop, Poisson or constant gaps, optionally capped at a concurrency: a tick finding every slot
// busy is skipped, as AIPerf's newer request-rate strategy does; skipped ticks are not simulated one by
// one, the next is the first after a request ends) and concurrency (closed loop: N users,
// each sends its next request as soon as its previous one ends). The registry pattern of every plug-in
// point; requests come from the trace or workload in order (AIPerf 0.1.1 samples with replacement,
// newer versions shuffle: servesim keeps the order, so conversations keep their turn order).
import type { TraceRequest } from '../protocol/trace.ts';
import type { Scenario } from '../scenario/schema.ts';
import { clockResolutionMs } from '../util/clock.ts';
import { inputError } from '../util/errors.ts';
import type { Rng } from '../util/random.ts';
import { Registry } from '../util/registry.ts';

export type ClientSettings = Scenario['client'];

export interface LoadGenerator {
  readonly name: string;
  /** Requests it will send. */
  readonly count: number;
  /** When the next open-loop arrival is due (`next`: the request it would send), or null if none. */
  nextArrivalMs(nowMs: number, next: TraceRequest | undefined): number | null;
  /** At an arrival with `inFlight` requests out: send one now? (false: the tick is skipped). */
  admits(inFlight: number): boolean;
  /** A request ended at `nowMs`: when a closed loop sends the next one, or null. */
  afterEnd(nowMs: number): number | null;
  /** The client's start time of a request sent at `nowMs` (TTFT and E2EL count from it). */
  scheduledMs(req: TraceRequest, nowMs: number): number;
}

type LoadFactory = (c: ClientSettings, rng: Rng, available: number) => LoadGenerator;

/** Requests to send: --request-count, at most what the trace or workload holds. */
function countOf(c: ClientSettings, available: number): number {
  if (c.request_count === undefined) return available;
  if (c.request_count > available) throw inputError({ field: 'client.request_count' }, `${c.request_count} exceeds the ${available} requests of the trace or workload`);
  return c.request_count;
}

export const loadModes = new Registry<LoadFactory>('load mode')
  .register('fixed-schedule', 'each request at its trace timestamp (AIPerf --fixed-schedule)', (c, _rng, available) => {
    const count = countOf(c, available);
    let sent = 0;
    return {
      name: 'fixed schedule',
      count,
      nextArrivalMs: (_now, next) => (sent < count && next ? next.timestampMs : null),
      admits: () => (sent++, true),
      afterEnd: () => null,
      scheduledMs: (req) => req.timestampMs,
    };
  })
  .register('request-rate', 'open loop at --request-rate (poisson or constant gaps), capped at --concurrency if given', (c, rng, available) => {
    const count = countOf(c, available);
    const rate = c.request_rate!;
    const cap = c.concurrency ?? Infinity;
    const constant = c.request_rate_mode === 'constant';
    const meanGapMs = 1000 / rate;
    let sent = 0;
    let lastTickMs = NaN;
    // at the cap, ticks find every slot busy and are skipped: none is simulated until a request ends
    let paused = false;
    const tick = (now: number, resume: boolean) => {
      if (Number.isNaN(lastTickMs)) return (lastTickMs = 0);
      // the mean gap must move the clock, else every later request would arrive at one instant
      if (now + meanGapMs === now) throw inputError({ field: 'client.request_rate' }, `${rate}/s: gaps of ${meanGapMs} ms are below the simulated clock's resolution at ${now} ms (${clockResolutionMs(now).toPrecision(2)} ms); the requests would all arrive at one instant`);
      // constant: the next tick of the grid; poisson: the next arrival after `now` (memoryless)
      if (constant) lastTickMs = resume ? lastTickMs + meanGapMs * Math.max(1, Math.ceil((now - lastTickMs) / meanGapMs)) : now + meanGapMs;
      else lastTickMs = now + (-Math.log(1 - rng()) * 1000) / rate;
      return lastTickMs;
    };
    return {
      name: `request rate ${rate}/s (${c.request_rate_mode}${Number.isFinite(cap) ? `, concurrency ${cap}` : ''})`,
      count,
      nextArrivalMs: (now) => (sent >= count || paused ? null : tick(now, false)),
      admits: (inFlight) => {
        if (inFlight >= cap) {
          paused = true;
          return false;
        }
        sent++;
        return true;
      },
      afterEnd: (now) => {
        if (!paused || sent >= count) return null;
        paused = false;
        return tick(now, true);
      },
      scheduledMs: (_req, now) => now,
    };
  })
  .register('concurrency', 'closed loop of --concurrency users: the next request as soon as one ends', (c, _rng, available) => {
    const count = countOf(c, available);
    const users = c.concurrency ?? 1;
    // arrivals handed out: the first `users` at once, then one per request that ends
    let planned = 0;
    const plan = (now: number, limit: number) => (planned < limit ? (planned++, now) : null);
    return {
      name: `concurrency ${users}`,
      count,
      nextArrivalMs: (now) => plan(now, Math.min(users, count)),
      admits: () => true,
      afterEnd: (now) => plan(now, count),
      scheduledMs: (_req, now) => now,
    };
  });

/** The load mode a scenario's client settings select (AIPerf's order: fixed schedule, request rate, concurrency). */
export function loadModeOf(c: ClientSettings): string {
  if (c.fixed_schedule) {
    if (c.request_rate !== undefined || c.concurrency !== undefined) {
      throw inputError({ field: 'client.fixed_schedule' }, 'a fixed schedule replays the trace timestamps; set client.fixed_schedule: false to send at a rate or a concurrency (run\'s --request-rate / --concurrency do that)');
    }
    return 'fixed-schedule';
  }
  return c.request_rate !== undefined ? 'request-rate' : 'concurrency';
}
