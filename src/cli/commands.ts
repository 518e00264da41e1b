// The list of CLI commands; each lives in its own file in this folder.
import type { CommandModule } from 'yargs';
import { runCommand } from './run.ts';
import { analyzeCommand } from './analyze.ts';
import { synthesizeCommand } from './synthesize.ts';
import { demoCommand } from './demo.ts';
import { checkCommand } from './check.ts';
import { calibrateCommand } from './calibrate.ts';
import { reportCommand } from './report.ts';
import { sweepCommand } from './sweep.ts';
import { mergeCommand } from './merge.ts';
import { compareCommand } from './compare.ts';
import { importDgdCommand } from './import-dgd.ts';
import { costCommand } from './cost.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [runCommand, demoCommand, checkCommand, calibrateCommand, sweepCommand, mergeCommand, compareCommand, costCommand, reportCommand, analyzeCommand, synthesizeCommand, importDgdCommand];
