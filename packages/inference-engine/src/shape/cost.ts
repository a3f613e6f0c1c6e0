import type { ModelIR } from '@zai/onnx-parser';
import type { TypeInference } from './infer.js';

export interface CostEstimate {
  /** Multiply-accumulates of Conv, ConvTranspose, MatMul, Gemm (and their quantized forms). */
  readonly macs: number;
  /** Floating-point operations: 2 per MAC plus one per output element of other compute ops. */
  readonly flops: number;
  readonly byOpType: Readonly<Record<string, { macs: number; flops: number }>>;
  /** Nodes whose cost is unknown because a shape is symbolic or unknown. */
  readonly unknownNodes: number;
}

const MAC_OPS = new Set([
  'Conv',
  'ConvTranspose',
  'MatMul',
  'Gemm',
  'QLinearConv',
  'QLinearMatMul',
  'MatMulInteger',
  'ConvInteger',
]);
const FREE_OPS = new Set([
  'Reshape',
  'Transpose',
  'Concat',
  'Split',
  'Slice',
  'Gather',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'Expand',
  'Identity',
  'Shape',
  'Size',
  'Constant',
  'ConstantOfShape',
  'Cast',
  'Dropout',
  'Tile',
  'Pad',
]);

function numeric(shape: readonly unknown[] | undefined): number[] | undefined {
  if (!shape?.every((d) => typeof d === 'number')) return undefined;
  return shape as number[];
}

/** Estimates MACs and FLOPs from inferred shapes; symbolic dims leave a node's cost unknown. */
export function estimateCost(model: ModelIR, inference: TypeInference): CostEstimate {
  const shapeOf = (name: string | undefined) => {
    const t = name ? inference.byName.get(name) : undefined;
    return t?.kind === 'tensor' ? numeric(t.shape as unknown[] | undefined) : undefined;
  };
  const byOpType: Record<string, { macs: number; flops: number }> = {};
  let macs = 0;
  let flops = 0;
  let unknownNodes = 0;
  for (const n of model.graph.nodes) {
    if (FREE_OPS.has(n.opType)) continue;
    const out = shapeOf(n.outputs[0]);
    let m = 0;
    let f: number;
    if (MAC_OPS.has(n.opType)) {
      const a = shapeOf(n.inputs[0]);
      const w = shapeOf(n.opType.startsWith('QLinear') ? n.inputs[3] : n.inputs[1]);
      if (!out || !a || !w) {
        unknownNodes++;
        continue;
      }
      const outSize = out.reduce((x, y) => x * y, 1);
      if (n.opType.includes('Conv')) {
        // weight [M, C/group, k...]: each output element of a Conv takes C/group·∏k MACs
        const perOut = w.slice(1).reduce((x, y) => x * y, 1);
        m =
          n.opType === 'ConvTranspose'
            ? a.reduce((x, y) => x * y, 1) * w.slice(1).reduce((x, y) => x * y, 1)
            : outSize * perOut;
      } else {
        // MatMul/Gemm: K is the reduced dimension of A
        const transA = n.attributes.find((x) => x.name === 'transA' && x.type === 'int')?.value === 1;
        const k = n.opType === 'Gemm' && transA ? a[0]! : a[a.length - 1]!;
        m = outSize * k;
      }
      f = 2 * m;
    } else {
      if (!out) {
        unknownNodes++;
        continue;
      }
      f = out.reduce((x, y) => x * y, 1);
    }
    macs += m;
    flops += f;
    const entry = (byOpType[n.opType] ??= { macs: 0, flops: 0 });
    entry.macs += m;
    entry.flops += f;
  }
  return { macs, flops, byOpType, unknownNodes };
}
