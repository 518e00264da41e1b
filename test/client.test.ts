// Covers the benchmark client: connection cap with FIFO wait counted in TTFT/E2EL, timeout cut-offs (errors, not in latency stats), rejections.
import { describe, expect, it } from 'vitest';
import { BenchmarkClient } from '../src/client/client.ts';
import { SimRequest } from '../src/engine/request.ts';
import { aggScenario, loneDecode, loneTtft, makeTrace, prefillIter, runSim } from './helpers.ts';

const P = 6;
const req = (id: number) => new SimRequest({ id, timestampMs: id, inputTokens: 10, outputTokens: 1, hashIds: [id] }, id);

describe('BenchmarkClient', () => {
  it('sends up to the connection limit, then queues first-in first-out', () => {
    const c = new BenchmarkClient<SimRequest>({ connectionLimit: 2, timeoutMs: 1000 });
    const [a, b, x, y] = [req(0), req(1), req(2), req(3)];
    expect(c.issue(a)).toBe(true);
    expect(c.issue(b)).toBe(true);
    expect(c.issue(x)).toBe(false);
    expect(c.issue(y)).toBe(false);
    expect([c.inFlight, c.waitingRequests, c.peakInFlight, c.peakWaiting]).toEqual([2, 2, 2, 2]);
    expect(c.release()).toBe(x);
    expect(c.release()).toBe(y);
    expect(c.inFlight).toBe(2);
    expect(c.release()).toBeNull();
    expect(c.release()).toBeNull();
    expect(c.inFlight).toBe(0);
    expect(() => c.release()).toThrow(/released twice/);
  });

  it('does not let a new request overtake waiting ones when a connection frees', () => {
    const c = new BenchmarkClient<SimRequest>({ connectionLimit: 1, timeoutMs: 1000 });
    c.issue(req(0));
    c.issue(req(1));
    const next = c.release(); // req 1 takes the connection
    expect(next?.id).toBe(1);
    expect(c.issue(req(2))).toBe(false);
  });

  it('drops a request that timed out while waiting; release skips it', () => {
    const c = new BenchmarkClient({ connectionLimit: 1, timeoutMs: 1000 });
    const [a, b, x] = [req(0), req(1), req(2)];
    c.issue(a);
    c.issue(b);
    c.issue(x);
    c.dropWaiting(b);
    expect(c.waitingRequests).toBe(1);
    expect(() => c.dropWaiting(b)).toThrow(/not waiting/);
    expect(c.release()).toBe(x);
    expect(c.waitingRequests).toBe(0);
  });
});

describe('connection cap in a run', () => {
  it('waiting for a connection counts in TTFT and E2EL; requests go out in FIFO order', () => {
    const s = aggScenario({ client: { connection_limit: 1 } });
    const r = runSim(
      s,
      makeTrace([
        { t: 0, isl: 600, osl: 5 },
        { t: 1, isl: 20000, osl: 3 }, // long
        { t: 2, isl: 600, osl: 5 }, // short, still behind the long one
      ]),
    );
    const [a, b, c] = [r.rec(0), r.rec(1), r.rec(2)];
    const shortE2el = loneTtft(600) + loneDecode(600, 5);
    expect(a.clientWaitMs).toBe(0);
    expect(a.e2elMs).toBeCloseTo(shortE2el, P);
    expect(b.clientWaitMs).toBeCloseTo(a.endMs - 1, P);
    expect(b.ttftMs).toBeCloseTo(a.endMs - 1 + loneTtft(20000), P);
    expect(b.e2elMs).toBeCloseTo(a.endMs - 1 + loneTtft(20000) + loneDecode(20000, 3), P);
    expect(c.clientWaitMs).toBeCloseTo(b.endMs - 2, P);
    expect(c.ttftMs).toBeCloseTo(b.endMs - 2 + loneTtft(600), P);
    expect(c.e2elMs).toBeCloseTo(b.endMs - 2 + shortE2el, P);
    // the parts of E2EL add up
    for (const x of [a, b, c]) expect(x.clientWaitMs + x.queueMs + x.prefillMs + x.transferMs + x.decodeMs).toBeCloseTo(x.e2elMs, P);
    expect(r.summary.client).toEqual({ peakInFlight: 1, peakWaiting: 2 });
    expect(r.summary.clientWaitedFraction).toBeCloseTo(2 / 3, 4);
    expect(r.summary.breakdownMs.clientWait).toBeCloseTo((b.clientWaitMs + c.clientWaitMs) / 3, 3);
  });

  it('a large enough limit sends everything at its scheduled time', () => {
    const r = runSim(aggScenario({ client: { connection_limit: 3 } }), makeTrace([{ t: 0, isl: 600, osl: 5 }, { t: 1, isl: 600, osl: 5 }, { t: 2, isl: 600, osl: 5 }]));
    expect(r.records.map((x) => x.clientWaitMs)).toEqual([0, 0, 0]);
    expect(r.summary.client.peakWaiting).toBe(0);
  });
});

