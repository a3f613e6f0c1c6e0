import { describe, expect, it } from 'vitest';
import { Container, token } from '../src/index.js';

describe('Container', () => {
  it('builds singletons once, transients every time, scoped once per scope', async () => {
    let n = 0;
    const single = token<number>('single');
    const trans = token<number>('trans');
    const scoped = token<number>('scoped');
    const c = new Container()
      .register(single, () => ++n)
      .register(trans, { factory: () => ++n, lifetime: 'transient' })
      .register(scoped, { factory: async () => ++n, lifetime: 'scoped' });
    expect(await c.resolve(single)).toBe(1);
    expect(await c.resolve(single)).toBe(1);
    expect(await c.resolve(trans)).toBe(2);
    expect(await c.resolve(trans)).toBe(3);
    const s1 = c.createScope();
    const s2 = c.createScope();
    const a = await s1.resolve(scoped);
    expect(await s1.resolve(scoped)).toBe(a);
    expect(await s2.resolve(scoped)).not.toBe(a);
    expect(await s1.resolve(single)).toBe(1);
  });

  it('resolves dependencies and names cycles and missing tokens', async () => {
    const a = token<string>('a');
    const b = token<string>('b');
    const missing = token<string>('logger');
    const c = new Container()
      .register(a, async (r) => `a(${await r.resolve(b)})`)
      .register(b, async (r) => `b(${await r.resolve(a)})`);
    await expect(c.resolve(a)).rejects.toThrow('dependency cycle: a -> b -> a');
    const d = new Container().register(a, (r) => r.resolve(missing));
    await expect(d.resolve(a)).rejects.toThrow("no provider registered for 'logger' (needed by a)");
  });

  it('disposes in reverse creation order', async () => {
    const log: string[] = [];
    const db = token<string>('db');
    const repo = token<string>('repo');
    const c = new Container()
      .register(db, { factory: () => 'db', dispose: () => void log.push('db') })
      .register(repo, {
        factory: async (r) => `repo+${await r.resolve(db)}`,
        dispose: () => void log.push('repo'),
      });
    expect(await c.resolve(repo)).toBe('repo+db');
    await c.dispose();
    expect(log).toEqual(['repo', 'db']);
  });
});
