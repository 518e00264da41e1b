// Covers trace reading: parseTraceLine field checks and error text, streamTrace/readTrace on files (blank lines, line numbers, empty/missing files).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/util/errors.ts';
import { parseTraceLine, readTrace } from '../src/trace/read.ts';

const where = { file: 't.jsonl', line: 3 };
const parse = (obj: unknown, prev = 0) => parseTraceLine(typeof obj === 'string' ? obj : JSON.stringify(obj), where, 5, prev);
const ok = { timestamp: 100, input_length: 1000, output_length: 20, hash_ids: [4, 9] };

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('parseTraceLine', () => {
  it('turns a valid line into a TraceRequest', () => {
    expect(parse(ok)).toEqual({ id: 5, timestampMs: 100, inputTokens: 1000, outputTokens: 20, hashIds: [4, 9] });
    expect(parse({ ...ok, context_len: 512, unique_user_prompt_len: 488 })).toMatchObject({ contextTokens: 512, uniqueUserPromptTokens: 488 });
  });

  it('accepts exactly ceil(input_length / 512) hash ids', () => {
    expect(parse({ ...ok, input_length: 512, hash_ids: [1] }).inputTokens).toBe(512);
    expect(parse({ ...ok, input_length: 513, hash_ids: [1, 2] }).inputTokens).toBe(513);
    expect(parse({ ...ok, input_length: 1, hash_ids: [0] }).hashIds).toEqual([0]);
  });

  it.each([
    ['not JSON', '{"timestamp": 1,', /^t\.jsonl:3: not valid JSON/],
    ['an array', '[1,2]', /^t\.jsonl:3: not a JSON object$/],
    ['null', 'null', /^t\.jsonl:3: not a JSON object$/],
    ['missing timestamp', { ...ok, timestamp: undefined }, /^t\.jsonl:3: timestamp: must be a number of ms >= 0/],
    ['negative timestamp', { ...ok, timestamp: -1 }, /^t\.jsonl:3: timestamp: /],
    ['string timestamp', { ...ok, timestamp: '5' }, /^t\.jsonl:3: timestamp: /],
    ['negative input_length', { ...ok, input_length: -5 }, /^t\.jsonl:3: input_length: must be a positive integer, got -5$/],
    ['zero input_length', { ...ok, input_length: 0, hash_ids: [] }, /^t\.jsonl:3: input_length: /],
    ['fractional input_length', { ...ok, input_length: 10.5 }, /^t\.jsonl:3: input_length: /],
    ['zero output_length', { ...ok, output_length: 0 }, /^t\.jsonl:3: output_length: must be a positive integer, got 0$/],
    ['hash_ids not an array', { ...ok, hash_ids: 7 }, /^t\.jsonl:3: hash_ids: must be an array/],
    ['negative hash id', { ...ok, hash_ids: [1, -2] }, /^t\.jsonl:3: hash_ids: element 1 must be a non-negative integer, got -2$/],
    ['too few hash ids', { ...ok, hash_ids: [1] }, /^t\.jsonl:3: hash_ids: has 1 ids but input_length 1000 needs ceil\(1000\/512\) = 2$/],
    ['too many hash ids', { ...ok, hash_ids: [1, 2, 3] }, /^t\.jsonl:3: hash_ids: has 3 ids /],
    ['context_len above input', { ...ok, context_len: 1001 }, /^t\.jsonl:3: context_len: /],
    ['negative unique_user_prompt_len', { ...ok, unique_user_prompt_len: -1 }, /^t\.jsonl:3: unique_user_prompt_len: /],
  ])('rejects %s with file:line: field', (_what, line, re) => {
    const e = errorOf(() => parse(line));
    expect(e.message).toMatch(re);
    expect(e.message).not.toContain('\n');
  });

  it('rejects a timestamp that goes back in time', () => {
    expect(errorOf(() => parse(ok, 101)).message).toBe('t.jsonl:3: timestamp: decreases (100 after 101); the trace must be sorted by time');
    expect(parse(ok, 100).timestampMs).toBe(100); // equal is fine
  });
});

describe('readTrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servesim-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads rows in order with sequential ids and skips blank lines', async () => {
    const p = file('ok.jsonl', [JSON.stringify(ok), '', '   ', JSON.stringify({ ...ok, timestamp: 150, input_length: 10, hash_ids: [3] }), ''].join('\n'));
    const rows = await readTrace(p);
    expect(rows.map((r) => [r.id, r.timestampMs, r.inputTokens])).toEqual([
      [0, 100, 1000],
      [1, 150, 10],
    ]);
  });

  it('names the physical line (blank lines counted) of the first bad row', async () => {
    const p = file('bad.jsonl', [JSON.stringify(ok), '', JSON.stringify({ ...ok, timestamp: 120, input_length: 600, hash_ids: [1] })].join('\n'));
    await expect(readTrace(p)).rejects.toThrow(`${p}:3: hash_ids: has 1 ids but input_length 600 needs ceil(600/512) = 2`);
  });

  it('rejects an empty file and a missing file', async () => {
    const p = file('empty.jsonl', '\n\n');
    await expect(readTrace(p)).rejects.toThrow(`${p}: contains no requests`);
    await expect(readTrace(join(dir, 'nope.jsonl'))).rejects.toBeInstanceOf(InputError);
    await expect(readTrace(dir)).rejects.toThrow(/not a regular file/);
  });
});
