#!/usr/bin/env node
import { ZaiError } from '@zai/common';
import { createProgram } from './cli/program.js';

createProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    // one clear line for expected failures; a stack only for real bugs
    if (e instanceof ZaiError) process.stderr.write(`zai: ${e.message}\n`);
    else process.stderr.write(`zai: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
