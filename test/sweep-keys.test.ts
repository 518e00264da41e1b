// A sweep point's content key covers everything the simulation reads: changing the calibration file a
// model names (shared by model files, so not part of the model file's own hash) gives a new key, so a
// resumed sweep never reuses a point computed with other parameters; the same files in another folder
// give the same keys.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/app/plan.ts';
import { planJobs, planPoints } from '../src/app/points.ts';

const MODELS = resolve('models');

function copyModel(dir: string): string {
  mkdirSync(join(dir, 'calibration'), { recursive: true });
  copyFileSync(join(MODELS, 'gb200-dsv32-nvfp4-trtllm.json'), join(dir, 'm.json'));
  const cal = join(dir, 'calibration', 'gb200-trtllm.json');
  copyFileSync(join(MODELS, 'calibration', 'gb200-trtllm.json'), cal);
  return cal;
}

function keysWith(dir: string, model = join(dir, 'm.json')): string[] {
  const plan = validatePlan({ scenario: resolve('scenarios/disagg-kv.yaml'), workload: 'seed-coding', seeds: [1], set: { model }, axes: [{ key: 'workers.decode.count', values: [1, 2] }] }, join(dir, 'plan.yaml'));
  return planJobs(plan, planPoints(plan)).map((j) => j.key);
}

describe('sweep content keys', () => {
  it('change when the shared calibration file changes, and only then', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servesim-keys-'));
    const cal = copyModel(dir);
    const before = keysWith(dir);
    expect(new Set(before).size).toBe(2);
    expect(keysWith(dir)).toEqual(before);
    const json = JSON.parse(readFileSync(cal, 'utf8'));
    json.parameters.hostOverheadMs.value += 1;
    writeFileSync(cal, JSON.stringify(json));
    const after = keysWith(dir);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });

  it('do not depend on the folder a model file sits in (shards on other machines, a moved sweep folder)', () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'servesim-keys-a-')), mkdtempSync(join(tmpdir(), 'servesim-keys-b-'))];
    copyModel(a);
    copyModel(b);
    expect(keysWith(b)).toEqual(keysWith(a));
    // a plan's model path is read from the plan's folder, as its scenario and trace are
    expect(keysWith(b, 'm.json')).toEqual(keysWith(a));
  });
});
