// `servesim synthesize`: a datagen-style synthetic Mooncake trace learned from an input trace, or a
// built-in workload written out as a trace; streamed to a temporary file renamed when complete, never
// over the input or (without --overwrite) an existing file, nor a trace that `run` would refuse.
import { createWriteStream, existsSync, realpathSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseParamPairs } from '../trace/params.ts';
import { readTrace } from '../trace/read.ts';
import { defaultOutputFileName, Synthesizer, synthRowToJson, validateSynthesizerOptions, type SynthesizerOptions, type SynthRow } from '../trace/synthesize.ts';
import { getWorkload, requestToTraceLine } from '../trace/workloads.ts';
import { TRACE_BLOCK_TOKENS } from '../protocol/trace.ts';
import { MAX_TIME_MS } from '../util/clock.ts';
import { InputError, inputError } from '../util/errors.ts';
import { checkNewOutput } from '../util/files.ts';
import { makeRng } from '../util/random.ts';

export interface SynthesizeArgs {
  'input-file'?: string;
  workload?: string;
  param: string[];
  'num-requests'?: number;
  'speedup-ratio'?: number;
  'prefix-len-multiplier'?: number;
  'prefix-root-multiplier'?: number;
  'prompt-len-multiplier'?: number;
  'osl-multiplier'?: number;
  'max-isl'?: number;
  'min-isl'?: number;
  'min-osl'?: number;
  'max-osl'?: number;
  'block-size'?: number;
  'output-file'?: string;
  overwrite?: boolean;
  seed: string;
}

/** datagen's --num-requests default. */
export const DEFAULT_NUM_REQUESTS = 100_000;

/** The flags of learning from an --input-file, which a built-in --workload (sized and timed by its --param) does not take. */
const SYNTHESIS_FLAGS = ['num-requests', 'speedup-ratio', 'prefix-len-multiplier', 'prefix-root-multiplier', 'prompt-len-multiplier', 'osl-multiplier', 'max-isl', 'min-isl', 'min-osl', 'max-osl', 'block-size'] as const;

/** datagen's default --input-file. */
export const DEFAULT_INPUT_FILE = 'mooncake_trace.jsonl';

function checkOptionalInt(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new InputError(`--${name}: must be an integer >= ${min}, got ${v}`);
}

/** Write lines to a file as they come, honouring back-pressure, under a temporary name renamed at the end;
 *  Ctrl-C removes the temporary file (no partial trace is left behind) and exits 130. */
