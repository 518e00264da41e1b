// Covers DEP workers: chunked prefill timing, lockstep iterations across ranks, ADP rank placement, admission (slots, KV, head-of-line), prefix reuse, overlap scheduler.
import { describe, expect, it } from 'vitest';
import { SimRequest } from '../src/engine/request.ts';
import { assignToRanks } from '../src/worker/adp.ts';
import { Stay } from '../src/worker/stay.ts';
import { BlockCache } from '../src/kv/block-cache.ts';
import { Rank } from '../src/worker/rank.ts';
import { aggScenario, cost, decodeAttn, decodeIter, iter, loneDecode, loneTtft, makeTrace, prefillAttn, prefillIter, runSim, sum, workerCost } from './helpers.ts';

const P = 6; // toBeCloseTo digits (ms)
/** Hand-computed iterations of a one-rank worker (no idle rank runs a dummy request). */
const R1 = { ranks: 1 };

describe('chunked prefill on an idle worker', () => {
  it('TTFT of a lone 600-token prompt is one iteration of the cost model (its composition: test/cost-composition.test.ts)', () => {
    const r = runSim(aggScenario(), makeTrace([{ t: 0, isl: 600, osl: 1 }]));
    const w = workerCost();
    const b = w.breakdown({ maxAttentionMs: w.prefillAttentionMs(0, 600), globalTokens: 600 + 3, maxRankTokens: 600, maxRankSequences: 1 }, false); // 3 idle ranks run a dummy
    expect(b.hostMs).toBeCloseTo(cost.params.iterationFixedMs + cost.params.hostOverheadMs, 9);
    expect(r.rec(0).ttftMs).toBeCloseTo(b.totalMs, P);
    expect(r.rec(0).ttftMs).toBeCloseTo(prefillIter(0, 600), P);
  });

  it('prefills in max_num_tokens chunks, then the remainder; each chunk is one iteration', () => {
    const r = runSim(aggScenario(), makeTrace([{ t: 0, isl: 20000, osl: 1 }]));
    const want = prefillIter(0, 8192) + prefillIter(8192, 8192) + prefillIter(16384, 3616);
    expect(r.rec(0).ttftMs).toBeCloseTo(want, P);
    expect(r.rec(0).e2elMs).toBeCloseTo(want, P);
    expect(r.rec(0).prefillMs).toBeCloseTo(want, P);
    const w = r.result.pools[0].workers[0];
    expect(w.iterations).toBe(3);
    expect(w.prefillIterations).toBe(3);
    // a one-token answer has no inter-token latency
    expect(Number.isNaN(r.rec(0).itlMs)).toBe(true);
  });

  it('honours a smaller max_num_tokens', () => {
    const r = runSim(aggScenario({ engine: { max_num_tokens: 4096 } }), makeTrace([{ t: 0, isl: 10000, osl: 1 }]));
    expect(r.rec(0).ttftMs).toBeCloseTo(prefillIter(0, 4096) + prefillIter(4096, 4096) + prefillIter(8192, 1808), P);
  });

  it('decodes one token per iteration after the first token; ITL = mean decode iteration', () => {
    const r = runSim(aggScenario(), makeTrace([{ t: 0, isl: 20000, osl: 4 }]));
    const ttft = loneTtft(20000);
    const decode = decodeIter(20001) + decodeIter(20002) + decodeIter(20003);
    expect(r.rec(0).ttftMs).toBeCloseTo(ttft, P);
    expect(r.rec(0).e2elMs).toBeCloseTo(ttft + decode, P);
    expect(r.rec(0).itlMs).toBeCloseTo(decode / 3, P);
    expect(r.rec(0).decodeMs).toBeCloseTo(decode, P);
    expect(r.result.pools[0].workers[0].iterations).toBe(3 + 3);
  });

  it('without chunked prefill a prompt runs in one iteration; a prompt over max_num_tokens is rejected', () => {
    const s = aggScenario({ engine: { enable_chunked_prefill: false, max_num_tokens: 16384 } });
    const r = runSim(s, makeTrace([{ t: 0, isl: 12000, osl: 1 }, { t: 1, isl: 20000, osl: 1 }]));
    expect(r.rec(0).ttftMs).toBeCloseTo(prefillIter(0, 12000), P);
    expect(r.rec(1).status).toBe('rejected');
  });

  it('scales every iteration by platform.iteration_slowdown', () => {
    const r = runSim(aggScenario({ platform: { iteration_slowdown: 1.5 } }), makeTrace([{ t: 0, isl: 3000, osl: 3 }]));
    expect(r.rec(0).ttftMs).toBeCloseTo(1.5 * prefillIter(0, 3000), P);
    expect(r.rec(0).e2elMs).toBeCloseTo(1.5 * (prefillIter(0, 3000) + decodeIter(3001)) + 1.5 * decodeIter(3002), P);
  });
});

