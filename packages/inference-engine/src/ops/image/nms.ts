import { ShapeError } from '@zai/common';
import { Tensor } from '@zai/tensor-core';
import { defineOp, type Kernel, type KernelContext, type OperatorDef, type ShapeFn } from '../../kernel.js';
import { tensorType } from '../../shape/dims.js';
import { floatValues, presentTensor, scalarValue, tensorAt } from './common.js';

// NonMaxSuppression: per batch and class, greedily keeps the highest-scoring
// boxes whose IoU with every kept box is at most iou_threshold. Box corners
// and areas are normalized once per batch; arithmetic is rounded to float32
// (Math.fround) so threshold ties resolve as in float32 runtimes.

const f = Math.fround;

function nms(ctx: KernelContext): Kernel {
  const centerPoint = ctx.int('center_point_box', 0);
  if (centerPoint !== 0 && centerPoint !== 1) ctx.fail(`center_point_box must be 0 or 1, got ${centerPoint}`);
  return (inputs) => {
    const boxesT = tensorAt(inputs, 0, 'NonMaxSuppression');
    const scoresT = tensorAt(inputs, 1, 'NonMaxSuppression');
    const maxT = presentTensor(inputs, 2);
    const iouT = presentTensor(inputs, 3);
    const scoreT = presentTensor(inputs, 4);
    if (boxesT.dims.length !== 3 || boxesT.dims[2] !== 4)
      throw new ShapeError(`NonMaxSuppression: boxes shape [${boxesT.dims}] must be [batches, boxes, 4]`);
    const [B, S] = boxesT.dims as [number, number, number];
    if (scoresT.dims.length !== 3 || scoresT.dims[0] !== B || scoresT.dims[2] !== S) {
      throw new ShapeError(`NonMaxSuppression: scores shape [${scoresT.dims}] must be [${B}, classes, ${S}]`);
    }
    const C = scoresT.dims[1]!;
    const maxPerClass = Math.max(
      maxT ? scalarValue(maxT, 'NonMaxSuppression', 'max_output_boxes_per_class') : 0,
      0,
    );
    const iouThr = f(iouT ? scalarValue(iouT, 'NonMaxSuppression', 'iou_threshold') : 0);
    const scoreThr = scoreT ? f(scalarValue(scoreT, 'NonMaxSuppression', 'score_threshold')) : undefined;
    const boxes = floatValues(boxesT, 'NonMaxSuppression', 'boxes');
    const scores = floatValues(scoresT, 'NonMaxSuppression', 'scores');

    const selected: number[] = [];
    if (maxPerClass > 0) {
      const x1 = new Float64Array(S);
      const y1 = new Float64Array(S);
      const x2 = new Float64Array(S);
      const y2 = new Float64Array(S);
      const area = new Float64Array(S);
      const kept = new Int32Array(Math.min(maxPerClass, S));
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < S; i++) {
          const o = (b * S + i) * 4;
          if (centerPoint === 0) {
            // [y1, x1, y2, x2] with any diagonal pair of corners
            const ya = boxes[o]!;
            const xa = boxes[o + 1]!;
            const yb = boxes[o + 2]!;
            const xb = boxes[o + 3]!;
            y1[i] = Math.min(ya, yb);
            y2[i] = Math.max(ya, yb);
            x1[i] = Math.min(xa, xb);
            x2[i] = Math.max(xa, xb);
          } else {
            const hw = f(boxes[o + 2]! / 2);
            const hh = f(boxes[o + 3]! / 2);
            x1[i] = f(boxes[o]! - hw);
            x2[i] = f(boxes[o]! + hw);
            y1[i] = f(boxes[o + 1]! - hh);
            y2[i] = f(boxes[o + 1]! + hh);
          }
          area[i] = f(f(x2[i]! - x1[i]!) * f(y2[i]! - y1[i]!));
        }
        const suppresses = (i: number, j: number): boolean => {
          const ix1 = Math.max(x1[i]!, x1[j]!);
          const ix2 = Math.min(x2[i]!, x2[j]!);
          if (ix2 <= ix1) return false;
          const iy1 = Math.max(y1[i]!, y1[j]!);
          const iy2 = Math.min(y2[i]!, y2[j]!);
          if (iy2 <= iy1) return false;
          const inter = f(f(ix2 - ix1) * f(iy2 - iy1));
          if (inter <= 0 || area[i]! <= 0 || area[j]! <= 0) return false;
          const union = f(f(area[i]! + area[j]!) - inter);
          if (union <= 0) return false;
          return f(inter / union) > iouThr;
        };
        for (let c = 0; c < C; c++) {
          const sOff = (b * C + c) * S;
          const cand: number[] = [];
          for (let i = 0; i < S; i++)
            if (scoreThr === undefined || scores[sOff + i]! > scoreThr) cand.push(i);
          // highest score first; equal scores keep the lower box index first
          cand.sort((p, q) => scores[sOff + q]! - scores[sOff + p]! || p - q);
          let nKept = 0;
          for (let k = 0; k < cand.length && nKept < maxPerClass; k++) {
            const i = cand[k]!;
            let keep = true;
            for (let j = 0; j < nKept; j++) {
              if (suppresses(i, kept[j]!)) {
                keep = false;
                break;
              }
            }
            if (!keep) continue;
            kept[nKept++] = i;
            selected.push(b, c, i);
          }
        }
      }
    }
    const data = new BigInt64Array(selected.length);
    for (let i = 0; i < selected.length; i++) data[i] = BigInt(selected[i]!);
    return [new Tensor('int64', data, [selected.length / 3, 3])];
  };
}

/** [selected, 3] int64 triples; how many are selected depends on the data. */
const nmsShape: ShapeFn = (ctx) => [tensorType('int64', [ctx.unknownDim(), 3])];

export const NMS_OPS: readonly OperatorDef[] = [defineOp('NonMaxSuppression', '10+', nms, '', nmsShape)];
