import {
  AbortError,
  BackendError,
  ConfigError,
  DecodeError,
  ExecutionError,
  InvalidArgumentError,
  NotFoundError,
  ParseError,
  PipelineError,
  ShapeError,
  TypeMismatchError,
  UnsupportedOperatorError,
  ValidationError,
  ZaiError,
} from '@zai/common';
import {
  BadRequestError,
  HttpError,
  ModelNotFoundError,
  PayloadTooLargeError,
  RequestTimeoutError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedEncodingError,
} from '../errors.js';

/**
 * An error as it crosses a worker boundary: its class name, message, own
 * fields (`code`, `statusCode`, a pipeline error's `pipeline` and `step`…) and
 * cause, so that the main thread answers it as it would have in-process.
 */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
  /** Other own fields whose values survive a structured clone as plain data. */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly cause?: WireError;
}

/** The error classes rebuilt as themselves on the other side (by `name`). */
const CLASSES: ReadonlyMap<string, { prototype: Error }> = new Map(
  [
    ZaiError,
    ParseError,
    ValidationError,
    UnsupportedOperatorError,
    ShapeError,
    TypeMismatchError,
    InvalidArgumentError,
    BackendError,
    ExecutionError,
    NotFoundError,
    AbortError,
    ConfigError,
    DecodeError,
    PipelineError,
    HttpError,
    BadRequestError,
    ModelNotFoundError,
    UnauthorizedError,
    UnsupportedEncodingError,
    PayloadTooLargeError,
    UnavailableError,
    RequestTimeoutError,
  ].map((c) => [c.name, c as { prototype: Error }]),
);

const MAX_DEPTH = 8;

/** A copy of `v` made of plain data only (what JSON keeps), or undefined when it has none. */
function plain(v: unknown): unknown {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v;
  if (typeof v !== 'object') return undefined;
  try {
    return JSON.parse(JSON.stringify(v)) as unknown;
  } catch {
    return undefined;
  }
}

export function wireError(e: unknown, depth = 0): WireError {
  const err = e as Record<string, unknown> | null;
  const isObject = typeof err === 'object' && err !== null;
  const fields: Record<string, unknown> = {};
  if (isObject) {
    for (const [k, v] of Object.entries(err)) {
      if (k === 'name' || k === 'message' || k === 'code' || k === 'stack' || k === 'cause') continue;
      const p = plain(v);
      if (p !== undefined) fields[k] = p;
    }
  }
  const cause = isObject ? err.cause : undefined;
  return {
    name: isObject && typeof err.name === 'string' ? err.name : 'Error',
    message: isObject && typeof err.message === 'string' ? err.message : String(e),
    ...(isObject && typeof err.code === 'string' ? { code: err.code } : {}),
    ...(isObject && typeof err.stack === 'string' ? { stack: err.stack } : {}),
    ...(Object.keys(fields).length > 0 ? { fields } : {}),
    ...(cause !== undefined && depth < MAX_DEPTH ? { cause: wireError(cause, depth + 1) } : {}),
  };
}

const hidden = (value: unknown): PropertyDescriptor => ({ value, writable: true, configurable: true });

/**
 * Rebuilds an error from the wire: of its own class where it is one of zai's
 * (so `instanceof`, `code`, `statusCode` and a pipeline error's cause still
 * decide the HTTP status), else a plain Error with the same name and fields.
 */
export function errorFromWire(w: WireError): Error {
  const cls = CLASSES.get(w.name);
  const e: Error & Record<string, unknown> = cls
    ? (Object.create(cls.prototype) as Error & Record<string, unknown>)
    : (new Error(w.message) as Error & Record<string, unknown>);
  Object.defineProperty(e, 'message', hidden(w.message));
  if (w.stack !== undefined) Object.defineProperty(e, 'stack', hidden(w.stack));
  if (w.cause !== undefined) Object.defineProperty(e, 'cause', hidden(errorFromWire(w.cause)));
  e.name = w.name;
  if (w.code !== undefined) e.code = w.code;
  Object.assign(e, w.fields);
  return e;
}