describe('lockstep DEP iterations', () => {
  it('two requests on different ranks of one worker share iterations', () => {
    // A starts alone (2 chunks); B arrives during A's first chunk and is placed on the idle rank 1
    const r = runSim(aggScenario(), makeTrace([{ t: 0, isl: 10000, osl: 1 }, { t: 1, isl: 5000, osl: 1 }]));
    const it1 = prefillIter(0, 8192);
    const it2 = iter({
      maxAttentionMs: Math.max(prefillAttn(8192, 1808), prefillAttn(0, 5000)),
      globalTokens: 1808 + 5000 + 2, // ranks 2 and 3 run a dummy request
      maxRankTokens: 5000,
    });
    expect(r.rec(0).prefillTarget).toBe('agg0.r0');
    expect(r.rec(1).prefillTarget).toBe('agg0.r1');
    expect(r.rec(0).e2elMs).toBeCloseTo(it1 + it2, P);
    expect(r.rec(1).e2elMs).toBeCloseTo(it1 + it2 - 1, P);
    expect(r.rec(1).queueMs).toBeCloseTo(it1 - 1, P); // waited for the iteration boundary
    expect(r.result.pools[0].workers[0].iterations).toBe(2);
  });

  it("a rank's long prefill chunk slows the decode of another rank in the same worker", () => {
    const isl = 100;
    const osl = 10;
    const t1 = prefillIter(0, isl);
    const d = (k: number) => decodeIter(isl + k); // A's k-th decode step (KV length isl + k)
    const tB = t1 + d(1) / 2; // B arrives during A's first decode step
    const r = runSim(aggScenario(), makeTrace([{ t: 0, isl, osl }, { t: tB, isl: 16384, osl: 1 }]));
    // steps 2 and 3 of A run in lockstep with B's two 8192-token chunks on rank 1
    const shared = (k: number, start: number) =>
      iter({ maxAttentionMs: Math.max(decodeAttn(1, isl + k), prefillAttn(start, 8192)), globalTokens: 8193 + 2, maxRankTokens: 8192 }); // + 2 idle ranks' dummies
    const s2 = shared(2, 0);
    const s3 = shared(3, 8192);
    const a = r.rec(0);
    const b = r.rec(1);
    expect(b.prefillTarget).toBe('agg0.r1');
    expect(b.ttftMs).toBeCloseTo(t1 + d(1) + s2 + s3 - tB, P);
    expect(a.e2elMs).toBeCloseTo(t1 + d(1) + s2 + s3 + sum([4, 5, 6, 7, 8, 9].map(d)), P);
    expect(s2).toBeGreaterThan(5 * d(2));
    // A's ITL alone would be the mean of d(1..9)
    const alone = runSim(aggScenario(), makeTrace([{ t: 0, isl, osl }]));
    expect(alone.rec(0).itlMs).toBeCloseTo(loneDecode(isl, osl) / (osl - 1), P);
    expect(a.itlMs).toBeGreaterThan(2 * alone.rec(0).itlMs);
  });

  it('on one rank, decode tokens come first and the chunk is cut to the remaining budget in whole blocks', () => {
    const isl = 100;
    const t1 = prefillIter(0, isl, R1);
    const d = (k: number) => decodeIter(isl + k, R1);
    const tB = t1 + d(1) / 2;
    const r = runSim(aggScenario({ engine: R1 }), makeTrace([{ t: 0, isl, osl: 10 }, { t: tB, isl: 16384, osl: 1 }]));
    // budget 8192 - 1 decode = 8191 → 8128 (127 blocks of 64); 16384 = 8128 + 8128 + 128
    const step = (k: number, start: number, n: number) =>
      iter({ maxAttentionMs: decodeAttn(1, isl + k, R1) + prefillAttn(start, n, R1), globalTokens: n + 1, maxRankTokens: n + 1, maxRankSequences: 2 }, R1);
    const s = [step(2, 0, 8128), step(3, 8128, 8128), step(4, 16256, 128)];
    expect(r.rec(1).prefillTarget).toBe('agg0.r0');
    expect(r.rec(1).ttftMs).toBeCloseTo(t1 + d(1) + sum(s) - tB, P);
    expect(r.rec(0).e2elMs).toBeCloseTo(t1 + d(1) + sum(s) + sum([5, 6, 7, 8, 9].map(d)), P);
    expect(r.result.pools[0].workers[0].prefillIterations).toBe(1 + 3);
  });
});

