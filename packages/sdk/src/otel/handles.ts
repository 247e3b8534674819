/**
 * Which Tracium trace or span an OpenTelemetry span stands for. OpenTelemetry's context carries
 * the active span (the SDK keeps no async context of its own); a symbol-keyed property on the
 * span object leads from it back to the Tracium handle, so `tracium.span()` finds its trace and
 * nested spans their parent. A property rather than a WeakMap: an entry per span in a WeakMap
 * made the garbage collector the largest cost of a trace (ephemeron tables), and a property
 * lives and dies with its span just the same. The keys are registry symbols, so the ESM and the
 * CJS build of the SDK loaded together find each other's traces (DESIGN.md S8); handles are
 * told apart by shape, not by class, for the same reason.
 */
import { context, type Span as OtelSpan, trace as otelTrace } from '@opentelemetry/api'
import type { Span } from '../span.js'
import type { Trace } from '../trace.js'

const HANDLE = Symbol.for('@tracium/sdk:handle:v1')
// Set on spans other instrumentations started below a Tracium span (an LLM client's, an HTTP
// client's): the trace they belong to, so their records join it.
const OWNER = Symbol.for('@tracium/sdk:owner:v1')
const STARTING = Symbol.for('@tracium/sdk:starting:v1')

type Marked = { [HANDLE]?: Trace | Span; [OWNER]?: Trace }
const state = globalThis as { [STARTING]?: number }
state[STARTING] ??= 0

/**
 * Starts one of the SDK's own spans: while `start` runs, {@link startingOwnSpan} is `true`, so
 * processors' `onStart` (which runs inside `startSpan`, before the handle is bound) can tell it
 * from another instrumentation's span.
 */
export function startOwnSpan(start: () => OtelSpan, handle: Trace | Span): OtelSpan {
  state[STARTING]!++
  let span: OtelSpan
  try {
    span = start()
  } finally {
    state[STARTING]!--
  }
  ;(span as Marked)[HANDLE] = handle
  return span
}

/** `true` inside {@link startOwnSpan}. */
export function startingOwnSpan(): boolean {
  return state[STARTING]! > 0
}

/** The Tracium trace or span `otelSpan` stands for, if it is one of ours. */
export function handleOf(otelSpan: object | undefined): Trace | Span | undefined {
  return (otelSpan as Marked | undefined)?.[HANDLE]
}

/** Remembers that a span of another instrumentation belongs to `trace`. */
export function adoptSpan(otelSpan: object, trace: Trace): void {
  ;(otelSpan as Marked)[OWNER] = trace
}

/** `true` for a Tracium span handle, `false` for a trace handle (by shape: see above). */
export function isSpanHandle(handle: Trace | Span): handle is Span {
  return 'trace' in handle
}

/** The Tracium trace `otelSpan` belongs to: its own, or the one it was adopted into. */
export function traceOf(otelSpan: object | undefined): Trace | undefined {
  const marked = otelSpan as Marked | undefined
  const handle = marked?.[HANDLE]
  if (handle === undefined) return marked?.[OWNER]
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
