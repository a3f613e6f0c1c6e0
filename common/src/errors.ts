/** Stable error codes; callers match on these, never on messages. */
export const ErrorCode = {
  Parse: 'ZAI_PARSE',
  Validation: 'ZAI_VALIDATION',
  UnsupportedOperator: 'ZAI_UNSUPPORTED_OPERATOR',
  Shape: 'ZAI_SHAPE',
  Type: 'ZAI_TYPE',
  InvalidArgument: 'ZAI_INVALID_ARGUMENT',
  Backend: 'ZAI_BACKEND',
  Execution: 'ZAI_EXECUTION',
  NotFound: 'ZAI_NOT_FOUND',
  Aborted: 'ZAI_ABORTED',
  Config: 'ZAI_CONFIG',
  Pipeline: 'ZAI_PIPELINE',
  Decode: 'ZAI_DECODE',
  Dependency: 'ZAI_DEPENDENCY',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Root of every error zai throws on purpose. */
export class ZaiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The bytes of a model or tensor file do not decode; `offset` is where decoding failed. */
export class ParseError extends ZaiError {
  readonly offset: number | undefined;
  constructor(message: string, offset?: number, options?: { cause?: unknown }) {
    super(ErrorCode.Parse, offset === undefined ? message : `${message} (at byte ${offset})`, options);
    this.offset = offset;
  }
}

/** The model decodes but breaks a rule of the ONNX IR (dangling input, missing opset, bad attribute). */
export class ValidationError extends ZaiError {
  readonly node: string | undefined;
  constructor(message: string, node?: string, options?: { cause?: unknown }) {
    super(ErrorCode.Validation, message, options);
    this.node = node;
  }
}

/** No kernel exists for a node's (domain, op type, opset version). */
export class UnsupportedOperatorError extends ZaiError {
  readonly opType: string;
  readonly domain: string;
  readonly opset: number;
  readonly node: string;
  constructor(opType: string, domain: string, opset: number, node: string, detail?: string) {
    const where = `${domain || 'ai.onnx'}::${opType} (opset ${opset})`;
    super(
      ErrorCode.UnsupportedOperator,
      `node '${node}': operator ${where} is not supported${detail ? `: ${detail}` : ''}`,
    );
    this.opType = opType;
    this.domain = domain;
    this.opset = opset;
    this.node = node;
  }
}

/** Shapes that cannot work together (broadcast, reshape, matmul inner dims, feed vs declared shape). */
export class ShapeError extends ZaiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Shape, message, options);
  }
}

/** A value has the wrong element type or kind. */
export class TypeMismatchError extends ZaiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Type, message, options);
  }
}

/** An argument given by the caller is wrong (unknown feed, bad option). */
export class InvalidArgumentError extends ZaiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.InvalidArgument, message, options);
  }
}

/** A backend could not load, or failed underneath (onnxruntime missing, provider unavailable). */
export class BackendError extends ZaiError {
  readonly backend: string;
  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Backend, `${backend}: ${message}`, options);
    this.backend = backend;
  }
}

/** A kernel failed while a graph ran; names the node so the user can find it. */
export class ExecutionError extends ZaiError {
  readonly node: string;
  readonly opType: string;
  constructor(node: string, opType: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Execution, `node '${node}' (${opType}): ${message}`, options);
    this.node = node;
    this.opType = opType;
  }
}

/** A file, model or version that does not exist. */
export class NotFoundError extends ZaiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.NotFound, message, options);
  }
}

/** A run cancelled through its AbortSignal. */
export class AbortError extends ZaiError {
  constructor(message = 'the run was aborted') {
    super(ErrorCode.Aborted, message);
  }
}

/**
 * A configuration value is wrong. `path` is the offending key (`models.points.maxBatchSize`,
 * empty for the whole document), `origin` where the value came from (a file, `ZAI_PORT`, `--port`).
 */
export class ConfigError extends ZaiError {
  readonly path: string;
  readonly origin: string;
  constructor(origin: string, path: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Config, `${origin}: ${message}`, options);
    this.path = path;
    this.origin = origin;
  }
}

/** Input bytes (an image, audio) that cannot be decoded. */
export class DecodeError extends ZaiError {
  readonly format: string;
  constructor(format: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Decode, `${format}: ${message}`, options);
    this.format = format;
  }
}

/** A pipeline step failed; names the pipeline and the step. `cause` is the step's own error. */
export class PipelineError extends ZaiError {
  readonly pipeline: string;
  readonly step: string;
  /** The stable code of the underlying error (ZAI_DECODE, ZAI_SHAPE…), when it had one. */
  readonly causeCode: ErrorCode | undefined;
  constructor(pipeline: string, step: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Pipeline, `pipeline '${pipeline}' step '${step}': ${message}`, options);
    this.pipeline = pipeline;
    this.step = step;
    const code = (options?.cause as { code?: unknown } | undefined)?.code;
    this.causeCode = Object.values(ErrorCode).includes(code as ErrorCode) ? (code as ErrorCode) : undefined;
  }
}