describe('overlap scheduler', () => {
  it('hides the host overhead (10 ms) of every iteration; responses go out one loop later', () => {
    const trace = makeTrace([{ t: 0, isl: 20000, osl: 5 }]);
    const off = runSim(aggScenario({ engine: { disable_overlap_scheduler: true } }), trace).rec(0);
    const on = runSim(aggScenario({ engine: { disable_overlap_scheduler: false } }), trace).rec(0);
    const host = cost.params.hostOverheadMs;
    expect(host).toBeGreaterThan(0);
    // off: every iteration pays the host time; the first token is out when prefill ends
    expect(off.ttftMs).toBeCloseTo(loneTtft(20000, { overlap: false }), P);
    // on: no host time, but the first token's response is handled during the first decode step
    expect(on.ttftMs).toBeCloseTo(loneTtft(20000, { overlap: true }) + decodeIter(20001, { overlap: true }), P);
    // and the last token's in a CPU-only loop after the last step (the worker is idle then)
    expect(off.e2elMs - on.e2elMs).toBeCloseTo((3 + 4 - 1) * host, P);
  });
});

describe('CUDA graphs', () => {
  it('replay decode-only iterations up to the graph batch size; prefill iterations never', () => {
    const trace = makeTrace([{ t: 0, isl: 3000, osl: 4 }]);
    const on = runSim(aggScenario(), trace).rec(0);
    const off = runSim(aggScenario({ engine: { cuda_graph_config: null } }), trace).rec(0);
    expect(on.ttftMs).toBeCloseTo(off.ttftMs, P);
    expect(on.e2elMs - on.ttftMs).toBeCloseTo(loneDecode(3000, 4), P);
    expect(off.e2elMs - off.ttftMs).toBeCloseTo(loneDecode(3000, 4, { cudaGraph: false }), P);
    // two decodes on one rank exceed a graph captured for 1 request per rank
    const small = aggScenario({ engine: { ranks: 1, cuda_graph_config: { max_batch_size: 1 } } });
    const two = runSim(small, makeTrace([{ t: 0, isl: 100, osl: 3 }, { t: 0, isl: 100, osl: 3 }]));
    // request 1 joins at the second iteration (its prefill beside 0's first decode); then both decode
    // (KV lengths 102 and 101: no graph), then 1 decodes alone (graph)
    const both = iter({ maxAttentionMs: decodeAttn(2, 101.5, R1), globalTokens: 2, maxRankTokens: 2, maxRankSequences: 2 }, { cudaGraph: false, ...R1 });
    expect(two.rec(1).e2elMs - two.rec(1).ttftMs).toBeCloseTo(both + decodeIter(102, R1), P);
  });
});

