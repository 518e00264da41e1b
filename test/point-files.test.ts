// A sweep's point files read back (merge, resume) are checked: corrupt JSON, missing fields, figures that
// do not add up and stray files are one line naming the file, exit 2; a failed merge writes nothing; a
// report --out naming a folder says so. Spawns the built CLI (npm run build first).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, esc, servesim } from './cli-spawn.ts';

let dir: string;
let plan: string;
let key: string;
let original: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'servesim-pointfiles-'));
  plan = join(dir, 'small.yaml');
  writeFileSync(plan, readFileSync(join(ROOT, 'test/fixtures/plans/small.yaml'), 'utf8').replace('../../../scenarios', join(ROOT, 'scenarios')));
  for (const [i, out] of [[0, 'a'], [1, 'b']] as const) {
    const r = await servesim(['sweep', plan, '--out', join(dir, out), '--shard', `${i}/2`, '--workers', '0']);
    expect(r.code, r.stderr).toBe(0);
  }
  key = readdirSync(join(dir, 'a', 'points')).sort()[0];
  original = readFileSync(join(dir, 'a', 'points', key), 'utf8');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `merge a b --out <out>` with a/points/<key> holding `text` (restored after). */
async function mergeWith(text: string, out = 'm') {
  const file = join(dir, 'a', 'points', key);
  writeFileSync(file, text);
  try {
    return await servesim(['merge', join(dir, 'a'), join(dir, 'b'), '--out', join(dir, out)]);
  } finally {
    writeFileSync(file, original);
  }
}

const edited = (edit: (f: Record<string, Record<string, number>>) => void) => {
  const p = JSON.parse(original) as { figures: Record<string, Record<string, number>> };
  edit(p.figures);
  return JSON.stringify(p);
};

function expectRefused(r: { code: number | null; stderr: string }, what: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stderr).toMatch(what);
}

describe('point files read back', () => {
  it('merge refuses a corrupt or incomplete point file, naming it and the field, and leaves no folder', async () => {
    const file = esc(join(dir, 'a', 'points', key));
    expectRefused(await mergeWith('{"broken":'), new RegExp(`^servesim: ${file}: not valid JSON`));
    expectRefused(await mergeWith('{"seed":"42","figures":{}}'), new RegExp(`^servesim: ${file}: figures\\.scenario: missing`));
    expectRefused(await mergeWith(edited((f) => (f.requests.completed = 15000))), new RegExp(`${file}: figures\\.requests: completed 15000 .* is not issued`));
    expectRefused(await mergeWith(edited((f) => ((f as unknown as Record<string, number>).requestThroughput = -1))), new RegExp(`${file}: figures\\.requestThroughput`));
    expectRefused(await mergeWith(JSON.stringify({ ...JSON.parse(original), seed: 'other' })), new RegExp(`${file}: seed: "other", but the plan runs this point with seed`));
    expect(existsSync(join(dir, 'm'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 60_000);

  it('merge refuses a stray file in points/', async () => {
    for (const name of ['deadbeefdeadbeefdeadbeefdeadbeef.json', 'notes.json']) {
      const stray = join(dir, 'b', 'points', name);
      writeFileSync(stray, '{}');
      try {
        expectRefused(await servesim(['merge', join(dir, 'a'), join(dir, 'b'), '--out', join(dir, 'm')]), new RegExp(`^servesim: ${esc(stray)}: `));
      } finally {
        rmSync(stray);
      }
    }
    expect(existsSync(join(dir, 'm'))).toBe(false);
  }, 60_000);

  it('a resumed sweep refuses a corrupt point file before running anything', async () => {
    const file = join(dir, 'a', 'points', key);
    writeFileSync(file, '{"seed":"42","figures":{}}');
    try {
      const r = await servesim(['sweep', plan, '--out', join(dir, 'a'), '--shard', '0/2', '--workers', '0']);
      expectRefused(r, new RegExp(`^servesim: ${esc(file)}: figures\\.scenario: missing`));
      expect(readFileSync(file, 'utf8')).toBe('{"seed":"42","figures":{}}');
    } finally {
      writeFileSync(file, original);
    }
  }, 60_000);

  it('a failed merge leaves no new folder, and an existing one as it was', async () => {
    expectRefused(await servesim(['merge', join(dir, 'a'), '--out', join(dir, 'mx2')]), /point results missing/);
    expect(existsSync(join(dir, 'mx2'))).toBe(false);
    const ok = await servesim(['merge', join(dir, 'a'), join(dir, 'b'), '--out', join(dir, 'full')]);
    expect(ok.code, ok.stderr).toBe(0);
    cpSync(join(dir, 'full'), join(dir, 'before'), { recursive: true });
    expectRefused(await servesim(['merge', join(dir, 'a'), '--out', join(dir, 'full'), '--overwrite']), /point results missing/);
    const list = (d: string) => readdirSync(d, { recursive: true }).map(String).sort();
    expect(list(join(dir, 'full'))).toEqual(list(join(dir, 'before')));
    for (const f of list(join(dir, 'before')).filter((f) => f.includes('.'))) expect(readFileSync(join(dir, 'full', f))).toEqual(readFileSync(join(dir, 'before', f)));
  }, 60_000);

  it('report --sweep with --out naming a folder says so, naming no temporary file', async () => {
    const full = join(dir, 'full');
    if (!existsSync(join(full, 'answers.json'))) expect((await servesim(['merge', join(dir, 'a'), join(dir, 'b'), '--out', full])).code).toBe(0);
    const r = await servesim(['report', '--sweep', full, '--out', full]);
    expectRefused(r, new RegExp(`^servesim: ${esc(full)}: --out: is a folder: name the file to write`));
    expect(r.stderr).not.toMatch(/tmp-/);
  }, 60_000);
});
