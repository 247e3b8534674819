/**
 * `@tracium/otel`: the tenant on every OpenTelemetry span, from anyone's tracer.
 */
export type { TraciumSpanProcessorOptions } from './options.js'
export { MAX_OPEN_PER_GROUP, PENDING_LIMIT_WARNING_CODE } from './pending-spans.js'
export {
  type StartedSpan,
  TraciumSpanProcessor,
  traciumSpanProcessor,
} from './span-processor.js'
export {
  type AttributeSink,
  BACKEND_TENANT_MAX_BYTES,
  LONG_TENANT_WARNING_CODE,
  TENANT_ATTRIBUTE,
} from './tenant-attributes.js'