describe('admission: batch slots and KV blocks', () => {
  // free_gpu_memory_fraction 0.000775 of one TEP8 rank's free HBM → 39 blocks of 64 tokens
  const tiny = { ranks: 1, free_gpu_memory_fraction: 0.000775 };

  it('a request whose KV does not fit waits until the holder finishes, then runs alone', () => {
    expect(runSim(aggScenario({ engine: tiny }), []).result.pools[0].workers[0].ranks[0].capacityBlocks).toBe(39);
    // each needs ceil((2000 + 200) / 64) = 35 blocks
    const r = runSim(aggScenario({ engine: tiny }), makeTrace([{ t: 0, isl: 2000, osl: 200 }, { t: 1, isl: 2000, osl: 200 }]));
    const a = r.rec(0);
    const b = r.rec(1);
    expect(a.e2elMs).toBeCloseTo(loneTtft(2000, R1) + loneDecode(2000, 200, R1), P);
    expect(b.queueMs).toBeCloseTo(a.endMs - 1, P);
    expect(b.e2elMs).toBeCloseTo(a.endMs - 1 + loneTtft(2000, R1) + loneDecode(2000, 200, R1), 4);
    // with room for both they overlap
    const roomy = runSim(aggScenario({ engine: { ranks: 1 } }), makeTrace([{ t: 0, isl: 2000, osl: 200 }, { t: 1, isl: 2000, osl: 200 }]));
    expect(roomy.rec(1).queueMs).toBeLessThan(a.ttftMs);
  });

  it('head-of-line blocking: a small request queued behind a blocked one waits too', () => {
    const r = runSim(
      aggScenario({ engine: tiny }),
      makeTrace([
        { t: 0, isl: 2000, osl: 200 }, // 35 blocks
        { t: 1, isl: 2000, osl: 200 }, // 35 blocks: blocked
        { t: 2, isl: 64, osl: 10 }, // 2 blocks: would fit, but FIFO
      ]),
    );
    const aEnd = r.rec(0).endMs;
    expect(r.rec(1).queueMs).toBeCloseTo(aEnd - 1, P);
    expect(r.rec(2).queueMs).toBeCloseTo(aEnd - 2, P); // admitted with B once A's blocks are back
  });

  it('a request needing more KV blocks than a rank has is rejected', () => {
    const r = runSim(aggScenario({ engine: tiny }), makeTrace([{ t: 0, isl: 2400, osl: 100 }, { t: 5, isl: 100, osl: 2 }]));
    expect(r.rec(0).status).toBe('rejected'); // ceil(2500 / 64) = 40 > 39
    expect(r.rec(1).status).toBe('completed');
  });

  it('max_batch_size bounds the requests admitted on a rank', () => {
    const r = runSim(aggScenario({ engine: { ranks: 1, max_batch_size: 1 } }), makeTrace([{ t: 0, isl: 500, osl: 20 }, { t: 1, isl: 500, osl: 20 }]));
    expect(r.rec(1).queueMs).toBeCloseTo(r.rec(0).endMs - 1, P);
    expect(r.rec(1).e2elMs).toBeCloseTo(r.rec(0).endMs - 1 + loneTtft(500, R1) + loneDecode(500, 20, R1), 4);
  });
});

