#!/usr/bin/env node
// servesim command-line entry: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/index.ts');
