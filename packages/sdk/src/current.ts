/**
 * The current trace: the one whose `startTrace(…, fn)`, `trace.run(fn)` or `span(…, fn)` the code
 * runs in (OpenTelemetry's active span), else the trace of the current HTTP request when
 * `tracium.trace()` is on.
 */
import { TraciumError } from './errors.js'
import { activeSpan, traceOf } from './otel/handles.js'
import { requestTrace } from './request-traces.js'
import type { Span, SpanOptions } from './span.js'
import type { Trace } from './trace.js'

/**
 * The current trace, or `null`. Inside a request traced by `tracium.trace()`, this starts the
 * request's trace if it has not started yet.
 *
 * @example
 * ```ts
 * tracium.startTrace({ agentName: 'bot' }, async () => {
 *   tracium.currentTrace()?.addTags(['beta'])
 * })
 * ```
 */
export function currentTrace(): Trace | null {
  return traceOf(activeSpan()) ?? requestTrace()
}
/**
 * Starts a span on the current trace; see `trace.span()` for the two forms. Inside another
 * span's `fn`, the new span is its child.
 *
 * @throws {TraciumError} `NO_ACTIVE_TRACE` when there is no current trace;
 *   `INVALID_ARGUMENT` for options that break a limit.
 * @example
 * ```ts
 * const docs = await tracium.span({ spanType: 'retrieval', name: 'kb', input: q }, () => kb.search(q))
 * ```
 */
export function span<T>(options: SpanOptions, fn: (span: Span) => T): T
export function span(options: SpanOptions): Span
export function span<T>(options: SpanOptions, fn?: (span: Span) => T): T | Span {
  const trace = currentTrace()
  if (trace === null) {
    throw new TraciumError(
      'NO_ACTIVE_TRACE',
      'tracium.span() needs a current trace. Call it inside startTrace(options, fn) or ' +
        'trace.run(fn), inside an HTTP request with tracium.trace() on, or call span() on a ' +
        'trace handle.',
    )
  }
  return fn === undefined ? trace.span(options) : trace.span(options, fn)
}
