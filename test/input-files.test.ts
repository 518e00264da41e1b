// Reading input files: trace fields beyond the ones servesim reads are refused (AIPerf's multi-turn
// session_id / delay, literal prompts, unknown fields), `synthesize` refuses outputs that clobber a
// file or that `run` would refuse, and a plan file's YAML syntax error names its line and column.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTraceLine } from '../src/trace/read.ts';
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