describe('prefix reuse on a rank', () => {
  // Small ids keep the prefix property: the cache works in keyed 512-token units. Ids >= 2^30 switch
  // it to one chained hash per 64-token engine block. Both must give the engine's answer.
  const CHAINED = 2 ** 30;
  const shift = (ids: number[], by: number) => ids.map((x) => x + by);
  const rows = (by: number) => [
    { t: 0, isl: 1024, osl: 1, ids: shift([7, 8], by) },
    { t: 1000, isl: 1024, osl: 1, ids: shift([7, 8], by) }, // same prompt: all but the last block reused
    { t: 2000, isl: 1024, osl: 1, ids: shift([7, 9], by) }, // shares the first 512 tokens
    { t: 3000, isl: 800, osl: 1, ids: shift([7, 8], by) }, // a shorter prompt inside a cached one
  ];

  for (const [mode, by] of [
    ['keyed units', 0],
    ['chained hashes', CHAINED],
  ] as const) {
    it(`${mode}: skips cached blocks and always computes at least the last prompt token`, () => {
      const r = runSim(aggScenario({ engine: { ranks: 1, reuse: true } }), makeTrace(rows(by)));
      expect(r.records.map((x) => x.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
      expect(r.records.map((x) => x.cachedTokens)).toEqual([0, 960, 512, 768]);
      expect(r.rec(1).ttftMs).toBeCloseTo(prefillIter(960, 64, R1), P);
      expect(r.rec(2).ttftMs).toBeCloseTo(prefillIter(512, 512, R1), P);
      expect(r.rec(3).ttftMs).toBeCloseTo(prefillIter(768, 32, R1), P); // floor(799 / 64) = 12 blocks reused
      expect(r.summary.kvCache.hitRate.agg).toBeCloseTo((960 + 512 + 768) / (3 * 1024 + 800), 4);
    });
  }

  it('keyed units and chained hashes agree on a multi-turn trace with 512-token turns', () => {
    const turns = (by: number) =>
      makeTrace([
        { t: 0, isl: 1024, osl: 3, ids: shift([1, 2], by) },
        { t: 10, isl: 1536, osl: 3, ids: shift([5, 6, 7], by) },
        { t: 400, isl: 2048, osl: 3, ids: shift([1, 2, 3, 4], by) },
        { t: 500, isl: 2048, osl: 3, ids: shift([5, 6, 7, 8], by) },
        { t: 900, isl: 2048, osl: 3, ids: shift([1, 2, 3, 4], by) },
        { t: 950, isl: 1024, osl: 3, ids: shift([5, 6], by) },
      ]);
    const s = aggScenario({ engine: { ranks: 1, reuse: true } });
    const keyed = runSim(s, turns(0)).records;
    const chained = runSim(s, turns(CHAINED)).records;
    expect(keyed.map((x) => x.cachedTokens)).toEqual([0, 0, 1024, 1536, 1984, 960]);
    expect(keyed).toEqual(chained);
  });

  it('hits nothing with block reuse off', () => {
    const r = runSim(aggScenario({ engine: { ranks: 1, reuse: false } }), makeTrace(rows(0)));
    expect(r.records.map((x) => x.cachedTokens)).toEqual([0, 0, 0, 0]);
    expect(r.rec(1).ttftMs).toBeCloseTo(prefillIter(0, 1024, R1), P);
    expect(r.summary.kvCache.hitRate.agg).toBe(0);
  });
});

describe('ADP placement (assignToRanks)', () => {
  // assignToRanks reads ranks only: any rank count, whatever the model's memory allows
  const mkWorker = (ranks: number) => ({ ranks: Array.from({ length: ranks }, (_, i) => new Rank<SimRequest>(i, `r${i}`, new BlockCache(1000, false))) });
  const req = (id: number, isl: number) => new Stay(new SimRequest({ id, timestampMs: 0, inputTokens: isl, outputTokens: 1, hashIds: [] }, 0), 0, 0);

  it('places longest prompt first on the rank with the fewest prompt tokens, capped at ceil(n / ranks)', () => {
    const w = mkWorker(2);
    const queue = [req(0, 100), req(1, 5000), req(2, 300), req(3, 2000)];
    const placed = assignToRanks(queue, w.ranks, 8);
    expect(placed.map((p) => [p.stay.req.id, p.rank.index])).toEqual([
      [1, 0],
      [3, 1],
      [2, 1],
      [0, 0], // rank 1 has fewer tokens but already holds its 2 = ceil(4 / 2)
    ]);
    expect(queue).toEqual([]);
  });

  it('counts tokens already assigned, breaks ties by request count then rank id', () => {
    const w = mkWorker(4);
    w.ranks[0].assignedPromptTokens = 1000;
    w.ranks[0].waiting.push(req(9, 1000));
    const placed = assignToRanks([req(0, 10), req(1, 10), req(2, 10)], w.ranks, 8);
    expect(placed.map((p) => p.rank.index)).toEqual([1, 2, 3]);
  });

  it('takes nothing when every rank is full and keeps the rest queued in FIFO order', () => {
    const w = mkWorker(2);
    const queue = [req(0, 10), req(1, 30), req(2, 20)];
    const placed = assignToRanks(queue, w.ranks, 1); // room for 2
    expect(placed.map((p) => p.stay.req.id).sort()).toEqual([0, 1]);
    expect(queue.map((r) => r.req.id)).toEqual([2]);
    for (const p of placed) p.rank.waiting.push(p.stay);
    expect(assignToRanks(queue, w.ranks, 1)).toEqual([]);
    expect(queue.map((r) => r.req.id)).toEqual([2]);
  });

  it('through the simulation: a round-robin worker target lands on the least-loaded rank', () => {
    const r = runSim(
      aggScenario({ engine: { ranks: 4 } }),
      makeTrace([
        { t: 0, isl: 3000, osl: 50 },
        { t: 1, isl: 1000, osl: 50 },
        { t: 2, isl: 2000, osl: 50 },
        { t: 3, isl: 500, osl: 50 },
        { t: 4000, isl: 500, osl: 1 },
      ]),
    );
    // 0 starts alone on r0; 1..3 arrive during its first iteration and are placed together, longest
    // first on the emptiest rank (ties: lowest rank id); 4 comes when all is idle again
    expect([0, 1, 2, 3, 4].map((i) => r.rec(i).prefillTarget)).toEqual(['agg0.r0', 'agg0.r2', 'agg0.r1', 'agg0.r3', 'agg0.r0']);
    expect(r.rec(1).queueMs).toBeCloseTo(prefillIter(0, 3000, { ranks: 4 }) - 1, P);
  });
});
