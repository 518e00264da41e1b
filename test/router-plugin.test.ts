// Router plug-ins: loading by path (.ts class, .js factory), the per-target views, the example policy
// changing results vs the built-in KV router, and bad plug-ins stopping the run with a one-line InputError.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/util/errors.ts';
import { loadRouterPlugin, routerFromPlugin } from '../src/router/plugin.ts';
import type { RequestView, RouteTarget, Router, RouterContext } from '../src/protocol/router.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../src/protocol/trace.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = join(ROOT, 'scenarios/disagg-kv.yaml');
const scenario = loadScenario(SCENARIO);

/** Multi-turn conversations sharing a 2-block system prompt; each turn extends the previous prompt by 3 blocks. */
function conversations(convs = 40, turns = 6): TraceRequest[] {
  const rows: Omit<TraceRequest, 'id'>[] = [];
  for (let c = 0; c < convs; c++) {
    const ids = [0, 1];
    for (let k = 0; k < turns; k++) {
      for (let j = 0; j < 3; j++) ids.push(1000 * (c + 1) + 3 * k + j);
      rows.push({ timestampMs: c * 400 + k * 4000, inputTokens: ids.length * TRACE_BLOCK_TOKENS, outputTokens: 40, hashIds: ids.slice() });
    }
  }
  rows.sort((a, b) => a.timestampMs - b.timestampMs);
  return rows.map((r, id) => ({ id, ...r }));
}

