export { describeType } from './cli/describe.js';
export { formatInfo, type InfoReport, infoReport } from './cli/info.js';
export { tensorFromJson, tensorFromValues } from './cli/inputs.js';
export { createProgram } from './cli/program.js';
export { defaultRepository, parseSize, runServe, serveOptions } from './cli/serve.js';
export * from './server/index.js';
