import type { OperatorDef } from '../../kernel.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { RNN } from './rnn.js';

export const RNN_OPS: readonly OperatorDef[] = [...RNN, ...LSTM, ...GRU];
