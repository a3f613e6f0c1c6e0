export {
  DEFAULT_BODY_LIMIT,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  ModelLoadError,
  ModelServer,
  type ModelServerOptions,
} from './app.js';
export {
  BadRequestError,
  HttpError,
  ModelNotFoundError,
  RequestTimeoutError,
  UnauthorizedError,
  UnavailableError,
} from './errors.js';
export {
  type BackendChoice,
  type DynamicBatchingConfig,
  type ModelConfig,
  parseModelConfig,
  type ResolvedModelConfig,
  resolveModelConfig,
  type VersionPolicy,
} from './model-config.js';
export type { IndexEntry, ModelState } from './repository/manager.js';
export type { ModelStatistics, StatDuration } from './telemetry/stats.js';
