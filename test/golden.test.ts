// Determinism across processes: the golden run's summary.json (made by the CLI in a fresh process)
// has the sha256 pinned in test/golden/summary.sha256 (rewrite with npm run pin when a change is meant
// to move figures), and a second process gives the same bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenRun, GOLDEN_HASH_FILE } from './golden-run.ts';

describe('golden run', () => {
  it('summary.json of a spawned CLI run has the pinned hash, in two processes', () => {
    const a = goldenRun();
    expect(a.status, a.stderr).toBe(0);
    expect(goldenRun().sha256).toBe(a.sha256);
    expect(a.sha256).toBe(readFileSync(GOLDEN_HASH_FILE, 'utf8').trim());
  });
});
