import { ShapeError } from '@zai/common';
import type { ValueInfoIR } from '@zai/onnx-parser';
import { normalizeAxis, type Tensor } from '@zai/tensor-core';
import {
  type CompiledSubgraph,
  defineOp,
  type KernelContext,
  type RunContext,
  type RuntimeValue,
} from '../../kernel.js';
import { expectTensor, integers, stackAxis, takeAxis, zeros } from '../sequence/layout.js';
import { checkAborted, graphIR, scanElement, stackScan } from './common.js';
import { scanType } from './types.js';

// Scan: states carried from step to step, scan inputs sliced along an axis,
// body scan outputs stacked. Opset 8 scans axis 1 of batched inputs with
// optional per-batch sequence lengths; 9+ has per-input axes and directions.

interface ScanShape {
  readonly body: CompiledSubgraph;
  /** Declared body outputs, typing empty scan outputs. */
  readonly declared: readonly ValueInfoIR[];
  /** State variables. */
  readonly n: number;
  /** Scan inputs. */
  readonly m: number;
  /** Scan outputs. */
  readonly k: number;
}

function scanShape(ctx: KernelContext, stateAndScanInputs: number): ScanShape {
  const body = ctx.graph('body');
  const m = ctx.int('num_scan_inputs');
  const n = stateAndScanInputs - m;
  if (m < 1 || n < 0)
    ctx.fail(`num_scan_inputs ${m} does not fit ${stateAndScanInputs} state and scan inputs`);
  if (body.inputNames.length !== n + m) {
    ctx.fail(
      `body takes ${body.inputNames.length} inputs, expected ${n + m} (${n} states, ${m} scan inputs)`,
    );
  }
  const k = body.outputNames.length - n;
  if (k < 0) ctx.fail(`body yields ${body.outputNames.length} outputs, fewer than the ${n} states`);
  if (ctx.outputCount > n + k) ctx.fail(`the node has ${ctx.outputCount} outputs, the body gives ${n + k}`);
  return { body, declared: graphIR(ctx, 'body').outputs, n, m, k };
}

/** A per-input (or per-output) attribute list, defaulting to zeros, of the given length. */
function perItem(ctx: KernelContext, name: string, count: number): number[] {
  const v = ctx.ints(name, new Array<number>(count).fill(0));
  if (v.length !== count) ctx.fail(`attribute '${name}' has ${v.length} entries, expected ${count}`);
  return v;
}

/**
 * Runs `steps` iterations: `slice(j, t)` is scan input j at step t. Returns
 * the final states and, per scan output, the element of every step.
 */
function iterate(
  s: ScanShape,
  states: RuntimeValue[],
  steps: number,
  slice: (j: number, t: number) => Tensor,
  run: RunContext,
): { states: RuntimeValue[]; outputs: Tensor[][] } {
  const outputs: Tensor[][] = Array.from({ length: s.k }, () => []);
  let current = states;
  for (let t = 0; t < steps; t++) {
    checkAborted(run);
    const args: RuntimeValue[] = [...current];
    for (let j = 0; j < s.m; j++) args.push(slice(j, t));
    const outs = s.body.run(args, run);
    current = outs.slice(0, s.n);
    for (let j = 0; j < s.k; j++) outputs[j]!.push(scanElement(outs[s.n + j]!, `scan output ${j}`));
  }
  return { states: current, outputs };
}

/** The common scan length of all scan inputs. */
function sequenceLength(scans: readonly Tensor[], axes: readonly number[]): number {
  const len = scans[0]!.dims[axes[0]!];
  if (len === undefined)
    throw new ShapeError(`scan input 0 of shape [${scans[0]!.dims}] has no axis ${axes[0]} to scan`);
  scans.forEach((t, j) => {
    if (t.dims[axes[j]!] !== len) {
      throw new ShapeError(
        `scan input ${j} has length ${t.dims[axes[j]!]} on its scan axis, scan input 0 has ${len}`,
      );
    }
  });
  return len;
}

