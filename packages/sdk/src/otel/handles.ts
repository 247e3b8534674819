/**
 * Which Tracium trace or span an OpenTelemetry span stands for. OpenTelemetry's context carries
 * the active span (the SDK keeps no async context of its own); these maps lead from it back to
 * the Tracium handle, so `tracium.span()` finds its trace and nested spans their parent.
 *
 * WeakMaps keyed by the span objects: an entry lives exactly as long as its span, so nothing
 * here grows with traffic or keeps a finished trace alive.
 */
import { context, type Span as OtelSpan, trace as otelTrace } from '@opentelemetry/api'
import type { Span } from '../span.js'
import type { Trace } from '../trace.js'

const handles = new WeakMap<object, Trace | Span>()
// Spans other instrumentations started below a Tracium span (an LLM client's, an HTTP
// client's): the trace they belong to, so their records join it.
const owners = new WeakMap<object, Trace>()

/** Remembers that `otelSpan` is the OpenTelemetry side of `handle`. */
export function bindHandle(otelSpan: object, handle: Trace | Span): void {
  handles.set(otelSpan, handle)
}

/** The Tracium trace or span `otelSpan` stands for, if it is one of ours. */
export function handleOf(otelSpan: object | undefined): Trace | Span | undefined {
  return otelSpan === undefined ? undefined : handles.get(otelSpan)
}

/** Remembers that a span of another instrumentation belongs to `trace`. */
export function adoptSpan(otelSpan: object, trace: Trace): void {
  owners.set(otelSpan, trace)
}

/** The Tracium trace `otelSpan` belongs to: its own, or the one it was adopted into. */
export function traceOf(otelSpan: object | undefined): Trace | undefined {
  if (otelSpan === undefined) return undefined
  const handle = handles.get(otelSpan)
  if (handle === undefined) return owners.get(otelSpan)
  return 'trace' in handle ? handle.trace : handle
}

/** The OpenTelemetry span active in the current context. */
export function activeSpan(): OtelSpan | undefined {
  return otelTrace.getSpan(context.active())
}

/** Runs `fn` with `otelSpan` as the active span. */
export function runWithSpan<T>(otelSpan: OtelSpan, fn: () => T): T {
  return context.with(otelTrace.setSpan(context.active(), otelSpan), fn)
}
