// Bundle the command-line program into dist/bundle/ (run by `npm run build` after tsc): the CLI and
// each of its worker threads as one minified CommonJS file with its dependencies (servesim's ~150
// modules, yargs, zod, yaml, ...), which bin/servesim.js compiles with a V8 code cache (see there).
// Dynamic imports stay lazy: a module only a command uses (mathjs for calibrate, d3 for report) is
// evaluated when that command runs. The library (dist/index.js) stays tsc's one file per module. The
// bundle folder sits two levels below the package root, like every compiled module, so paths the code
// finds from its own URL (`../../models`, `../../package.json`, the worker files) resolve the same.
// Source maps beside the files map stack traces back to src/ file names and lines under --debug.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * string-width (three copies, under yargs, cliui and wrap-ansi) builds an Intl.Segmenter when it is
 * loaded, which costs ~12 ms of ICU set-up in every command, help or not; build it at the first
 * measured string instead. A version without that line is bundled as it is.
 */
const lazySegmenter = {
  name: 'lazy-string-width-segmenter',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = 'const segmenter = new Intl.Segmenter();';
      return { contents: text.replace(eager, 'let realSegmenter;\nconst segmenter = { segment: (s) => (realSegmenter ??= new Intl.Segmenter()).segment(s) };'), loader: 'js' };
    });
  },
};

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
// built beside it, then each file renamed into place: a CLI started meanwhile (a test running while
// `npm pack` rebuilds) reads the old file or the new one, never none or half of one
const staging = `${root}dist/.bundle-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { servesim: 'src/cli/index.ts', 'outputs-worker': 'src/app/outputs-worker.ts', 'sweep-worker': 'src/app/sweep-worker.ts', 'plugin-probe': 'src/router/plugin-probe.ts', 'plugin-run-worker': 'src/app/plugin-run-worker.ts' },
  outdir: staging,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // minified: a cold start scans a third of the bytes (whole-process runs measured ~40 ms faster)
  minify: true,
  // the mappings alone: they name src/ files and lines, without carrying the sources (8 MB) along
  sourcemap: 'linked',
  sourcesContent: false,
  // tsx only loads a .ts router plug-in, from the user's own install
  external: ['tsx', 'tsx/*'],
  // CommonJS has no import.meta: each file's own URL, from its path
  define: { 'import.meta.url': '__servesimModuleUrl' },
  banner: { js: "var __servesimModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazySegmenter],
  logLevel: 'warning',
});
mkdirSync(outdir, { recursive: true });
const built = readdirSync(staging);
for (const f of built) renameSync(`${staging}/${f}`, `${outdir}/${f}`);
// code caches of earlier bundles (bin/servesim.js names them by the bundle's hash) and files no longer built
for (const f of readdirSync(outdir)) if (!built.includes(f) && !f.includes('.tmp-')) rmSync(`${outdir}/${f}`, { force: true });
rmSync(staging, { recursive: true, force: true });
