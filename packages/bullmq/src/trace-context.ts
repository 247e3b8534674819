/**
 * The W3C `traceparent` of the active OpenTelemetry span, when the app uses OpenTelemetry, and
 * the OpenTelemetry context a job's processor runs in.
 *
 * `@opentelemetry/api` is an optional peer, never a dependency: it is looked up once, on first
 * use, with `require`. Any copy of the api (ESM or CJS, or another 1.x version) sees the same
 * active span, because the api keeps its registered context manager on a versioned global, so
 * the copy found here does not need to be the one the app imported.
 */
import { createRequire } from 'node:module'

/** The parts of `@opentelemetry/api` read here (structural: no import of its types). */
interface OtelApi {
  ROOT_CONTEXT: unknown
  context: { with<R>(context: unknown, fn: () => R): R }
  trace: {
    getActiveSpan(): { spanContext(): SpanContextLike } | undefined
    setSpanContext(context: unknown, spanContext: RemoteSpanContext): unknown
  }
}

interface RemoteSpanContext extends SpanContextLike {
  isRemote: true
}

interface SpanContextLike {
  traceId: string
  spanId: string
  traceFlags: number
}

// Version 00 of https://www.w3.org/TR/trace-context/#traceparent-header-field-values. A fixed
// length pattern without nested quantifiers: linear time on any input.
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/
const INVALID_TRACE_ID = '0'.repeat(32)
const INVALID_SPAN_ID = '0'.repeat(16)

let api: OtelApi | null | undefined

function loadApi(): OtelApi | null {
  if (api !== undefined) return api
  try {
    // `import.meta.url` is shimmed in the CJS build (tsdown `shims`), so both builds resolve
    // the peer from this package, as Node would for a static import.
    const loaded = createRequire(import.meta.url)('@opentelemetry/api') as Partial<OtelApi>
    api =
      typeof loaded.trace?.getActiveSpan === 'function' &&
      typeof loaded.trace.setSpanContext === 'function' &&
      typeof loaded.context?.with === 'function' &&
      loaded.ROOT_CONTEXT !== undefined
        ? (loaded as OtelApi)
        : null
  } catch {
    api = null // not installed: nothing to link, and nothing to warn about
  }
  return api
}

/**
 * `00-<trace-id>-<span-id>-<flags>` of the active OpenTelemetry span, or `undefined` when
 * `@opentelemetry/api` is not installed or no valid span is active.
 */
export function activeTraceparent(): string | undefined {
  const span = loadApi()?.trace.getActiveSpan()
  if (span === undefined) return undefined
  const { traceId, spanId, traceFlags } = span.spanContext()
  const value = `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`
  if (!TRACEPARENT.test(value) || traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) {
    return undefined
  }
  return value
}

/** `value` when it is a well-formed version-00 `traceparent`, else `undefined`. */
export function validTraceparent(value: unknown): string | undefined {
  return typeof value === 'string' && TRACEPARENT.test(value) ? value : undefined
}

/**
 * Runs `fn` with the span of `traceparent` (a remote span context) as the active OpenTelemetry
 * parent, in a context of its own: the context the `Worker` was created in (a request's span, for
 * a worker started lazily) is not the parent. Runs `fn` as it is without `@opentelemetry/api`,
 * without a `traceparent`, or with an invalid one (all-zero ids): never throws for the value.
 */
export function runInTraceContext<R>(traceparent: string | undefined, fn: () => R): R {
  const otel = traceparent === undefined ? null : loadApi()
  if (otel === null || traceparent === undefined) return fn()
  // Fixed offsets of the version-00 format validTraceparent checked.
  const traceId = traceparent.slice(3, 35)
  const spanId = traceparent.slice(36, 52)
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return fn()
  const traceFlags = Number.parseInt(traceparent.slice(53), 16)
  const parent = otel.trace.setSpanContext(otel.ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags,
    isRemote: true,
  })
  return otel.context.with(parent, fn)
}
