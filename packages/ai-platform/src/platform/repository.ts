import { InvalidArgumentError, type Servable } from '@zai/common';
import type { Tensor } from '@zai/tensor-core';
import type { ModelRepository } from './tokens.js';

/** Models and pipelines held in memory, by name. */
export class InMemoryModelRepository implements ModelRepository {
  private readonly entries = new Map<string, Servable<Tensor>>();

  add(servable: Servable<Tensor>): void {
    if (this.entries.has(servable.name)) {
      throw new InvalidArgumentError(`a model or pipeline named '${servable.name}' is already loaded`);
    }
    this.entries.set(servable.name, servable);
  }

  get(name: string): Servable<Tensor> | undefined {
    return this.entries.get(name);
  }

  list(): Servable<Tensor>[] {
    return [...this.entries.values()];
  }

  async remove(name: string): Promise<void> {
    const s = this.entries.get(name);
    if (!s) return;
    this.entries.delete(name);
    await s.close();
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()].reverse();
    this.entries.clear();
    const failed = (await Promise.allSettled(all.map((s) => s.close()))).filter(
      (r) => r.status === 'rejected',
    );
    if (failed.length) {
      throw new AggregateError(
        failed.map((f) => (f as PromiseRejectedResult).reason),
        `${failed.length} model(s) failed to close`,
      );
    }
  }
}
