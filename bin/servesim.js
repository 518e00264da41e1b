#!/usr/bin/env node
// servesim command-line entry: runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('servesim: dist/ is missing: run `npm run build` (npm ci runs it) in the servesim folder\n');
  process.exit(2);
}
await import(entry.href);
