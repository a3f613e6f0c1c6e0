import { ErrorCode, ZaiError } from '@zai/common';

/** A typed key for a service in the container. */
export interface Token<T> {
  readonly name: string;
  /** Phantom field carrying T; never set. */
  readonly __type?: T;
}

export function token<T>(name: string): Token<T> {
  return { name };
}

export type Lifetime = 'singleton' | 'transient' | 'scoped';

export interface Provider<T> {
  readonly factory: (c: Resolver) => T | Promise<T>;
  readonly lifetime?: Lifetime;
  /** Called with the instance when its owning container or scope is disposed. */
  readonly dispose?: (instance: T) => void | Promise<void>;
}

export interface Resolver {
  resolve<T>(t: Token<T>): Promise<T>;
}

/** The container cannot build a service: missing registration or a dependency cycle. */
export class ContainerError extends ZaiError {
  /** The tokens from the one asked for to the one that failed (for a cycle, back to where it closes). */
  readonly path: readonly string[];
  constructor(message: string, path: readonly string[] = []) {
    super(ErrorCode.Dependency, message);
    this.path = path;
  }
}

/**
 * A small dependency-injection container: singleton, transient and scoped
 * lifetimes, async factories, cycle detection naming the path, and disposal in
 * reverse creation order. No decorators or reflection.
 */
export class Container implements Resolver {
  private readonly providers: Map<string, Provider<unknown>>;
  private readonly instances = new Map<string, Promise<unknown>>();
  private readonly created: { name: string; value: unknown }[] = [];
  private readonly parent: Container | undefined;

  constructor(parent?: Container) {
    this.parent = parent;
    this.providers = parent ? parent.providers : new Map();
  }

  register<T>(t: Token<T>, provider: Provider<T> | ((c: Resolver) => T | Promise<T>)): this {
    const p = typeof provider === 'function' ? { factory: provider } : provider;
    this.providers.set(t.name, p as Provider<unknown>);
    this.instances.delete(t.name);
    return this;
  }

  /** Registers an existing value as a singleton. */
  value<T>(t: Token<T>, v: T): this {
    return this.register(t, { factory: () => v });
  }

  has(t: Token<unknown>): boolean {
    return this.providers.has(t.name);
  }

  /** A child container whose scoped services are its own; singletons stay shared with the root. */
  createScope(): Container {
    return new Container(this);
  }

  resolve<T>(t: Token<T>): Promise<T> {
    return this.resolveWith(t, []);
  }

  private root(): Container {
    return this.parent ? this.parent.root() : this;
  }

  private resolveWith<T>(t: Token<T>, path: readonly string[]): Promise<T> {
    if (path.includes(t.name)) {
      const cycle = [...path, t.name];
      return Promise.reject(new ContainerError(`dependency cycle: ${cycle.join(' -> ')}`, cycle));
    }
    const p = this.providers.get(t.name) as Provider<T> | undefined;
    if (!p) {
      const via = path.length ? ` (needed by ${path[path.length - 1]})` : '';
      return Promise.reject(
        new ContainerError(`no provider registered for '${t.name}'${via}`, [...path, t.name]),
      );
    }
    const lifetime = p.lifetime ?? 'singleton';
    const owner = lifetime === 'singleton' ? this.root() : this;
    if (lifetime !== 'transient') {
      const existing = owner.instances.get(t.name);
      if (existing) return existing as Promise<T>;
    }
    const next = [...path, t.name];
    const resolver: Resolver = { resolve: (dep) => owner.resolveWith(dep, next) };
    const made = Promise.resolve()
      .then(() => p.factory(resolver))
      .then((value) => {
        owner.created.push({ name: t.name, value });
        return value;
      });
    if (lifetime !== 'transient') {
      owner.instances.set(t.name, made);
      made.catch(() => owner.instances.delete(t.name));
    }
    return made;
  }

  /** Disposes what this container created, newest first. */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    while (this.created.length) {
      const { name, value } = this.created.pop()!;
      const p = this.providers.get(name);
      try {
        await p?.dispose?.(value);
      } catch (e) {
        errors.push(e);
      }
    }
    this.instances.clear();
    if (errors.length) throw new AggregateError(errors, `${errors.length} service(s) failed to dispose`);
  }
}