async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  let out: WriteStream | undefined;
  let n = 0;
  const tmp = `${file}.tmp-${process.pid}`;
  const onSignal = () => {
    out?.destroy();
    rmSync(tmp, { force: true });
    process.stderr.write(`servesim: interrupted (SIGINT) after ${n} requests: ${file} not written\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  try {
    out = createWriteStream(tmp, { encoding: 'utf8' });
    await once(out, 'open');
    for (const line of lines) {
      n++;
      if (!out.write(line + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    renameSync(tmp, file);
    return n;
  } catch (err) {
    out?.destroy();
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    if (err instanceof Error && 'code' in err && typeof err.code === 'string') throw new InputError(`${file}: cannot write (${err.code})`);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** The rows' lines, refusing a timestamp the simulated clock cannot hold (as the trace reader would). */
function* timedLines(rows: Iterable<SynthRow>, speedup: number): Generator<string> {
  for (const r of rows) {
    if (r.timestamp > MAX_TIME_MS) {
      throw inputError({ field: '--speedup-ratio' }, `${speedup} stretches the gaps so far that a timestamp reaches ${r.timestamp} ms, beyond 2^43 ms (~278 years) where the simulated clock loses ms fractions (run would refuse the trace): give a larger ratio`);
    }
    yield synthRowToJson(r);
  }
}

export async function synthesize(a: SynthesizeArgs): Promise<string> {
    checkOptionalInt('num-requests', a['num-requests'], 1);
    checkOptionalInt('max-isl', a['max-isl'], 1);
    checkOptionalInt('min-isl', a['min-isl'], 0);
    checkOptionalInt('min-osl', a['min-osl'], 0);
    checkOptionalInt('max-osl', a['max-osl'], 1);
    if (a.workload !== undefined) {
      if (a['input-file'] !== undefined) throw new InputError('give either --input-file or --workload, not both');
      if (a['output-file'] === undefined) throw new InputError('--workload needs --output-file');
      const given = SYNTHESIS_FLAGS.filter((k) => a[k] !== undefined);
      if (given.length > 0) throw inputError({ field: `--${given[0]}` }, `applies to synthesis from an --input-file; a built-in --workload is sized and timed by its --param keys (num_requests=N, and rate_scale=X for seed-coding or rate=R for poisson)`);
      const w = getWorkload(a.workload);
      if (!w.timed) throw inputError({ field: '--workload' }, `${a.workload} is untimed (every request at time 0, meant for run's --request-rate or --concurrency): it cannot be written out as a timed trace; run it with --workload ${a.workload} instead`);
      checkNewOutput(a['output-file'], '--output-file', a.overwrite === true);
      const requests = w.generate({ seed: a.seed, params: parseParamPairs(a.param) });
      if (requests.length === 0) throw inputError({ field: '--param num_requests' }, 'is 0: the trace would hold no requests (run refuses an empty trace)');
      const n = await writeLines(a['output-file'], (function* () {
        for (const r of requests) yield requestToTraceLine(r);
      })());
      return `wrote ${n} requests of workload ${a.workload} (seed ${a.seed}) to ${a['output-file']}\n`;
    }
    if (a.param.length > 0) throw new InputError('--param applies to a built-in --workload');
    const opts: SynthesizerOptions = {
      blockTokens: a['block-size'] ?? TRACE_BLOCK_TOKENS,
      speedupRatio: a['speedup-ratio'] ?? 1,
      prefixLenMultiplier: a['prefix-len-multiplier'] ?? 1,
      prefixRootMultiplier: a['prefix-root-multiplier'] ?? 1,
      promptLenMultiplier: a['prompt-len-multiplier'] ?? 1,
      oslMultiplier: a['osl-multiplier'] ?? 1,
    };
    validateSynthesizerOptions(opts);
    const input = a['input-file'] ?? DEFAULT_INPUT_FILE;
    const outputFile =
      a['output-file'] ??
      defaultOutputFileName(
        input,
        {
          prefixLenMultiplier: opts.prefixLenMultiplier!,
          prefixRootMultiplier: opts.prefixRootMultiplier!,
          promptLenMultiplier: opts.promptLenMultiplier!,
          speedupRatio: opts.speedupRatio!,
          maxIsl: a['max-isl'],
          minIsl: a['min-isl'],
          minOsl: a['min-osl'],
          maxOsl: a['max-osl'],
          oslMultiplier: opts.oslMultiplier!,
        },
        a['speedup-ratio'] !== undefined,
      );
    if (existsSync(input) && existsSync(outputFile) && realpathSync(input) === realpathSync(outputFile)) {
      throw inputError({ file: outputFile, field: '--output-file' }, 'is the --input-file: write the synthesized trace to another file');
    }
    checkNewOutput(outputFile, '--output-file', a.overwrite === true);
    const synth = new Synthesizer(await readTrace(input, opts.blockTokens), opts);
    const rows = synth.generate(a['num-requests'] ?? DEFAULT_NUM_REQUESTS, { maxIsl: a['max-isl'], minIsl: a['min-isl'], minOsl: a['min-osl'], maxOsl: a['max-osl'] }, makeRng(a.seed));
    const n = await writeLines(outputFile, timedLines(rows, opts.speedupRatio!));
    return `synthesized ${n} requests (seed ${a.seed}) to ${outputFile}\n`;
}