describe('timeouts', () => {
  it('a request cut off in prefill is an error: no latency, not in the statistics, its KV freed', () => {
    // timeout 500 ms after the scheduled time; a 20000-token prompt is cut off in its second chunk
    const s = aggScenario({ client: { request_timeout_seconds: 0.5 } });
    expect(prefillIter(0, 8192)).toBeLessThan(500);
    expect(prefillIter(0, 8192) + prefillIter(8192, 8192)).toBeGreaterThan(500);
    const r = runSim(s, makeTrace([{ t: 0, isl: 20000, osl: 10 }, { t: 3000, isl: 600, osl: 3 }]));
    const [a, b] = [r.rec(0), r.rec(1)];
    expect(a.status).toBe('timed-out');
    expect(a.endMs).toBe(500);
    expect(Number.isNaN(a.ttftMs) && Number.isNaN(a.e2elMs) && Number.isNaN(a.itlMs)).toBe(true);
    expect(a.queueMs + a.prefillMs).toBeCloseTo(500, P);
    expect(b.status).toBe('completed');
    // the worker is free again by the time b arrives: b runs as if alone
    expect(b.e2elMs).toBeCloseTo(loneTtft(600) + loneDecode(600, 3), P);
    const sum = r.summary;
    expect(sum.requests).toEqual({ issued: 2, completed: 1, timedOut: 1, rejected: 0 });
    expect(sum.ttftMs.mean).toBeCloseTo(b.ttftMs, 3);
    expect(sum.ttftMs.p99).toBeCloseTo(b.ttftMs, 3);
    expect(sum.e2elMs.max).toBeCloseTo(b.e2elMs, 3);
    expect(sum.requestThroughput * sum.durationS).toBeCloseTo(1, 2); // only the completed request counts
    expect(r.result.pools[0].workers[0].iterations).toBe(2 + 3); // the cut-off chunk still ran to its end
    // (every run ends with a check that no KV block is still held)
  });

  it('a request cut off while decoding is not counted in ITL/TPOT', () => {
    const s = aggScenario({ client: { request_timeout_seconds: 0.5 } });
    const r = runSim(s, makeTrace([{ t: 0, isl: 600, osl: 100 }, { t: 0.5, isl: 600, osl: 2 }]));
    expect(r.rec(0).status).toBe('timed-out');
    expect(r.rec(0).decodeMs).toBeGreaterThan(0);
    expect(r.rec(1).status).toBe('completed');
    expect(r.summary.itlMs.mean).toBeCloseTo(r.rec(1).itlMs, 3);
    expect(r.summary.tpotMs.mean).toBeCloseTo(r.rec(1).itlMs, 3);
  });

  it('a cut-off frees the connection for the next waiting request at once', () => {
    // 2 workers: round robin sends b to the idle second worker, so it starts the moment it is sent
    const s = aggScenario({ count: 2, client: { connection_limit: 1, request_timeout_seconds: 0.5 } });
    const r = runSim(s, makeTrace([{ t: 0, isl: 20000, osl: 10 }, { t: 400, isl: 600, osl: 2 }]));
    expect(r.rec(0).status).toBe('timed-out');
    expect(r.rec(1).clientWaitMs).toBeCloseTo(100, P);
    expect(r.rec(1).status).toBe('completed');
    expect(r.rec(1).prefillTarget).toBe('agg1.r0');
    expect(r.rec(1).ttftMs).toBeCloseTo(100 + loneTtft(600), P);
    expect(r.rec(1).e2elMs).toBeCloseTo(100 + loneTtft(600) + loneDecode(600, 2), P);
  });
});

describe('rejections', () => {
  it('a request the engine cannot take is rejected at once: an error, frees its connection', () => {
    const s = aggScenario({ client: { connection_limit: 1 }, engine: { max_seq_len: 4096 } });
    const r = runSim(
      s,
      makeTrace([
        { t: 0, isl: 600, osl: 5 },
        { t: 1, isl: 4000, osl: 200 }, // 4200 > max_seq_len
        { t: 2, isl: 600, osl: 5 },
      ]),
    );
    const [a, b, c] = [r.rec(0), r.rec(1), r.rec(2)];
    expect(b.status).toBe('rejected');
    expect(b.endMs).toBeCloseTo(a.endMs, P); // rejected when it got its connection
    expect(Number.isNaN(b.ttftMs)).toBe(true);
    expect(c.clientWaitMs).toBeCloseTo(a.endMs - 2, P);
    expect(c.e2elMs).toBeCloseTo(a.endMs - 2 + a.e2elMs, P);
    expect(r.summary.requests).toEqual({ issued: 3, completed: 2, timedOut: 0, rejected: 1 });
    expect(r.summary.ttftMs.max).toBeCloseTo(c.ttftMs, 3);
  });
});