export const SCAN_9 = defineOp(
  'Scan',
  '9+',
  (ctx) => {
    const s = scanShape(ctx, ctx.inputCount);
    const inAxes = perItem(ctx, 'scan_input_axes', s.m);
    const inDirs = perItem(ctx, 'scan_input_directions', s.m);
    const outAxes = perItem(ctx, 'scan_output_axes', s.k);
    const outDirs = perItem(ctx, 'scan_output_directions', s.k);
    return (inputs, run) => {
      const states = inputs.slice(0, s.n).map((v) => v ?? null);
      const scans = inputs.slice(s.n).map((v, j) => expectTensor(v, `Scan input ${s.n + j}`));
      const axes = scans.map((t, j) => normalizeAxis(inAxes[j]!, t.dims.length, 'scan_input_axes'));
      const len = sequenceLength(scans, axes);
      const slice = (j: number, t: number): Tensor =>
        takeAxis(scans[j]!, axes[j]!, inDirs[j] === 1 ? len - 1 - t : t);
      const r = iterate(s, states, len, slice, run);
      const outs = r.outputs.map((items, j) => {
        // a reverse output direction prepends each step's value
        const ordered = outDirs[j] === 1 ? items.slice().reverse() : items;
        const rank = (items[0]?.dims.length ?? rankOf(s.declared[s.n + j])) + 1;
        return stackScan(ordered, normalizeAxis(outAxes[j]!, rank, 'scan_output_axes'), s.declared[s.n + j]);
      });
      return [...r.states, ...outs];
    };
  },
  '',
  scanType,
);

function rankOf(info: ValueInfoIR | undefined): number {
  return info?.type?.kind === 'tensor' ? (info.type.shape?.length ?? 0) : 0;
}

export const SCAN_8 = defineOp(
  'Scan',
  '8',
  (ctx) => {
    const s = scanShape(ctx, ctx.inputCount - 1);
    const dirs = perItem(ctx, 'directions', s.m);
    return (inputs, run) => {
      const lens =
        inputs[0] == null
          ? undefined
          : integers(expectTensor(inputs[0], 'Scan sequence_lens'), 'sequence_lens');
      const states = inputs.slice(1, 1 + s.n).map((v, j) => expectTensor(v, `Scan initial state ${j}`));
      const scans = inputs.slice(1 + s.n).map((v, j) => expectTensor(v, `Scan input ${1 + s.n + j}`));
      for (const t of [...states, ...scans]) {
        if (t.dims.length < 1) throw new ShapeError('Scan (opset 8) inputs need a batch axis');
      }
      const batch = scans[0]!.dims[0]!;
      if (lens && lens.length !== batch)
        throw new ShapeError(`sequence_lens has ${lens.length} entries for batch ${batch}`);
      const maxLen = sequenceLength(
        scans,
        scans.map(() => 1),
      );
      const finals: Tensor[][] = Array.from({ length: s.n }, () => []);
      const outs: Tensor[][] = Array.from({ length: s.k }, () => []);
      for (let b = 0; b < batch; b++) {
        const steps = lens ? lens[b]! : maxLen;
        if (steps < 0 || steps > maxLen)
          throw new ShapeError(`sequence_lens[${b}] = ${steps} is outside [0, ${maxLen}]`);
        const rows = scans.map((t) => takeAxis(t, 0, b));
        // a reversed input starts from the last valid step of its own sequence
        const slice = (j: number, t: number): Tensor =>
          takeAxis(rows[j]!, 0, dirs[j] === 1 ? steps - 1 - t : t);
        const r = iterate(
          s,
          states.map((t) => takeAxis(t, 0, b)),
          steps,
          slice,
          run,
        );
        r.states.forEach((v, j) => {
          finals[j]!.push(scanElement(v, `state ${j}`));
        });
        r.outputs.forEach((items, j) => {
          outs[j]!.push(padSteps(items, maxLen, s.declared[s.n + j]));
        });
      }
      return [
        ...finals.map((items, j) => (items.length ? stackAxis(items, 0) : states[j]!)),
        ...outs.map((items, j) => stackScan(items, 0, batchless(s.declared[s.n + j], maxLen))),
      ];
    };
  },
  '',
  scanType,
);

/** Stacks one batch entry's step outputs, padding with zeros up to the longest sequence. */
function padSteps(items: Tensor[], maxLen: number, declared: ValueInfoIR | undefined): Tensor {
  if (items.length === 0) {
    // an empty sequence in a non-empty batch: all padding, shaped as declared
    const none = stackScan([], 0, declared);
    return zeros(none.type, [maxLen, ...none.dims.slice(1)]);
  }
  const first = items[0]!;
  const padded = items.slice();
  while (padded.length < maxLen) padded.push(zeros(first.type, first.dims));
  return stackAxis(padded, 0);
}

/** The declared type of one batch entry's stacked output, for an empty batch. */
function batchless(info: ValueInfoIR | undefined, maxLen: number): ValueInfoIR | undefined {
  if (info?.type?.kind !== 'tensor' || !info.type.shape) return info;
  return { ...info, type: { ...info.type, shape: [maxLen, ...info.type.shape] } };
}
