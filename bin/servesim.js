#!/usr/bin/env node
// servesim command-line entry: runs the bundled CLI (dist/bundle/, built by `npm run build`, which
// `npm ci` runs); --debug maps stack traces back to src/ through the bundle's source maps.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bundle/servesim.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('servesim: dist/ is missing: run `npm run build` (npm ci runs it) in the servesim folder\n');
  process.exit(2);
}
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
await import(entry.href);
