/**
 * The context the SDK starts its own spans in: the active one, minus OpenTelemetry's
 * `suppressTracing()` flag.
 *
 * Exporters set that flag around their own requests, some instrumentations around the calls they
 * already cover, and apps around work they do not want traced (a health check). The tracer then
 * returns a span that records nothing and has an all-zero trace id. A Tracium trace or span is
 * a record the app asked for by calling the SDK, as it was before the SDK moved to
 * OpenTelemetry (its own runtime knew no such flag). Under the flag, a `startTrace()` wrote
 * nothing and said nothing, and a request trace was written or lost depending on whether its
 * handler had called `tracium.span()`. So the SDK's spans ignore the flag; other
 * instrumentations' spans still follow it.
 */
import type { Context } from '@opentelemetry/api'
import { isTracingSuppressed, unsuppressTracing } from '@opentelemetry/core'

/**
 * `active` without the suppression flag (the same context when it has none: no allocation).
 * @example
 * ```ts
 * tracer.startSpan('invoke_agent', {}, ownSpanContext(context.active()))
 * ```
 */
export function ownSpanContext(active: Context): Context {
  return isTracingSuppressed(active) ? unsuppressTracing(active) : active
}
