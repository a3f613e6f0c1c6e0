export { createProgram } from './cli/program.js';
export { describeType } from './cli/describe.js';
export { type InfoReport, formatInfo, infoReport } from './cli/info.js';
export { tensorFromJson, tensorFromValues } from './cli/inputs.js';
