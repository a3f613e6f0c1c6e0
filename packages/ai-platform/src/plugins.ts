import type { ZaiPlugin } from '@zai/model-server';

/**
 * Declares a plugin: operators for the native backend (a custom domain, or
 * replacing a built-in kernel), backends a Platform can pick by name, and a
 * setup hook. Name its module in `plugins` of the configuration, or pass it
 * to `platform.use(plugin)`.
 *
 * ```ts
 * export default definePlugin({
 *   name: 'my-ops',
 *   operators: [defineOp('Gelu2', '1+', () => ([x]) => [gelu(x)], 'com.example')],
 * });
 * ```
 */
export function definePlugin(plugin: ZaiPlugin): ZaiPlugin {
  return plugin;
}

export type { PluginContext, ZaiPlugin } from '@zai/model-server';
