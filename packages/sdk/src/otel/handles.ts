/**
 * Which Tracium trace or span an OpenTelemetry span stands for. OpenTelemetry's context carries
 * the active span (the SDK keeps no async context of its own); these maps lead from it back to
 * the Tracium handle, so `tracium.span()` finds its trace and nested spans their parent.
 *
 * WeakMaps keyed by the span objects: an entry lives exactly as long as its span, so nothing
 * here grows with traffic or keeps a finished trace alive. Like core's storage they live in the
 * global symbol registry, so the ESM and the CJS build of the SDK loaded together find each
 * other's traces (DESIGN.md S8); handles are told apart by shape, not by class, for the same
 * reason.
 */
import { context, type Span as OtelSpan, trace as otelTrace } from '@opentelemetry/api'
import type { Span } from '../span.js'
import type { Trace } from '../trace.js'

interface HandleMaps {
  readonly handles: WeakMap<object, Trace | Span>
  // Spans other instrumentations started below a Tracium span (an LLM client's, an HTTP
  // client's): the trace they belong to, so their records join it.
  readonly owners: WeakMap<object, Trace>
}
const KEY = Symbol.for('@tracium/sdk:otel-handles:v1')
const registry = globalThis as { [KEY]?: HandleMaps }
registry[KEY] ??= { handles: new WeakMap(), owners: new WeakMap() }
const { handles, owners } = registry[KEY]

/** `true` for a Tracium span handle, `false` for a trace handle (by shape: see above). */
export function isSpanHandle(handle: Trace | Span): handle is Span {
  return 'trace' in handle
}

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
  return isSpanHandle(handle) ? handle.trace : handle
}

/** The OpenTelemetry span active in the current context. */
export function activeSpan(): OtelSpan | undefined {
  return otelTrace.getSpan(context.active())
}

/** Runs `fn` with `otelSpan` as the active span. */
export function runWithSpan<T>(otelSpan: OtelSpan, fn: () => T): T {
  return context.with(otelTrace.setSpan(context.active(), otelSpan), fn)
}
