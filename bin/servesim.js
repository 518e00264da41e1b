#!/usr/bin/env node
// servesim command-line entry: runs the bundled CLI (dist/bundle/servesim.cjs, built by `npm run build`,
// which `npm ci` runs) compiled with a V8 code cache, as Node 22's module compile cache would: the
// bytecode of every function the first successful run of a command compiled is kept beside the bundle
// (servesim.cjs.<command>.<hash of the bundle>.v8cache), so later runs of it neither parse nor compile
// that code again. The hash is needed: V8 checks a cache against its own version and flags but the
// source only by its length, so a rebuilt bundle of the same length would take a stale cache. A cache
// V8 rejects (another Node version) is replaced; one that cannot be written (a read-only install) is
// skipped.
// --debug loads the bundle plainly, with its source maps, so stack traces name src/ files and lines.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/servesim.cjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('servesim: dist/ is missing: run `npm run build` (npm ci runs it) in the servesim folder\n');
  process.exit(2);
}
const require = createRequire(bundle);
if (process.argv.includes('--debug')) {
  process.setSourceMapsEnabled(true);
  require(bundle);
} else {
  const source = readFileSync(bundle, 'utf8');
  const command = /^[a-z][a-z-]{0,30}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'top';
  const cacheFile = `${bundle}.${command}.${createHash('sha1').update(source).digest('hex').slice(0, 16)}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __servesimImport) {${source}\n})`, { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // written at exit, when the run has compiled what it uses; atomically, as several may start at once
    process.once('exit', (code) => {
      if (code !== 0) return;
      const tmp = `${cacheFile}.tmp-${process.pid}`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        rmSync(tmp, { force: true });
      }
    });
  }
  const module = { exports: {} };
  // import() for what the bundle loads at run time (router plug-ins): a script compiled from a code cache
  // loses its own (the cache keeps no import callback)
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle), (specifier) => import(specifier));
}