const tmp = mkdtempSync(join(tmpdir(), 'servesim-plugin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('router plug-ins', () => {
  it('loads examples/cache-affinity-router.ts by path; it changes the results vs the built-in KV router', async () => {
    const trace = conversations();
    const override = await loadRouterPlugin('examples/cache-affinity-router.ts', ROOT);
    const kv = simulate({ scenario, requests: trace, seed: '7', workload: 'conversations' });
    const aff = simulate({ scenario, requests: trace, seed: '7', workload: 'conversations', routers: { prefill: override } });
    const rr = simulate({ scenario: loadScenario(SCENARIO, ['router.router_mode=round-robin']), requests: trace, seed: '7', workload: 'conversations' });

    expect(aff.summary.router.prefill).toBe('plug-in cache-affinity-router.ts: cache affinity, load cap 4');
    expect(kv.summary.router.prefill).toMatch(/^kv /);
    expect(aff.summary.requests.completed).toBe(trace.length);

    const targets = (s: typeof kv) => s.records.map((r) => r.prefillTarget).join();
    expect(targets(aff)).not.toBe(targets(kv));
    const perRank = (s: typeof kv) => s.summary.routing.prefill.map((r) => r.requests);
    expect(perRank(aff)).not.toEqual(perRank(kv));
    expect(aff.summary.ttftMs.mean).not.toBe(kv.summary.ttftMs.mean);
    // both cache-aware policies beat round robin on the prefix-cache hit rate
    expect(aff.summary.kvCache.hitRate.prefill).toBeGreaterThan(rr.summary.kvCache.hitRate.prefill + 0.1);
    expect(kv.summary.kvCache.hitRate.prefill).toBeGreaterThan(rr.summary.kvCache.hitRate.prefill + 0.1);
  });

  it('loads a plain-JavaScript factory plug-in; a rank it names is honoured', async () => {
    const trace = conversations(4, 1);
    const override = await loadRouterPlugin('test/fixtures/router-rank-rr.js', ROOT);
    const { summary, records } = simulate({ scenario, requests: trace, seed: '1', workload: 'x', routers: { prefill: override } });
    expect(summary.router.prefill).toBe('plug-in router-rank-rr.js (rank round robin (js))');
    expect(records.sort((a, b) => a.id - b.id).map((r) => r.prefillTarget)).toEqual(['prefill0.r0', 'prefill0.r1', 'prefill0.r2', 'prefill0.r3']);
  });

  it('gives the plug-in live per-target views', () => {
    const seen: string[] = [];
    class Probe implements Router {
      readonly name = 'probe';
      constructor(private readonly ctx: RouterContext) {
        expect(ctx.targets.map((t) => t.label)).toEqual(ctx.workerRanks.flatMap((n, w) => Array.from({ length: n }, (_, r) => `prefill${w}.r${r}`)));
        expect(ctx.blockTokens).toBe(64);
      }
      select(req: RequestView): RouteTarget {
        for (const t of this.ctx.targets) {
          expect(t.freeSlots).toBe(32 - t.activeRequests);
          expect(t.kvUsedBlocks).toBeGreaterThanOrEqual(0);
          expect(t.kvUsedBlocks).toBeLessThanOrEqual(t.kvCapacityBlocks);
          expect(t.pendingPrefillTokens).toBeGreaterThanOrEqual(0);
          expect(t.overlapBlocks(req)).toBeLessThanOrEqual(Math.floor(req.inputTokens / 64));
        }
        const t0 = this.ctx.targets[0];
        seen.push(`${t0.overlapBlocks(req)}/${t0.activeRequests + t0.queuedRequests}/${t0.pendingPrefillTokens}`);
        return { worker: 0, rank: 0 };
      }
    }
    // three requests at once, then the third conversation turn after the first two are done
    const trace: TraceRequest[] = [
      { id: 0, timestampMs: 0, inputTokens: 1024, outputTokens: 4, hashIds: [0, 1] },
      { id: 1, timestampMs: 0, inputTokens: 1024, outputTokens: 4, hashIds: [5, 6] },
      { id: 2, timestampMs: 60_000, inputTokens: 1536, outputTokens: 4, hashIds: [0, 1, 2] },
    ];
    simulate({ scenario, requests: trace, seed: '1', workload: 'x', routers: { prefill: routerFromPlugin(Probe, 'probe.ts') } });
    // request 1 sees request 0 queued on rank 0 (1024 prompt tokens pending); request 2 finds 16 blocks cached
    expect(seen).toEqual(['0/0/0', '0/1/1024', '16/0/0']);
  });

  const bad: [string, RegExp][] = [
    ['test/fixtures/router-throws.ts', /^router plug-in test\/fixtures\/router-throws\.ts: select threw: no target for you$/],
    ['test/fixtures/router-bad-worker.ts', /^router plug-in test\/fixtures\/router-bad-worker\.ts: select returned an invalid target \{"worker":2,"rank":0\} for request 0: worker must be in 0\.\.1$/],
    ['test/fixtures/router-bad-rank.ts', /^router plug-in test\/fixtures\/router-bad-rank\.ts: select returned an invalid target \{"worker":0,"rank":8\} for request 0: rank must be in 0\.\.7 or null$/],
    ['test/fixtures/router-non-integer.ts', /^router plug-in test\/fixtures\/router-non-integer\.ts: select returned an invalid target \{"worker":0\.5,"rank":0\} for request 0: worker must be an integer$/],
    ['test/fixtures/router-not-a-router.ts', /^router plug-in test\/fixtures\/router-not-a-router\.ts: the default export did not produce a Router/],
  ];
  it.each(bad)('%s stops the run with a one-line InputError naming the file', async (file, message) => {
    const override = await loadRouterPlugin(file, ROOT);
    let err: unknown;
    try {
      simulate({ scenario, requests: conversations(2, 1), seed: '1', workload: 'x', routers: { prefill: override } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('refuses a missing file or a module without a default-exported function', async () => {
    await expect(loadRouterPlugin('test/fixtures/nope.ts', ROOT)).rejects.toThrow(/^router plug-in test\/fixtures\/nope\.ts: file not found$/);
    expect(() => routerFromPlugin({}, 'x.ts')).toThrow(InputError);
  });

  it('servesim run --router: works with the example, exits 2 with one line for a bad plug-in', () => {
    const run = (router: string) =>
      spawnSync(process.execPath, ['bin/servesim.js', 'run', 'scenarios/disagg-kv.yaml', '--trace', 'test/fixtures/tiny-trace.jsonl', '--router', router, '--out', join(tmp, 'run')], { cwd: ROOT, encoding: 'utf8' });
    const ok = run('./examples/cache-affinity-router.ts');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('prefill: plug-in cache-affinity-router.ts: cache affinity, load cap 4');
    // the docs' minimal example, as a .ts file outside this ESM package (loads as CommonJS)
    const mine = join(tmp, 'my-router.ts');
    writeFileSync(
      mine,
      `import type { RouterContext, Router } from 'servesim';
export default (ctx: RouterContext): Router => ({
  name: 'least pending prefill',
  select() {
    const t = ctx.targets.reduce((a, b) => (b.pendingPrefillTokens < a.pendingPrefillTokens ? b : a));
    return { worker: t.worker, rank: t.rank };
  },
});
`,
    );
    const outside = run(mine);
    expect(outside.stderr).toBe('');
    expect(outside.stdout).toContain('prefill: plug-in my-router.ts (least pending prefill)');
    const bad = run('test/fixtures/router-bad-rank.ts');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^servesim: router plug-in test\/fixtures\/router-bad-rank\.ts: select returned an invalid target/);
  });
});
