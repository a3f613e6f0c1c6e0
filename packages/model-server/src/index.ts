export { addConfigCommand, printConfig } from './cli/config.js';
export { describeType } from './cli/describe.js';
export { formatInfo, type InfoReport, infoReport } from './cli/info.js';
export { tensorFromJson, tensorFromValues } from './cli/inputs.js';
export { createProgram } from './cli/program.js';
export {
  addSettingFlags,
  defaultRepository,
  parseSize,
  runServe,
  type ServeFlags,
  serveConfig,
  serveOptions,
} from './cli/serve.js';
export * from './config/index.js';
export * from './server/index.js';
