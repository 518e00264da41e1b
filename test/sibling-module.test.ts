// siblingModule: a worker file beside the calling module, with the caller's extension (tsx .ts,
// tsc's .js, the bundle's .cjs).
import { describe, expect, it } from 'vitest';
import { siblingModule } from '../src/util/sibling-module.ts';

describe('siblingModule', () => {
  it('keeps the caller folder and extension', () => {
    expect(siblingModule('file:///p/src/app/run-outputs.ts', 'outputs-worker').href).toBe('file:///p/src/app/outputs-worker.ts');
    expect(siblingModule('file:///p/dist/app/pool.js', 'sweep-worker').href).toBe('file:///p/dist/app/sweep-worker.js');
    expect(siblingModule('file:///p/dist/bundle/servesim.cjs', 'sweep-worker').href).toBe('file:///p/dist/bundle/sweep-worker.cjs');
    expect(siblingModule('file:///p/dist/x.mjs?t=1', 'w').href).toBe('file:///p/dist/w.mjs');
  });
});
