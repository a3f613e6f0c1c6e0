import { type DataType, type Dim, type Shape, ShapeError, type ValueType } from '@zai/common';

/** A tensor value type. */
export function tensorType(elemType: DataType, shape?: Shape): ValueType {
  return shape ? { kind: 'tensor', elemType, shape } : { kind: 'tensor', elemType };
}

/** Broadcasts symbolic shapes: equal dims stay, 1 stretches, a number beats a name, two different names are unknown. */
export function broadcastSymbolic(shapes: readonly Shape[], fresh: () => string): Dim[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out: Dim[] = new Array(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[off + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else if (typeof d === 'number' && typeof o === 'number') {
        throw new ShapeError(`cannot broadcast dimension ${off + i}: ${o} vs ${d}`);
      } else if (typeof d === 'number') out[off + i] = d;
      else if (typeof o === 'number') continue;
      else out[off + i] = fresh();
    }
  }
  return out;
}

export function dimProduct(shape: Shape): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

export function formatShape(shape: Shape | undefined): string {
  return shape ? `[${shape.map((d) => d ?? '?').join(',')}]` : '[…]';
}
