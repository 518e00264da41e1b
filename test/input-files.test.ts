// Reading input files: trace fields beyond the ones servesim reads are refused (AIPerf's multi-turn
// session_id / delay, literal prompts, unknown fields), `synthesize` refuses outputs that clobber a
// file or that `run` would refuse, and a plan file's YAML syntax error names its line and column.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTraceLine } from '../src/trace/read.ts';
import { sweepPlan } from '../src/app/sweep.ts';
import { esc, servesim } from './cli-spawn.ts';

const where = { file: 't.jsonl', line: 3 };
const base = '"timestamp": 5, "input_length": 10, "output_length": 4, "hash_ids": [7]';
const parse = (extra: string) => () => parseTraceLine(`{${base}${extra}}`, where, 0);

describe('trace fields', () => {
  it('reads the known fields; AIPerf type "mooncake_trace" and null optional fields are accepted, as AIPerf does', () => {
    expect(parse('')()).toMatchObject({ timestampMs: 5, inputTokens: 10, outputTokens: 4, hashIds: [7] });
    expect(parse(', "context_len": 3, "unique_user_prompt_len": 7')()).toMatchObject({ contextTokens: 3, uniqueUserPromptTokens: 7 });
    expect(parse(', "type": "mooncake_trace", "session_id": null, "delay": null')()).toMatchObject({ timestampMs: 5 });
  });

  it('refuses multi-turn session_id / delay, literal prompts, headers and unknown fields with one line naming file:line: field', () => {
    const cases: [string, RegExp][] = [
      [', "session_id": "a", "delay": 5000', /^t\.jsonl:3: session_id: multi-turn traces .* not modelled: servesim replays every line on its own at its timestamp/],
      [', "delay": 5000', /^t\.jsonl:3: delay: multi-turn traces/],
      [', "text_input": "hi"', /^t\.jsonl:3: text_input: literal prompts are not modelled: .*input_length and hash_ids/],
      [', "messages": [{"role": "user"}]', /^t\.jsonl:3: messages: literal prompts/],
      [', "headers": {"x": "y"}', /^t\.jsonl:3: headers: per-request HTTP headers are not modelled/],
      [', "type": "single_turn"', /^t\.jsonl:3: type: must be "mooncake_trace"/],
      [', "foo": 1', /^t\.jsonl:3: foo: not a mooncake_trace field .*servesim reads timestamp, input_length, output_length, hash_ids/],
    ];
    for (const [extra, msg] of cases) {
      expect(parse(extra), extra).toThrow(msg);
      try {
        parse(extra)();
      } catch (e) {
        expect((e as Error).message.split('\n'), extra).toHaveLength(1);
      }
    }
  });

  it('run refuses a multi-turn trace at exit 2 instead of sending both turns at timestamp 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servesim-inputs-'));
    const trace = join(dir, 'mt.jsonl');
    writeFileSync(trace, `{${base}, "session_id": "a"}\n{${base}, "session_id": "a", "delay": 5000}\n`);
    const o = await servesim(['run', 'scenarios/agg-rr-k8s.yaml', '--trace', trace, '--out', join(dir, 'r')]);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(new RegExp(`^servesim: ${esc(trace)}:1: session_id: multi-turn traces[^\\n]*\\n$`));
  });
});

describe('synthesize outputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servesim-inputs-'));
  const t50 = join(dir, 't50.jsonl');
  writeFileSync(t50, readFileSync(join(import.meta.dirname, '..', '..', 'shared', 'traces', 'mooncake_conversation_trace.jsonl'), 'utf8').split('\n').slice(0, 50).join('\n') + '\n');
  const refused = async (args: string[], msg: RegExp) => {
    const o = await servesim(['synthesize', ...args]);
    expect(o.code, `${args.join(' ')}\n${o.stderr}`).toBe(2);
    expect(o.stderr).toMatch(new RegExp(`^servesim: ${msg.source}[^\\n]*\\n$`));
  };

  it('refuses to write over its own --input-file, even with --overwrite', async () => {
    const before = readFileSync(t50, 'utf8');
    await refused(['--input-file', t50, '--output-file', t50, '--num-requests', '5', '--overwrite'], new RegExp(`${esc(t50)}: --output-file: is the --input-file`));
    expect(readFileSync(t50, 'utf8')).toBe(before);
  });

  it('refuses an existing --output-file without --overwrite (as import-dgd refuses --out), replaces it with', async () => {
    const out = join(dir, 'exists.jsonl');
    writeFileSync(out, 'keep\n');
    await refused(['--input-file', t50, '--output-file', out, '--num-requests', '5'], new RegExp(`${esc(out)}: --output-file: exists: pass --overwrite to replace it`));
    expect(readFileSync(out, 'utf8')).toBe('keep\n');
    const o = await servesim(['synthesize', '--input-file', t50, '--output-file', out, '--num-requests', '5', '--overwrite']);
    expect(o.code, o.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('refuses what run would refuse: no requests, timestamps beyond 2^43 ms; writes nothing', async () => {
    const out = join(dir, 'never.jsonl');
    await refused(['--input-file', t50, '--output-file', out, '--num-requests', '0'], /--num-requests: must be an integer >= 1, got 0/);
    await refused(['--input-file', t50, '--output-file', out, '--num-requests', '5', '--speedup-ratio', '1e-300'], /--speedup-ratio: 1e-300 stretches .* beyond 2\^43 ms/);
    await refused(['--input-file', t50, '--output-file', out, '--num-requests', '5', '--speedup-ratio', '1e-10'], /--speedup-ratio: 1e-10 stretches .* beyond 2\^43 ms/);
    await refused(['--workload', 'poisson', '--param', 'num_requests=0', '--output-file', out], /--param num_requests: is 0/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses synthesis flags with a --workload, and the untimed synthetic workload', async () => {
    const out = join(dir, 'w.jsonl');
    await refused(['--workload', 'seed-coding', '--param', 'num_requests=3', '--num-requests', '7', '--output-file', out], /--num-requests: applies to synthesis from an --input-file/);
    await refused(['--workload', 'seed-coding', '--param', 'num_requests=3', '--speedup-ratio', '2', '--output-file', out], /--speedup-ratio: applies to synthesis from an --input-file/);
    await refused(['--workload', 'synthetic', '--output-file', out], /--workload: synthetic is untimed/);
    expect(existsSync(out)).toBe(false);
    const o = await servesim(['synthesize', '--workload', 'seed-coding', '--param', 'num_requests=3', '--output-file', out]);
    expect(o.code, o.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

describe('plan file YAML errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servesim-inputs-'));
  const plan = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const refusal = (f: string) => {
    try {
      sweepPlan({ file: f, vary: [], param: [], set: [] });
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  it('reports a syntax error with its line and column, as the scenario loader does', () => {
    const dup = plan('dup.yaml', 'name: a\nname: b\nscenario: s.yaml\n');
    expect(refusal(dup)).toBe(`${dup}:2:1: invalid YAML (Map keys must be unique)`);
    const open = plan('open.yaml', 'name: a\nscenario: s.yaml\naxes: [a, b\n');
    expect(refusal(open)).toMatch(new RegExp(`^${esc(open)}:\\d+:\\d+: invalid YAML \\(Flow sequence`));
    const tab = plan('tab.yaml', 'name: a\nscenario: s.yaml\naxes:\n\t- key: a\n');
    expect(refusal(tab)).toBe(`${tab}:4:1: invalid YAML (Tabs are not allowed as indentation)`);
    expect(refusal(join(dir, 'missing.yaml'))).toBe(`${join(dir, 'missing.yaml')}: no such plan or scenario file`);
  });
});
