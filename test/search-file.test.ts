// A stored load-search result (search/<id>.json) is read back checked: its shape, the plan's search it
// answers, and its value against its own evaluations (a hand-edited value outside the range was published).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSearchFile } from '../src/app/search-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'servesim-search-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const search = { key: 'param.rate_scale', low: 0.5, high: 3, tolerance: 0.5 };
const good = { inputs: { 'workers.decode.count': 2 }, ...search, status: 'ok', value: 1.5, evaluated: [{ value: 0.5, meets: true }, { value: 1.5, meets: true }, { value: 2, meets: false }] };
let n = 0;
const file = (v: unknown) => {
  const p = join(dir, `s${n++}.json`);
  writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
  return p;
};
const refused = (v: unknown) => {
  const p = file(v);
  try {
    readSearchFile(p, search);
  } catch (e) {
    expect((e as Error).name).toBe('InputError');
    return (e as Error).message.slice(p.length + 2);
  }
  throw new Error('accepted');
};

describe('search results read back', () => {
  it('a result servesim wrote reads as it is (a NaN value is null in the file)', () => {
    expect(readSearchFile(file(good), search).value).toBe(1.5);
    expect(readSearchFile(file({ ...good, status: 'below', value: null, evaluated: [{ value: 0.5, meets: false }] }), search).value).toBeNaN();
  });
  it('refuses what it could not have written', () => {
    expect(refused('[1]')).toMatch(/^\(root\)|^inputs: /);
    expect(refused('{"broken":')).toMatch(/^not valid JSON/);
    expect(refused({ ...good, value: 99 })).toBe('value: 99 with status ok, but the largest evaluated value meeting the SLA is 1.5: not a search result servesim wrote (delete it to have the sweep search again)');
    expect(refused({ ...good, high: 10 })).toMatch(/^high: 10, but the plan searches high 3/);
    expect(refused({ ...good, evaluated: [...good.evaluated, { value: 7, meets: false }] })).toMatch(/^evaluated\[3\]\.value: 7 is outside the searched range 0\.5 – 3/);
    expect(refused({ ...good, status: 'below' })).toMatch(/^value: 1\.5 with status below/);
  });
});
