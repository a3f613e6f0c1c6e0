import type { OperatorDef } from '../../kernel.js';
import { DFT } from './dft.js';
import { MEL_WEIGHT_MATRIX } from './mel.js';
import { STFT } from './stft.js';
import { WINDOWS } from './windows.js';

export const SIGNAL_OPS: readonly OperatorDef[] = [...DFT, ...STFT, ...WINDOWS, ...MEL_WEIGHT_MATRIX];
