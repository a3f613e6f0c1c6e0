export {
  CONFIG_FILE_NAMES,
  type ConfigLayer,
  codeLayer,
  defaultLayer,
  EffectiveConfig,
  envLayer,
  findConfigFile,
  flagLayer,
  type LayerKind,
  type LoadConfigOptions,
  loadConfig,
  readConfigFile,
} from './layers.js';
export {
  applyPlugin,
  importModule,
  isServable,
  loadModuleExport,
  loadPipeline,
  loadPipelines,
  loadPlugins,
  type PluginContext,
  type ServableFactory,
  type ServableFactoryContext,
  type ZaiPlugin,
} from './modules.js';
export { type ConfigEntry, configEntries, formatEntries, modelEntries } from './print.js';
export {
  CONFIG_DEFAULTS,
  CONFIG_FIELDS,
  CONFIG_SPEC,
  type ConfigKey,
  LOG_LEVELS,
  type LogLevel,
  MODEL_ENTRY_SPEC,
  type ModuleRef,
  SETTINGS,
  type Setting,
  type ZaiConfig,
} from './schema.js';
export { modelSettingsOf, serverOptionsOf } from './server-options.js';
export { checkValue, describeSpec, type Spec, type SpecIssue, sizeInBytes, validate } from './spec.js';
