/**
 * The provider the LLM client instrumentation gets: the SDK's own, with one change. A request's
 * Tracium trace (`tracium.trace()`) starts from core's diagnostics events, so it cannot wrap the
 * handler in `context.with(…)`: in a handler, OpenTelemetry's active context holds no Tracium
 * span (none at all without an app's OpenTelemetry; the HTTP server span with it), and an
 * `openai` call there would start a trace of its own. So a span this provider's tracers start
 * below no Tracium span is parented to the current request's trace (started now if it was not
 * yet, as `tracium.span()` does); inside `tracium.span(…)`, `startTrace(…)`, or outside any
 * request, the context given is used as it is.
 *
 * Only the spans started through this provider pay for the look-up: context.active() and the
 * app's other spans are untouched, whichever context manager is registered.
 */
import {
  type Context,
  context,
  trace as otelTrace,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api'
import { requestTrace } from '../request-traces.js'
import { traceOf } from './handles.js'

/**
 * `provider`, whose tracers parent a span to the current request's trace when the context
 * holds no Tracium span.
 * @example
 * ```ts
 * instrumentLlmClients(requestParented(getClient().provider))
 * ```
 */
export function requestParented(provider: TracerProvider): TracerProvider {
  return {
    getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
      return requestParentedTracer(provider.getTracer(name, version, options))
    },
  }
}

function requestParentedTracer(tracer: Tracer): Tracer {
  return {
    startSpan(name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
      return tracer.startSpan(name, options, parentOf(ctx))
    },
    // The four overloads of startActiveSpan: (name, fn), (name, options, fn),
    // (name, options, context, fn).
    startActiveSpan(name: string, ...rest: unknown[]): unknown {
      const fn = rest.pop() as (span: Span) => unknown
      const options = rest[0] as SpanOptions | undefined
      const parent = parentOf((rest[1] as Context | undefined) ?? context.active())
      const span = tracer.startSpan(name, options, parent)
      return context.with(otelTrace.setSpan(parent, span), fn, undefined, span)
    },
  } as Tracer
}

function parentOf(ctx: Context): Context {
  if (traceOf(otelTrace.getSpan(ctx)) !== undefined) return ctx
  const request = requestTrace()
  return request === null ? ctx : otelTrace.setSpan(ctx, request.otelSpan)
}
