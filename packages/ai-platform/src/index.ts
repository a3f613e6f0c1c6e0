// dependency injection

// audio
export { int16FromBytes, type PcmSource, toFloat32 } from './audio/pcm.js';
export {
  SEGMENT_DEFAULTS,
  type SegmentOptions,
  type SpeechSegment,
  speechSegments,
} from './audio/segments.js';
export {
  chunkSamples,
  contextSamples,
  initialState,
  runChunk,
  type SileroOptions,
  type SileroState,
  type SileroVariant,
  VadStream,
} from './audio/silero.js';
export { servedVad, type VadOptions, type VadResult, vadPipeline } from './audio/vad-pipeline.js';
// classification
export {
  type Classification,
  type ClassifierOptions,
  classifyModelStep,
  classifyPostStep,
  classifyPreStep,
  imageClassifier,
  servedImageClassifier,
  TEXT_DIRECTION,
} from './classify/classifier.js';
export { isDistribution, type Scored, softmax, topK } from './classify/scores.js';
export {
  Container,
  ContainerError,
  type Lifetime,
  type Provider,
  type Resolver,
  type Token,
  token,
} from './container.js';
// images
export { decodeImage, type ImageFormat, imageFormat } from './image/decode.js';
export { batchChw, type InputSize, widthAtHeight } from './image/fit.js';
export { createImage, fromRgba, type Image, rotate90, rotate180, toRgb } from './image/image.js';
export {
  HALF_NORMALIZATION,
  IMAGENET_NORMALIZATION,
  type Normalization,
  toChw,
  writeChw,
} from './image/normalize.js';
export { resizeBilinear } from './image/resize.js';
export { decodeStep, type ImageSource, imageBytesOf } from './image/steps.js';
export { homography, type Point, type Quad, warpQuad } from './image/warp.js';
// OCR
export { CharacterDictionary, ctcGreedyDecode, type DecodedText } from './ocr/ctc.js';
export { DB_DEFAULTS, type DbOptions, type DetectedBox, dbBoxes } from './ocr/db-postprocess.js';
export { type Detection, detectorSize, PPOCR_DET_NORMALIZATION, type TextBox } from './ocr/detect.js';
export { convexHull, minAreaRect, type RotatedRect, readingOrder, rectCorners } from './ocr/geometry.js';
export { OCR_MODEL_NAMES, type OcrOptions, ocrPipeline, servedOcr } from './ocr/ocr-pipeline.js';
export type { LineCrop, OcrLine, OcrResult } from './ocr/recognize.js';
// pipelines
export { Pipeline, PipelineBuilder, type PipelineIO } from './pipeline/pipeline.js';
export { feedTensor, firstTensor, pipelineServable, type ServedPipeline } from './pipeline/servable.js';
export { StepStatsCollector } from './pipeline/stats.js';
export {
  type ModelRunner,
  modelStep,
  type Step,
  type StepContext,
  type StepInput,
  type StepOutput,
  step,
} from './pipeline/step.js';
// shipped pipeline modules
export { type PipelineBuild, pipelineModule } from './pipelines/module.js';
export {
  type LoadOcrOptions,
  loadOcr,
  type OcrPipelines,
  ocrModule,
  type PpocrFiles,
  ppocrFiles,
} from './pipelines/ocr.js';
export {
  loadTextDirection,
  type TextDirectionPipelines,
  textDirectionModule,
} from './pipelines/text-direction.js';
export { type LoadVadOptions, loadVad, sileroFiles, type VadPipelines, vadModule } from './pipelines/vad.js';
// platform
export { autoBackend, BackendTable, nativeBackend, onnxruntimeBackend } from './platform/backends.js';
export { modelServerFactory, registerDefaults } from './platform/defaults.js';
export { consoleLogger } from './platform/logger.js';
export { type LoadedModel, modelServable } from './platform/model-servable.js';
export { loadPipelineModule, type PipelineModuleContext } from './platform/pipeline-modules.js';
export {
  type LoadModelOptions,
  Platform,
  type PlatformOptions,
  type ServableInfo,
} from './platform/platform.js';
export { InMemoryModelRepository } from './platform/repository.js';
export {
  type BackendRegistry,
  type Logger,
  type ModelParser,
  type ModelRepository,
  type RunningServer,
  type ServerFactory,
  Tokens,
} from './platform/tokens.js';
export { definePlugin, type PluginContext, type ZaiPlugin } from './plugins.js';
export { findPackageDir } from './util/find-package.js';
