// Bundle the command-line program into dist/bundle/ (run by `npm run build` after tsc): the CLI,
// its dependencies and its two worker threads as a few ES-module chunks, so a command loads a handful
// of files instead of ~400 (servesim's ~150 modules, yargs, zod, yaml, ...); dynamic imports stay
// separate chunks, so each command still loads only what it uses. The library (dist/index.js) stays
// tsc's one file per module. The bundle folder sits two levels below the package root, like every
// compiled module, so paths the code finds from its own URL (`../../models`, `../../package.json`,
// `./outputs-worker.js`) resolve the same from a chunk. Minified; source maps beside the chunks map
// stack traces back to src/ under --debug.
import { readFileSync, rmSync } from 'node:fs';
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
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { servesim: 'src/cli/index.ts', 'outputs-worker': 'src/app/outputs-worker.ts', 'sweep-worker': 'src/app/sweep-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // minified: a cold start scans a third of the bytes (whole-process runs measured ~40 ms faster)
  minify: true,
  sourcemap: 'linked',
  // tsx only loads a .ts router plug-in, from the user's own install
  external: ['tsx', 'tsx/*'],
  // the CommonJS dependencies (seedrandom, cli-progress) call require() for Node's built-ins
  banner: { js: "import { createRequire as __servesimRequire } from 'node:module'; const require = __servesimRequire(import.meta.url);" },
  plugins: [lazySegmenter],
  logLevel: 'warning',
});
