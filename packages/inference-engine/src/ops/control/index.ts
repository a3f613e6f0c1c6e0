import type { OperatorDef } from '../../kernel.js';
import { IF } from './if.js';
import { LOOP } from './loop.js';
import { SCAN_8, SCAN_9 } from './scan.js';

/** Control-flow kernels: each runs compiled subgraphs with the outer scope visible. */
export const CONTROL_OPS: readonly OperatorDef[] = [IF, LOOP, SCAN_8, SCAN_9];
