#!/usr/bin/env node
// servesim command-line entry: runs the bundled CLI (dist/bundle/servesim.cjs, built by `npm run build`,
// which `npm ci` runs) compiled with a V8 code cache, as Node 22's module compile cache would: the
// bytecode of every function the first successful run of a command compiled is kept beside the bundle
// (code-cache.js: one file per command, named by a hash of the bundle, the Node version and its flags),
// so later runs of it neither parse nor compile that code again. A command's help, failed runs and
// read-only installs write none. --debug loads the bundle plainly, with its source maps, so stack
// traces name src/ files and lines.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { cacheFileOf, canWrite, readCache, writeCache } from './code-cache.js';

const bundle = fileURLToPath(new URL('../dist/bundle/servesim.cjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('servesim: dist/ is missing: run `npm run build` (npm ci runs it) in the servesim folder\n');
  process.exit(2);
}
const require = createRequire(bundle);
const argv = process.argv.slice(2);
if (argv.includes('--debug')) {
  process.setSourceMapsEnabled(true);
  require(bundle);
} else {
  const source = readFileSync(bundle, 'utf8');
  const command = /^[a-z][a-z-]{0,30}$/.test(argv[0] ?? '') ? argv[0] : 'top';
  const cacheFile = cacheFileOf(bundle, source, command);
  const cachedData = readCache(cacheFile);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __servesimImport) {${source}\n})`, { filename: bundle, cachedData });
  // written at exit, once the command has compiled what it uses (its help text compiles little of it;
  // without a command, help and version are all there is)
  const helpOnly = command !== 'top' && argv.some((a) => a === '--help' || a === '-h' || a === '--version');
  if ((cachedData === undefined || script.cachedDataRejected) && !helpOnly && canWrite(cacheFile)) {
    process.once('exit', (code) => {
      if (code === 0) writeCache(cacheFile, script.createCachedData());
    });
  }
  const module = { exports: {} };
  // a vm script has no import() of its own (Node 20's default-loader option does not survive a code
  // cache): the bundle's run-time imports (router plug-ins) use this one
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle), (specifier) => import(specifier));
}
