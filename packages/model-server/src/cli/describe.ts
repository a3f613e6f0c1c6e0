import type { ValueType } from '@zai/common';

/** `float32[batch,3,224,224]`, `seq(float32[?])`, `map(int64,float32)`, `optional(…)`. */
export function describeType(t: ValueType | null): string {
  if (!t) return '?';
  switch (t.kind) {
    case 'tensor':
    case 'sparse_tensor': {
      const shape = t.shape ? `[${t.shape.map((d) => d ?? '?').join(',')}]` : '[…]';
      return `${t.kind === 'sparse_tensor' ? 'sparse ' : ''}${t.elemType}${shape}`;
    }
    case 'sequence':
      return `seq(${describeType(t.elem)})`;
    case 'map':
      return `map(${t.keyType},${describeType(t.valueType)})`;
    case 'optional':
      return `optional(${describeType(t.elem)})`;
  }
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}
