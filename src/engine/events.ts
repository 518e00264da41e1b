// The run loop's types: its options, its events (what each carries, what schedules each kind, how the
// watchdog names one) and the observer a test may attach to a run.
import type { CostModel } from '../cost/model.ts';
import type { RequestRecord } from '../protocol/records.ts';
import type { Role } from '../protocol/roles.ts';
import type { RouterFactory } from '../protocol/router.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Worker } from '../worker/worker.ts';
import type { Pool } from './pools.ts';
import type { SimRequest } from './request.ts';

export type SimEvent =
  | { kind: 'arrival' }
  | { kind: 'server-arrival'; req: SimRequest; pool: Pool }
  | { kind: 'iteration-end'; worker: Worker<SimRequest>; run: number }
  | { kind: 'transfer-done'; req: SimRequest }
  | { kind: 'timeout'; req: SimRequest };

export type SimEventKind = SimEvent['kind'];

export interface SimulationOptions {
  scenario: Scenario;
  cost: CostModel;
  seed: string;
  /** Replacement routers by role (e.g. a plug-in for the agg or prefill pool). */
  routers?: Partial<Record<Role, RouterFactory>>;
  /** Longest run of decode-only iterations per event (default MAX_RUN_STEPS; 1 = one event per iteration). */
  maxRunSteps?: number;
  /** Whether the hash ids keep the prefix property and stay below TRACE_ID_LIMIT (see BlockKeyer), as a
   *  trace file's scan or a built-in workload's construction says; trusted when given (a merged or edited
   *  request list must not carry it over). Undefined: an array is scanned, a stream is taken to not. */
  prefixProperty?: boolean;
  /** Called per event and per ended request when given (tests); the run never depends on it. */
  observer?: SimulationObserver;
  /** Events at one simulated instant before the watchdog stops the run (default stallLimit(requests)). */
  stallEvents?: number;
  /** Where ended requests' records go (e.g. a compact table); default: kept in the result's `records`. */
  recordSink?: RecordSink;
}

/** Takes each ended request's record (the run keeps none of them itself then). */
export interface RecordSink {
  push(record: RequestRecord): void;
  readonly length: number;
}

/** Watches a run from outside (invariant checks in tests): read the pools and requests, never write. */
export interface SimulationObserver {
  /** After every event, with the event's time and kind. */
  afterEvent?(timeMs: number, kind: SimEventKind, pools: readonly Pool[]): void;
  /** A request ended with `record`. */
  ended?(req: SimRequest, record: RequestRecord): void;
}

/** What schedules each kind of event, and the settings that put it far in the future. */
export const HORIZON: Record<SimEventKind, [what: string, check: string]> = {
  arrival: ['the next arrival', 'check client.request_rate, the workload rate and the trace timestamps'],
  'server-arrival': ['a routed request', 'check router.decision_overhead_ms'],
  'iteration-end': ['an iteration end', 'check platform.iteration_slowdown and the cost model'],
  'transfer-done': ['a KV transfer', 'check the cost model\'s transfer times'],
  timeout: ['a request cut-off', 'check client.request_timeout_seconds'],
};

/** The event as the watchdog names it. */
export function subjectOf(p: SimEvent): string {
  if (p.kind === 'iteration-end') return `iteration-end of ${p.worker.label}`;
  if (p.kind === 'arrival') return 'arrival of the client';
  return `${p.kind} of request ${p.req.id}`;
}
