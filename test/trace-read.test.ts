// Covers trace reading: parseTraceLine field checks and error text, readTrace / scanTrace / traceSource on files (sorting, streaming, blank lines, line numbers, BOM/CRLF, gzip/binary, empty/missing files).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/util/errors.ts';
import { parseTraceLine, readTrace, scanTrace, traceSource } from '../src/trace/read.ts';

const where = { file: 't.jsonl', line: 3 };
const parse = (obj: unknown) => parseTraceLine(typeof obj === 'string' ? obj : JSON.stringify(obj), where, 5);
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

  it('refuses timestamps beyond the clock range (2^43 ms) and hash ids beyond 2^53, which would not be held exactly', () => {
    expect(errorOf(() => parse({ ...ok, timestamp: 2 ** 60 })).message).toMatch(/^t\.jsonl:3: timestamp: .* beyond 2\^43 ms/);
    expect(errorOf(() => parse({ ...ok, timestamp: 2 ** 43 + 1 })).message).toMatch(/beyond 2\^43 ms/);
    expect(errorOf(() => parse({ ...ok, hash_ids: [1, 2 ** 54] })).message).toMatch(/^t\.jsonl:3: hash_ids: element 1 .* above 2\^53 - 1/);
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

  it('sorts an unsorted trace by timestamp as AIPerf does (ties in file order), ids are file positions', () => {
    const line = (ts: number, h: number) => JSON.stringify({ ...ok, timestamp: ts, input_length: 10, hash_ids: [h] });
    const p = file('unsorted.jsonl', [line(300, 1), line(100, 2), line(300, 3), line(100, 4)].join('\n'));
    expect(readTrace(p).map((r) => [r.id, r.timestampMs])).toEqual([
      [1, 100],
      [3, 100],
      [0, 300],
      [2, 300],
    ]);
    const scan = scanTrace(p);
    expect(scan.sorted).toBe(false);
    const src = traceSource(scan);
    expect([src.take()!.id, src.take()!.id, src.take()!.id, src.take()!.id, src.take()]).toEqual([1, 3, 0, 2, undefined]);
  });

  it('streams a sorted trace: the scan checks every line, the source reads lazily; BOM and CRLF accepted', () => {
    const p = file('crlf.jsonl', '\ufeff' + [JSON.stringify(ok), JSON.stringify({ ...ok, timestamp: 150, input_length: 10, hash_ids: [3] })].join('\r\n') + '\r\n');
    const scan = scanTrace(p);
    expect([scan.requests, scan.sorted, scan.prefixProperty]).toEqual([2, true, true]);
    const src = traceSource(scan);
    expect(src.peek()!.timestampMs).toBe(100);
    expect([src.take()!.id, src.take()!.id, src.take()]).toEqual([0, 1, undefined]);
  });

  it('names gzip and binary files', () => {
    const gz = join(dir, 'x.jsonl.gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    expect(() => readTrace(gz)).toThrow(/is gzip-compressed/);
    const bin = join(dir, 'x.bin');
    writeFileSync(bin, Buffer.from([1, 2, 0, 3]));
    expect(() => readTrace(bin)).toThrow(/holds binary data/);
  });

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
    expect(() => readTrace(p)).toThrow(`${p}:3: hash_ids: has 1 ids but input_length 600 needs ceil(600/512) = 2`);
  });

  it('rejects an empty file and a missing file', async () => {
    const p = file('empty.jsonl', '\n\n');
    expect(() => readTrace(p)).toThrow(`${p}: contains no requests`);
    expect(() => readTrace(join(dir, 'nope.jsonl'))).toThrow(InputError);
    expect(() => readTrace(dir)).toThrow(/is a folder, not a file/);
  });
});
