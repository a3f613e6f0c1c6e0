import { ErrorCode } from '@zai/common';

/** An error the server answers with a specific HTTP status; `code` is stable for callers. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

/** The request is malformed or does not fit the model (400). */
export class BadRequestError extends HttpError {
  constructor(message: string) {
    super(400, 'ZAI_BAD_REQUEST', message);
  }
}

/** No such model, version or route (404). */
export class ModelNotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'ZAI_MODEL_NOT_FOUND', message);
  }
}

/** Missing or wrong API key (401). */
export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'ZAI_UNAUTHORIZED', 'missing or invalid API key (send "Authorization: Bearer <key>")', {
      'www-authenticate': 'Bearer',
    });
  }
}

/** The request body uses a Content-Encoding the server cannot decode (415). */
export class UnsupportedEncodingError extends HttpError {
  constructor(encoding: string) {
    super(
      415,
      'ZAI_UNSUPPORTED_ENCODING',
      `Content-Encoding '${encoding}' is not supported (use gzip or deflate)`,
    );
  }
}

/** The decoded request body is larger than the limit (413). */
export class PayloadTooLargeError extends HttpError {
  constructor(limit: number) {
    super(413, 'ZAI_PAYLOAD_TOO_LARGE', `the request body is larger than the limit of ${limit} bytes`);
  }
}

/** Overloaded, shutting down, or the model is not ready (503); clients should retry later. */
export class UnavailableError extends HttpError {
  constructor(message: string, retryAfterSeconds = 1) {
    super(503, 'ZAI_UNAVAILABLE', message, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** A request that waited in the queue or ran longer than its timeout (503). */
export class RequestTimeoutError extends HttpError {
  constructor(ms: number) {
    super(503, 'ZAI_TIMEOUT', `the request timed out after ${ms} ms`, { 'retry-after': '1' });
  }
}

/** HTTP status for the typed errors of the lower layers, by their stable code. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ErrorCode.Shape]: 400,
  [ErrorCode.Type]: 400,
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Validation]: 400,
  [ErrorCode.Parse]: 400,
  [ErrorCode.UnsupportedOperator]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Aborted]: 503,
  [ErrorCode.Backend]: 500,
  [ErrorCode.Execution]: 500,
  [ErrorCode.Config]: 400,
  [ErrorCode.Decode]: 400,
  [ErrorCode.Dependency]: 500,
};

/** The status an error is answered with: its own, its code's (a pipeline's: its cause's), a client error fastify raised, else 500. */
export function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.statusCode;
  const err = e as { code?: unknown; statusCode?: unknown; cause?: unknown } | null;
  // a pipeline step's failure is answered as its cause would be (a bad image is the client's)
  if (err?.code === ErrorCode.Pipeline) return err.cause === undefined ? 500 : statusOf(err.cause);
  if (typeof err?.code === 'string' && STATUS_BY_CODE[err.code] !== undefined)
    return STATUS_BY_CODE[err.code]!;
  if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600)
    return err.statusCode;
  return 500;
}
