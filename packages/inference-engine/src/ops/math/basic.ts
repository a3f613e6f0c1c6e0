import { defineOp } from '../../kernel.js';
import { binary, unary } from '../util/elementwise.js';

export const ADD = defineOp('Add', '7+', binary({ float: 'a + b', int: '(a + b) | 0', bigint: 'a + b' }));
export const RELU = defineOp('Relu', '6+', unary({ float: 'x > 0 ? x : 0', int: 'x > 0 ? x : 0', bigint: 'x > 0n ? x : 0n' }));
