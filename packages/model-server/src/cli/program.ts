import { Command } from 'commander';
import { runBench } from './bench.js';
import { addConfigCommand } from './config.js';
import { runInfo } from './info.js';
import { runOptimize } from './optimize.js';
import { runModel } from './run.js';
import { addServeCommand } from './serve.js';
import { runValidate } from './validate.js';

declare const __ZAI_VERSION__: string | undefined;

/** The `zai` command line. Only commands that work are registered. */
export function createProgram(
  print: (text: string) => void = (t) => process.stdout.write(`${t}\n`),
): Command {
  const program = new Command('zai')
    .description('Run and inspect ONNX models')
    .version(typeof __ZAI_VERSION__ === 'string' ? __ZAI_VERSION__ : '0.1.0')
    .showHelpAfterError();

  program
    .command('info')
    .description('print inputs, outputs, opsets, producer, op histogram and parameter count of a model')
    .argument('<model>', 'path to a .onnx file')
    .option('--json', 'print the report as JSON (includes every value and its inferred shape)')
    .option('--shapes', 'list every intermediate value with its inferred type and shape')
    .option(
      '--dim <name=size...>',
      'bind a symbolic dimension for shapes and the compute estimate, e.g. batch=1',
    )
    .action(async (model: string, opts: { json?: boolean; shapes?: boolean; dim?: string[] }) =>
      print(await runInfo(model, opts)),
    );

  program
    .command('validate')
    .description('check a model against the ONNX IR rules and the native operator coverage')
    .argument('<model>', 'path to a .onnx file')
    .option('--json', 'print the findings as JSON')
    .action(async (model: string, opts: { json?: boolean }) => print(await runValidate(model, opts)));

  program
    .command('run')
    .description('run a model on the native backend and print or save its outputs')
    .argument('<model>', 'path to a .onnx file')
    .option('-i, --input <name=source...>', 'an input: name=file.npy, name=file.json or name=<inline JSON>')
    .option('-o, --output <dir>', 'save each output as <name>.npy (or .json) in this folder')
    .option('--json', 'print outputs as JSON')
    .option('--full', 'print every value, not just the first 16')
    .action(
      async (model: string, opts: { input?: string[]; output?: string; json?: boolean; full?: boolean }) =>
        print(await runModel(model, opts)),
    );

  program
    .command('optimize')
    .description('run the graph optimizer (constant folding, dead-code elimination) and write the result')
    .argument('<input>', 'path to a .onnx file')
    .argument('<output>', 'where to write the optimized model')
    .option('--level <level>', 'disabled, basic, extended or all', 'all')
    .option('--external-data', 'write weights of 1 KiB and more to <output>.data')
    .action(async (input: string, output: string, opts: { level?: string; externalData?: boolean }) =>
      print(await runOptimize(input, output, opts)),
    );

  program
    .command('bench')
    .description('time session creation and runs per backend on synthetic inputs')
    .argument('<model>', 'path to a .onnx file')
    .option('--runs <n>', 'timed runs', '20')
    .option('--warmup <n>', 'untimed runs first', '3')
    .option('--backend <list>', 'comma-separated: native, onnxruntime', 'native,onnxruntime')
    .option('--dim <name=size...>', 'bind symbolic dimensions (others are 1), e.g. batch=8')
    .option('--json', 'print the figures as JSON')
    .action(async (model: string, opts: Parameters<typeof runBench>[1]) =>
      print(await runBench(model, opts)),
    );

  addServeCommand(program, print);
  addConfigCommand(program, print);

  return program;
}
