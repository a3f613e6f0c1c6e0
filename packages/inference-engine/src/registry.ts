import type { OperatorDef } from './kernel.js';

interface Entry {
  readonly from: number;
  readonly to: number;
  readonly def: OperatorDef;
}

/** Parses '7+', '1-9' or '13' into an inclusive range. */
export function parseVersions(v: string): [number, number] {
  const plus = /^(\d+)\+$/.exec(v);
  if (plus) return [Number(plus[1]), Number.POSITIVE_INFINITY];
  const range = /^(\d+)-(\d+)$/.exec(v);
  if (range) return [Number(range[1]), Number(range[2])];
  if (/^\d+$/.test(v)) return [Number(v), Number(v)];
  throw new Error(`invalid operator version range '${v}'`);
}

/** Kernels keyed by (domain, op type), each covering a range of opset versions. */
export class OperatorRegistry {
  private readonly table = new Map<string, Entry[]>();

  constructor(defs: Iterable<OperatorDef> = []) {
    for (const d of defs) this.register(d);
  }

  register(def: OperatorDef): this {
    const [from, to] = parseVersions(def.versions);
    const key = `${def.domain}::${def.opType}`;
    const list = this.table.get(key) ?? [];
    // later registrations win, so a plugin can replace a built-in kernel
    list.unshift({ from, to, def });
    this.table.set(key, list);
    return this;
  }

  /** The kernel for an op at the model's opset of its domain, or undefined. */
  resolve(domain: string, opType: string, opset: number): OperatorDef | undefined {
    const list = this.table.get(`${domain}::${opType}`);
    if (!list) return undefined;
    for (const e of list) if (opset >= e.from && opset <= e.to) return e.def;
    return undefined;
  }

  has(domain: string, opType: string): boolean {
    return this.table.has(`${domain}::${opType}`);
  }

  /** Every registered (domain, op type, versions), for coverage listings. */
  list(): { domain: string; opType: string; versions: string }[] {
    const out: { domain: string; opType: string; versions: string }[] = [];
    for (const list of this.table.values()) {
      for (const e of list)
        out.push({ domain: e.def.domain, opType: e.def.opType, versions: e.def.versions });
    }
    return out.sort((a, b) => (a.domain + a.opType).localeCompare(b.domain + b.opType));
  }
}
