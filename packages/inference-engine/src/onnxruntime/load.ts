import { BackendError } from '@zai/common';

/** The parts of onnxruntime-node this backend uses (typed here so the package stays optional). */
export interface OrtTensor {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches?: readonly string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtModule {
  readonly InferenceSession: {
    create(source: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  readonly Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
  listSupportedBackends?(): { name: string; bundled: boolean }[];
}

let loading: Promise<OrtModule> | undefined;

/** Imports onnxruntime-node on first use; a clear BackendError when it is not installed. */
export function loadOnnxruntime(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: OrtModule }).default ?? m) as unknown as OrtModule,
    (e: unknown) => {
      loading = undefined;
      throw new BackendError(
        'onnxruntime',
        `onnxruntime-node could not be loaded (${(e as Error)?.message ?? e}); install it with 'npm i onnxruntime-node' or use backend 'native'`,
        { cause: e },
      );
    },
  );
  return loading;
}
