// `servesim synthesize`: a datagen-style synthetic Mooncake trace learned from an input trace, or a
// built-in workload written out as a trace; streamed to a temporary file renamed when complete.
import { createWriteStream, existsSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseParamPairs } from '../trace/params.ts';
import { readTrace } from '../trace/read.ts';
import { defaultOutputFileName, Synthesizer, synthRowToJson, validateSynthesizerOptions, type SynthesizerOptions } from '../trace/synthesize.ts';
import { getWorkload, requestToTraceLine } from '../trace/workloads.ts';
import { InputError } from '../util/errors.ts';
import { makeRng } from '../util/random.ts';

export interface SynthesizeArgs {
  'input-file'?: string;
  workload?: string;
  param: string[];
  'num-requests': number;
  'speedup-ratio'?: number;
  'prefix-len-multiplier': number;
  'prefix-root-multiplier': number;
  'prompt-len-multiplier': number;
  'osl-multiplier': number;
  'max-isl'?: number;
  'min-isl'?: number;
  'min-osl'?: number;
  'max-osl'?: number;
  'block-size': number;
  'output-file'?: string;
  seed: string;
}

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

export async function synthesize(a: SynthesizeArgs): Promise<string> {
    checkOptionalInt('num-requests', a['num-requests'], 0);
    checkOptionalInt('max-isl', a['max-isl'], 1);
    checkOptionalInt('min-isl', a['min-isl'], 0);
    checkOptionalInt('min-osl', a['min-osl'], 0);
    checkOptionalInt('max-osl', a['max-osl'], 1);
    if (a.workload !== undefined) {
      if (a['input-file'] !== undefined) throw new InputError('give either --input-file or --workload, not both');
      if (a['output-file'] === undefined) throw new InputError('--workload needs --output-file');
      const requests = getWorkload(a.workload).generate({ seed: a.seed, params: parseParamPairs(a.param) });
      const n = await writeLines(a['output-file'], (function* () {
        for (const r of requests) yield requestToTraceLine(r);
      })());
      return `wrote ${n} requests of workload ${a.workload} (seed ${a.seed}) to ${a['output-file']}\n`;
    }
    if (a.param.length > 0) throw new InputError('--param applies to a built-in --workload');
    const opts: SynthesizerOptions = {
      blockTokens: a['block-size'],
      speedupRatio: a['speedup-ratio'] ?? 1,
      prefixLenMultiplier: a['prefix-len-multiplier'],
      prefixRootMultiplier: a['prefix-root-multiplier'],
      promptLenMultiplier: a['prompt-len-multiplier'],
      oslMultiplier: a['osl-multiplier'],
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
    const synth = new Synthesizer(await readTrace(input, opts.blockTokens), opts);
    const rows = synth.generate(a['num-requests'], { maxIsl: a['max-isl'], minIsl: a['min-isl'], minOsl: a['min-osl'], maxOsl: a['max-osl'] }, makeRng(a.seed));
    const n = await writeLines(outputFile, (function* () {
      for (const r of rows) yield synthRowToJson(r);
    })());
    return `synthesized ${n} requests (seed ${a.seed}) to ${outputFile}\n`;
}
