import { type DataType, InvalidArgumentError, ShapeError } from '@zai/common';
import { float16ToNumber, float32ArrayToFloat16 } from '@zai/tensor-core';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { type Attrs, runNode } from './run-node.js';

/** Runs one node through a native session; undefined inputs are omitted optional inputs. */
async function runOp(
  opType: string,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs = {},
  opset = 22,
  outType: DataType = 'float32',
): Promise<Tensor> {
  return (await runNode(opType, inputs, attrs, { opset, outputTypes: [outType] })).out0 as Tensor;
}

const f32 = (values: ArrayLike<number>, dims: readonly number[]) =>
  new Tensor('float32', Float32Array.from(values), dims);
const i64 = (values: readonly number[], dims: readonly number[] = [values.length]) =>
  new Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
const nums = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint>, Number);

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    if (Math.abs(actual[i]! - e) > tol * (1 + Math.abs(e))) {
      throw new Error(`value ${i}: got ${actual[i]}, expected ${e}`);
    }
  }
}

// 1-D half_pixel linear upsampling of [0, 1] by 2
const UP2 = [0, 0.25, 0.75, 1];

describe('Resize', () => {
  it('upsamples bilinearly with half_pixel (opset 19)', async () => {
    const y = await runOp(
      'Resize',
      [f32([1, 2, 3, 4], [1, 1, 2, 2]), undefined, f32([1, 1, 2, 2], [4])],
      {
        mode: 'linear',
      },
      19,
    );
    expect(y.dims).toEqual([1, 1, 4, 4]);
    close(nums(y), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  });

  it('is separable over any number of resized axes', async () => {
    const x = f32([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2]);
    const y = await runOp('Resize', [x, undefined, undefined, i64([4, 4, 4])], { mode: 'linear' }, 13);
    expect(y.dims).toEqual([4, 4, 4]);
    const expected: number[] = [];
    for (const a of UP2) for (const b of UP2) for (const c of UP2) expected.push(4 * a + 2 * b + c);
    close(nums(y), expected);
  });

  it('resizes only the given axes, in any order', async () => {
    const x = f32([1, 2, 3, 4], [1, 1, 2, 2]);
    const y = await runOp(
      'Resize',
      [x, undefined, undefined, i64([1, 4])],
      { mode: 'nearest', axes: [3, 2] },
      18,
    );
    expect(y.dims).toEqual([1, 1, 4, 1]);
    expect(nums(y)).toEqual([1, 1, 3, 3]);
  });

  it('keeps the aspect ratio with not_larger / not_smaller', async () => {
    const x = f32([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 4]);
    const small = await runOp(
      'Resize',
      [x, undefined, undefined, i64([3, 3])],
      {
        mode: 'nearest',
        axes: [2, 3],
        keep_aspect_ratio_policy: 'not_larger',
      },
      18,
    );
    expect(small.dims).toEqual([1, 1, 2, 3]);
    const big = await runOp(
      'Resize',
      [x, undefined, undefined, i64([3, 3])],
      {
        mode: 'nearest',
        axes: [2, 3],
        keep_aspect_ratio_policy: 'not_smaller',
      },
      18,
    );
    expect(big.dims).toEqual([1, 1, 3, 6]);
  });

  it('antialiases linear downsampling by widening the filter', async () => {
    const x = f32([0, 1, 2, 3, 4, 5, 6, 7], [8]);
    const y = await runOp('Resize', [x, undefined, f32([0.5], [1])], { mode: 'linear', antialias: 1 }, 18);
    close(nums(y), [0.625, 2.5, 4.5, 6.375]);
  });

  it('fills extrapolation_value outside a tf_crop_and_resize roi', async () => {
    const x = f32([1, 2, 3, 4], [4]);
    const y = await runOp(
      'Resize',
      [x, f32([-1, 1], [2]), undefined, i64([3])],
      {
        mode: 'linear',
        coordinate_transformation_mode: 'tf_crop_and_resize',
        extrapolation_value: 9.5,
      },
      19,
    );
    // x_original = -3, 0, 3
    close(nums(y), [9.5, 1, 4]);
  });

  it('implements the nearest modes', async () => {
    const x = f32([10, 20, 30, 40], [4]);
    const run = (nearest_mode: string, scale: number) =>
      runOp(
        'Resize',
        [x, undefined, f32([scale], [1])],
        {
          mode: 'nearest',
          coordinate_transformation_mode: 'asymmetric',
          nearest_mode,
        },
        19,
      );
    // scale 2: x_original = 0, 0.5, 1, ..., 3.5 (ties); scale 1.25: 0, 0.8, 1.6, 2.4, 3.2
    expect(nums(await run('round_prefer_floor', 2))).toEqual([10, 10, 20, 20, 30, 30, 40, 40]);
    expect(nums(await run('round_prefer_ceil', 2))).toEqual([10, 20, 20, 30, 30, 40, 40, 40]);
    expect(nums(await run('round_prefer_floor', 1.25))).toEqual([10, 20, 30, 30, 40]);
    expect(nums(await run('floor', 1.25))).toEqual([10, 10, 20, 30, 40]);
    expect(nums(await run('ceil', 1.25))).toEqual([10, 20, 30, 40, 40]);
  });

  it('resizes uint8 as a cast of the float result', async () => {
    const x = new Tensor('uint8', Uint8Array.from([0, 255]), [2]);
    const y = await runOp('Resize', [x, undefined, f32([2], [1])], { mode: 'linear' }, 19, 'uint8');
    expect(y.type).toBe('uint8');
    expect(nums(y)).toEqual([0, 63, 191, 255]);
  });

  it('keeps float16 and gathers any type in nearest mode', async () => {
    const h = new Tensor('float16', float32ArrayToFloat16(Float32Array.from([0, 2])), [2]);
    const y = await runOp('Resize', [h, undefined, f32([2], [1])], { mode: 'linear' }, 19, 'float16');
    expect(y.type).toBe('float16');
    expect(Array.from(y.data as Uint16Array, float16ToNumber)).toEqual([0, 0.5, 1.5, 2]);
    const s = new Tensor('string', ['a', 'b'], [2]);
    const z = await runOp('Resize', [s, undefined, f32([1.5], [1])], { mode: 'nearest' }, 19, 'string');
    // x_original = -1/6, 0.5, 7/6: the tie rounds down
    expect(Array.from(z.data as string[])).toEqual(['a', 'a', 'b']);
    const b = await runOp(
      'Resize',
      [i64([5, -6]), undefined, f32([2], [1])],
      { mode: 'nearest' },
      19,
      'int64',
    );
    expect(nums(b)).toEqual([5, 5, -6, -6]);
  });

  it('samples asymmetrically at opset 10, ceil when downsampling', async () => {
    const x = f32([1, 2, 3, 4, 5], [5]);
    expect(nums(await runOp('Resize', [x, f32([0.6], [1])], { mode: 'nearest' }, 10))).toEqual([1, 3, 5]);
    expect(nums(await runOp('Resize', [x, f32([1.5], [1])], { mode: 'nearest' }, 10))).toEqual([
      1, 1, 2, 3, 3, 4, 5,
    ]);
    close(
      nums(await runOp('Resize', [f32([0, 1], [2]), f32([2], [1])], { mode: 'linear' }, 10)),
      [0, 0.5, 1, 1],
    );
  });

  it('rejects scales together with sizes', async () => {
    const x = f32([1, 2], [2]);
    await expect(runOp('Resize', [x, undefined, f32([2], [1]), i64([4])], {}, 19)).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(runOp('Resize', [x, undefined, f32([2, 2], [2])], {}, 19)).rejects.toThrow(ShapeError);
  });
});

describe('Upsample', () => {
  it('repeats values with the opset 7 scales attribute', async () => {
    const y = await runOp('Upsample', [f32([1, 2, 3, 4], [1, 2, 2])], { scales: { floats: [1, 1, 2] } }, 7);
    expect(y.dims).toEqual([1, 2, 4]);
    expect(nums(y)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('reads scales from an input at opset 9 and rejects scales below 1', async () => {
    const y = await runOp('Upsample', [f32([1, 2], [1, 2]), f32([2, 1.5], [2])], { mode: 'linear' }, 9);
    expect(y.dims).toEqual([2, 3]);
    close(nums(y), [1, 1 + 2 / 3, 2, 1, 1 + 2 / 3, 2]);
    await expect(runOp('Upsample', [f32([1, 2], [2]), f32([0.5], [1])], {}, 9)).rejects.toThrow(
      InvalidArgumentError,
    );
  });
});

describe('GridSample', () => {
  it('reproduces the input on an align_corners identity grid', async () => {
    const x = f32([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
    const grid: number[] = [];
    for (const gy of [-1, 1]) for (const gx of [-1, 0, 1]) grid.push(gx, gy);
    for (const mode of ['linear', 'nearest', 'cubic']) {
      const y = await runOp('GridSample', [x, f32(grid, [1, 2, 3, 2])], { align_corners: 1, mode }, 20);
      close(nums(y), [1, 2, 3, 4, 5, 6]);
    }
  });

  it('pads with zeros, border values or reflections', async () => {
    const x = f32([10, 20, 30, 40], [1, 1, 4]);
    const grid = f32([-1.5, 0.1, 1.2], [1, 3, 1]);
    // align_corners=0: x = ((g + 1) * 4 - 1) / 2 = -1.5, 1.7, 3.9
    const zeros = await runOp('GridSample', [x, grid], { padding_mode: 'zeros' }, 20);
    close(nums(zeros), [0, 27, 4]);
    const border = await runOp('GridSample', [x, grid], { padding_mode: 'border' }, 20);
    close(nums(border), [10, 27, 40]);
    const refl = await runOp('GridSample', [x, grid], { padding_mode: 'reflection' }, 20);
    // -1.5 reflects about -0.5 to 0.5; 3.9 reflects about 3.5 to 3.1
    close(nums(refl), [15, 27, 40]);
  });

  it('rounds nearest positions half to even', async () => {
    const x = f32([10, 20, 30, 40], [1, 1, 4]);
    // align_corners=1: x = (g + 1) * 1.5 = 0.5, 1.5, 2.5
    const g = f32([-2 / 3, 0, 2 / 3], [1, 3, 1]);
    const y = await runOp('GridSample', [x, g], { mode: 'nearest', align_corners: 1 }, 20);
    expect(nums(y)).toEqual([10, 30, 30]);
  });

  it('accepts the opset 16 mode names and only 4-D input there', async () => {
    const x = f32([1, 2, 3, 4], [1, 1, 2, 2]);
    const y = await runOp('GridSample', [x, f32([0, 0], [1, 1, 1, 2])], { mode: 'bilinear' }, 16);
    close(nums(y), [2.5]);
    await expect(runOp('GridSample', [f32([1, 2], [1, 1, 2]), f32([0], [1, 1, 1])], {}, 16)).rejects.toThrow(
      ShapeError,
    );
  });
});

describe('AffineGrid', () => {
  it('maps the normalized pixel grid through theta', async () => {
    const theta = f32([1, 0, 0, 0, 1, 0], [1, 2, 3]);
    const y = await runOp('AffineGrid', [theta, i64([1, 1, 2, 3])], {}, 20);
    expect(y.dims).toEqual([1, 2, 3, 2]);
    close(nums(y), [-2 / 3, -0.5, 0, -0.5, 2 / 3, -0.5, -2 / 3, 0.5, 0, 0.5, 2 / 3, 0.5]);
    const shifted = await runOp(
      'AffineGrid',
      [f32([2, 0, 1, 0, 1, 0], [1, 2, 3]), i64([1, 1, 1, 2])],
      {
        align_corners: 1,
      },
      20,
    );
    close(nums(shifted), [-1, -1, 3, -1]);
  });
});

describe('RoiAlign', () => {
  const ramp = f32([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], [1, 1, 4, 4]);

  it('averages bilinear samples in each bin', async () => {
    const rois = f32([0, 0, 3, 3], [1, 4]);
    const y = await runOp(
      'RoiAlign',
      [ramp, rois, i64([0])],
      {
        coordinate_transformation_mode: 'output_half_pixel',
        output_height: 1,
        output_width: 2,
        sampling_ratio: 1,
      },
      16,
    );
    // bins [0, 1.5] and [1.5, 3] sampled at their centers
    close(nums(y), [0.75, 2.25]);
    const half = await runOp('RoiAlign', [ramp, rois, i64([0])], { output_width: 2, sampling_ratio: 1 }, 16);
    close(nums(half), [0.25, 1.75]);
  });

  it('defaults to no pixel shift at opset 10 and supports max', async () => {
    const rois = f32([0, 0, 3, 3], [1, 4]);
    const y = await runOp('RoiAlign', [ramp, rois, i64([0])], { output_width: 2, sampling_ratio: 1 }, 10);
    close(nums(y), [0.75, 2.25]);
    const m = await runOp('RoiAlign', [ramp, rois, i64([0])], { mode: 'max', sampling_ratio: 2 }, 16);
    expect(m.dims).toEqual([1, 1, 1, 1]);
  });
});

describe('Col2Im', () => {
  it('sums overlapping blocks back into the image', async () => {
    // image 1x3, block 1x2: two blocks at columns 0-1 and 1-2
    const x = f32([1, 2, 10, 20], [1, 2, 2]);
    const y = await runOp('Col2Im', [x, i64([1, 3]), i64([1, 2])], {}, 18);
    expect(y.dims).toEqual([1, 1, 1, 3]);
    expect(nums(y)).toEqual([1, 12, 20]);
  });

  it('drops values that fall in the padding', async () => {
    const x = f32([1, 2, 3, 4], [1, 1, 4]);
    const y = await runOp('Col2Im', [x, i64([1, 2]), i64([1, 1])], { pads: [0, 1, 0, 1] }, 18);
    expect(nums(y)).toEqual([2, 3]);
  });
});

describe('NonMaxSuppression', () => {
  const boxes = f32(
    [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101],
    [1, 6, 4],
  );
  const scores = f32([0.9, 0.75, 0.6, 0.95, 0.5, 0.3], [1, 1, 6]);

  it('keeps the best boxes and suppresses overlaps', async () => {
    const y = await runOp(
      'NonMaxSuppression',
      [boxes, scores, i64([3], [1]), f32([0.5], [1]), f32([0], [1])],
      {},
      11,
      'int64',
    );
    expect(y.dims).toEqual([3, 3]);
    expect(nums(y)).toEqual([0, 0, 3, 0, 0, 0, 0, 0, 5]);
  });

  it('filters by score and returns nothing without max_output_boxes_per_class', async () => {
    const y = await runOp(
      'NonMaxSuppression',
      [boxes, scores, i64([3], [1]), f32([0.5], [1]), f32([0.4], [1])],
      {},
      11,
      'int64',
    );
    expect(nums(y)).toEqual([0, 0, 3, 0, 0, 0]);
    const none = await runOp('NonMaxSuppression', [boxes, scores], {}, 11, 'int64');
    expect(none.dims).toEqual([0, 3]);
  });

  it('reads center_point_box boxes', async () => {
    const centered = f32([0.5, 0.5, 1, 1, 0.5, 0.6, 1, 1, 0.5, 10.5, 1, 1], [1, 3, 4]);
    const s = f32([0.9, 0.8, 0.7], [1, 1, 3]);
    const y = await runOp(
      'NonMaxSuppression',
      [centered, s, i64([10], [1]), f32([0.5], [1])],
      { center_point_box: 1 },
      11,
      'int64',
    );
    expect(nums(y)).toEqual([0, 0, 0, 0, 0, 2]);
  });
});
