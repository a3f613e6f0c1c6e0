import {
  BackendError,
  InvalidArgumentError,
  type ModelMetadata,
  type ModelSource,
  type RunOptions,
  type Session,
  type SessionOptions,
  type ValueMetadata,
} from '@zai/common';
import { decodeModel, encodeModel, loadModel, type ModelIR } from '@zai/onnx-parser';
import type { Tensor } from '@zai/tensor-core';
import type { RuntimeValue } from '../kernel.js';
import { modelMetadataOf } from '../native/session.js';
import { fromOrt, metadataType, toOrt } from './convert.js';
import { loadOnnxruntime, type OrtModule, type OrtSession } from './load.js';
import { resolveProviders } from './providers.js';

/**
 * Output types onnxruntime-node (1.30) cannot hand back to JavaScript: it
 * aborts the whole process (V8 "ArrayBuffer::New Allocation failed") when a
 * session returns a sub-byte tensor. Refused at creation instead.
 */
const UNRETURNABLE = new Set(['int4', 'uint4', 'int2', 'uint2', 'float4e2m1']);

function refuseUnreturnableOutputs(model: ModelIR): void {
  for (const o of model.graph.outputs) {
    if (o.type?.kind === 'tensor' && UNRETURNABLE.has(o.type.elemType)) {
      throw new BackendError(
        'onnxruntime',
        `output '${o.name}' is ${o.type.elemType}, which onnxruntime-node cannot return to JavaScript (it aborts the process); use backend 'native'`,
      );
    }
  }
}

export interface OnnxruntimeOptions extends SessionOptions {
  /** Drop unavailable execution providers instead of failing (cpu is always the last resort). */
  readonly providerFallback?: boolean;
}

const LEVEL: Record<string, string> = {
  disabled: 'disabled',
  basic: 'basic',
  extended: 'extended',
  all: 'all',
};

/** A session that hands the whole graph to onnxruntime-node. */
export class OnnxruntimeSession implements Session<Tensor> {
  readonly backend = 'onnxruntime' as const;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  readonly modelMetadata: ModelMetadata;
  /** The execution providers in use, after probing. */
  readonly executionProviders: readonly string[];
  private session: OrtSession | undefined;

  private constructor(
    private readonly ort: OrtModule,
    session: OrtSession,
    model: ModelIR,
    providers: readonly string[],
  ) {
    this.session = session;
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
    const meta = (
      names: readonly string[],
      list: readonly { name: string }[] | undefined,
      declared: ModelIR['graph']['inputs'],
    ) =>
      names.map((name) => {
        const m = list?.find((x) => x.name === name);
        const d = declared.find((x) => x.name === name);
        return { name, type: d?.type ?? (m ? metadataType(m as never) : null) };
      });
    this.inputMetadata = meta(session.inputNames, session.inputMetadata, model.graph.inputs);
    this.outputMetadata = meta(session.outputNames, session.outputMetadata, model.graph.outputs);
    this.modelMetadata = modelMetadataOf(model);
    this.executionProviders = providers;
  }

  static async create(
    source: ModelSource | ModelIR,
    options: OnnxruntimeOptions = {},
  ): Promise<OnnxruntimeSession> {
    const ort = await loadOnnxruntime();
    const providers = await resolveProviders(
      ort,
      options.executionProviders ?? ['cpu'],
      options.providerFallback ?? false,
    );
    let input: string | Uint8Array;
    let model: ModelIR;
    if (typeof source === 'string') {
      input = source;
      model = await loadModel(source);
    } else if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      input = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
      model = decodeModel(input);
    } else {
      model = source;
      input = encodeModel(source);
    }
    refuseUnreturnableOutputs(model);
    // warnings (unused initializers, …) go nowhere; errors still reach the thrown message
    const sessionOptions: Record<string, unknown> = { executionProviders: providers, logSeverityLevel: 3 };
    if (options.graphOptimizationLevel)
      sessionOptions.graphOptimizationLevel = LEVEL[options.graphOptimizationLevel];
    if (options.intraOpNumThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpNumThreads;
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(input, sessionOptions);
    } catch (e) {
      throw new BackendError(
        'onnxruntime',
        `onnxruntime-node rejected the model: ${(e as Error)?.message ?? e}`,
        { cause: e },
      );
    }
    return new OnnxruntimeSession(
      ort,
      session,
      model,
      providers.map((p) => (typeof p === 'string' ? p : p.name)),
    );
  }

  async run(
    feeds: Readonly<Record<string, RuntimeValue>>,
    options: RunOptions = {},
  ): Promise<Record<string, RuntimeValue>> {
    const s = this.session;
    if (!s) throw new InvalidArgumentError('the session has been released');
    const ortFeeds: Record<string, ReturnType<typeof toOrt>> = {};
    for (const [name, v] of Object.entries(feeds)) {
      if (!this.inputNames.includes(name)) {
        throw new InvalidArgumentError(
          `'${name}' is not an input of this model (inputs: ${this.inputNames.join(', ')})`,
        );
      }
      ortFeeds[name] = toOrt(this.ort, name, v);
    }
    for (const name of this.inputNames) {
      if (!(name in feeds))
        throw new InvalidArgumentError(`input '${name}' is missing (inputs: ${this.inputNames.join(', ')})`);
    }
    if (options.signal?.aborted) throw new InvalidArgumentError('the run was aborted before it started');
    let out: Record<string, ReturnType<typeof toOrt>>;
    try {
      out = await s.run(ortFeeds, options.fetches);
    } catch (e) {
      throw new BackendError('onnxruntime', (e as Error)?.message ?? String(e), { cause: e });
    }
    const result: Record<string, RuntimeValue> = {};
    for (const [name, t] of Object.entries(out)) result[name] = fromOrt(name, t);
    return result;
  }

  async release(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }
}
