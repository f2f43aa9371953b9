export {
  DEFAULT_BRIDGE_RECONNECTION_CONFIG,
  DEFAULT_INVOCATION_TIMEOUT_MS,
  EngineFunctions,
  EngineTriggers,
  type IIIConnectionState,
  type IIIReconnectionConfig,
  LogFunctions,
} from './iii-constants'
export type {
  FunctionInfo,
  FunctionInfo as FunctionMessage,
  RegisterFunctionFormat,
  WorkerInfo,
  WorkerStatus,
} from './iii-types'
export {
  registerWorkerGauges,
  stopWorkerGauges,
  type WorkerGaugesOptions,
} from './otel-worker-gauges'
export {
  currentSpanId,
  currentTraceId,
  extractBaggage,
  extractContext,
  extractTraceparent,
  getAllBaggage,
  getBaggageEntry,
  getLogger,
  getMeter,
  getTracer,
  initOtel,
  injectBaggage,
  injectTraceparent,
  type Logger as OtelLogger,
  type Meter,
  type OtelConfig,
  type ReconnectionConfig,
  removeBaggageEntry,
  SeverityNumber,
  type Span,
  SpanStatusCode,
  setBaggageEntry,
  shutdownOtel,
  withSpan,
} from './telemetry-system'
export type {
  FunctionsAvailableCallback,
  OtelLogEvent,
} from './types'
export { safeStringify } from './utils'
export type { WorkerMetrics, WorkerMetricsCollectorOptions } from './worker-metrics'
export { WorkerMetricsCollector } from './worker-metrics'
