/**
 * `@tracium/sdk`: tenant-tagged traces and spans for Node.js, mirroring the Python Tracium SDK.
 * `import * as tracium from '@tracium/sdk'` reads like the Python docs.
 */

// The tenant API, so one import covers tracing and tenancy (DESIGN.md).
export {
  bindTenant,
  captureTenant,
  getCurrentTenant,
  isTenantError,
  requireTenant,
  setTenant,
  TenantError,
  type TenantErrorCode,
  type TenantSnapshot,
  withTenant,
} from '@tracium/core'
export { currentTrace, span } from './current.js'
export { TraciumError, type TraciumErrorCode } from './errors.js'
export {
  type ConsoleExporterOptions,
  consoleExporter,
} from './exporters/console.js'
export type { TraceExporter } from './exporters/exporter.js'
export {
  TraciumHttpError,
  type TraciumHttpExporter,
  type TraciumHttpExporterOptions,
  traciumHttpExporter,
} from './exporters/http.js'
export {
  type LocalStoreExporter,
  type LocalStoreOptions,
  localStore,
} from './exporters/local-store.js'
export { type MemoryExporter, memoryExporter } from './exporters/memory.js'
export { init, type TraciumOptions } from './init.js'
export { flush, getQueueStats, shutdown } from './lifecycle.js'
export { LIMITS, TRUNCATED_SUFFIX } from './limits.js'
export {
  instrumentLlmClients,
  isSupportedOpenAi,
  type LlmInstrumentation,
  type LlmInstrumentationOptions,
  SUPPORTED_OPENAI,
} from './llm-instrumentation.js'
export type { ModelPrice, ModelPrices } from './prices.js'
export type { QueueStats } from './queue.js'
export type { SpanRecord, SpanType, TraceRecord, TraceStatus } from './records.js'
export { type ReadTracesOptions, readTraces, type TraceReader } from './report/read-store.js'
export { type TraceOptions, trace, UNMATCHED_AGENT } from './request-traces.js'
export { Span, type SpanOptions, type SpanTokenUsage } from './span.js'
export { type StartTraceOptions, startTrace } from './start-trace.js'
export { Trace } from './trace.js'
export { SDK_VERSION } from './version.js'
export type { TraciumWarningCode } from './warn.js'
