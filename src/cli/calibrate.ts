// `servesim calibrate`: fit the cost model's global parameters to the reported runs, write the fitted
// values into the calibration file the model names (shared by every model file naming it) and a
// report (start vs fitted values, per-figure errors, sensitivities).
import type { CommandModule } from 'yargs';
import { DEFAULT_SEED } from './common.ts';
import type { CalibrateArgs } from '../app/calibrate-command.ts';

export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: 'calibrate',
  describe: "fit the cost model's global parameters to the reported runs (writes the shared calibration file and a report)",
  builder: (y) =>
    y
      .option('model', { type: 'string', default: 'gb200-dsv32-nvfp4-trtllm', describe: 'cost model in models/' })
      .option('trace', { type: 'string', describe: 'trace to fit on (default: the seed-coding workload)' })
      .option('workload', { type: 'string', describe: 'built-in workload (default seed-coding)' })
      .option('seed', { type: 'string', default: DEFAULT_SEED, alias: 'random-seed', describe: 'seed of the workload sample and every random choice (alias --random-seed)' })
      .option('params', { type: 'string', array: true, default: [], describe: "parameters to fit (default: all the model's calibration parameters)" })
      .option('max-evaluations', { type: 'number', default: 150, describe: 'objective evaluations (3 simulated runs each) of the bounded Nelder-Mead fit' })
      .option('fit', { type: 'boolean', default: true, describe: 'run the fit (--no-fit: evaluate the values in the calibration file, polish if asked, report)' })
      .option('polish', { type: 'number', default: 16, describe: 'points sampled within ±1.2 % of the fit; the one with most figures in band (objective within --polish-tolerance) is kept' })
      .option('polish-tolerance', { type: 'number', default: 0.02, describe: 'relative objective margin of the polish' })
      .option('fit-seeds', { type: 'string', describe: 'robust objective: the mean over these seed-coding samples (a count from --seed upwards, or a list including --seed, e.g. 42,1,2,3), each judged against the reported runs' })
      .option('write', { type: 'boolean', default: true, describe: 'write the fitted values into the calibration file the model names (models/calibration/)' })
      .option('uncertainty-only', { type: 'boolean', default: false, describe: "no fit: measure the Jacobian at the model's current values and store the parameter covariance in report.json (used by check --seeds)" })
      .option('report', { type: 'string', default: 'results/calibration', describe: 'folder for report.md and report.json' })
      .example('$0 calibrate --no-write --report /tmp/cal', 'fit without touching the calibration file')
      .example('$0 calibrate --fit-seeds 42,1,2,3 --no-write --report /tmp/cal', 'fit the mean error over four samples of the workload')
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    const { calibrateCommand: run } = await import('../app/calibrate-command.ts');
    const md = await run(a, (line) => process.stderr.write(`\r${line}   `));
    process.stderr.write('\n');
    process.stdout.write(md);
  },
};
