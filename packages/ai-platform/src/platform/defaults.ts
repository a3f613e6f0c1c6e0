import { BUILTIN_OPERATORS, OperatorRegistry } from '@zai/inference-engine';
import { type EffectiveConfig, ModelServer } from '@zai/model-server';
import { loadModel } from '@zai/onnx-parser';
import type { Container } from '../container.js';
import { autoBackend, BackendTable, nativeBackend, onnxruntimeBackend } from './backends.js';
import { consoleLogger } from './logger.js';
import { InMemoryModelRepository } from './repository.js';
import { type ServerFactory, Tokens } from './tokens.js';

/** The default server: zai's KServe V2 ModelServer, listening and loading its models. */
export const modelServerFactory: ServerFactory = {
  async start(options) {
    const server = await ModelServer.create(options);
    try {
      await server.start();
    } catch (e) {
      await server.close(0);
      throw e;
    }
    return { url: server.url, close: () => server.close() };
  },
};

/**
 * Registers the platform's services: configuration, logger, parser, operator
 * registry, backends (native, onnxruntime, auto), model repository and server.
 * Every one can be replaced by registering the token again.
 */
export function registerDefaults(container: Container, config: EffectiveConfig): Container {
  return container
    .value(Tokens.Config, config)
    .register(Tokens.Logger, async (r) =>
      consoleLogger((await r.resolve(Tokens.Config)).config.logLevel ?? 'info'),
    )
    .register(Tokens.Parser, () => ({ parse: (source) => loadModel(source) }))
    .register(Tokens.Operators, () => new OperatorRegistry(BUILTIN_OPERATORS))
    .register(Tokens.Backends, async (r) => {
      const [parser, operators, logger] = await Promise.all([
        r.resolve(Tokens.Parser),
        r.resolve(Tokens.Operators),
        r.resolve(Tokens.Logger),
      ]);
      const table = new BackendTable();
      table.register(nativeBackend(parser, operators));
      table.register(onnxruntimeBackend());
      table.register(autoBackend(table, logger));
      return table;
    })
    .register(Tokens.Repository, {
      factory: () => new InMemoryModelRepository(),
      dispose: (repository) => repository.close(),
    })
    .register(Tokens.Server, () => modelServerFactory);
}
