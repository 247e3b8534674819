/**
 * The bridge from OpenTelemetry spans to {@link TraceRecord}s: a span processor that, when the
 * root span of a Tracium trace ends, assembles the trace's record and hands it to the record
 * exporters (local store, Tracium HTTP API, memory, console, yours).
 *
 * The Tracium handles (`Trace`, `Span`) keep what an attribute cannot hold without a JSON round
 * trip (input, output, metadata objects), so the record of a Tracium span is read from its
 * handle. Spans of other instrumentations that start below a Tracium span (an LLM client's)
 * are adopted by its trace and converted from their attributes (`gen_ai.*`), so their tokens
 * and cost count in the report.
 *
 * Memory: adopted spans are kept per trace (a WeakMap keyed by the trace, at most
 * {@link MAX_ADOPTED_SPANS} each) and released when the root ends or is collected.
 */
import type { Context } from '@opentelemetry/api'
import { trace as otelTrace, SpanStatusCode } from '@opentelemetry/api'
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { errorText } from '../limits.js'
import { adoptSpan, handleOf, isSpanHandle, startingOwnSpan, traceOf } from '../otel/handles.js'
import type { ModelPrices } from '../prices.js'
import type { SpanRecord, TraceRecord } from '../records.js'
import { isoTime } from '../time.js'
import type { Trace } from '../trace.js'
import { genAiSpanFields } from './genai-attributes.js'

/**
 * Most spans of other instrumentations kept for one trace; later ones still go to OTLP.
 * @example
 * ```ts
 * MAX_ADOPTED_SPANS // 1000
 * ```
 */
export const MAX_ADOPTED_SPANS = 1000

/** Receives each assembled record; must not throw. */
export type RecordSink = (record: TraceRecord) => void

/**
 * The processor. `prices` prices adopted llm spans as the handles' spans are priced.
 * @example
 * ```ts
 * new BasicTracerProvider({ spanProcessors: [new TraceAssembler((r) => store.export(r), prices)] })
 * ```
 */
export class TraceAssembler implements SpanProcessor {
  readonly #adopted = new WeakMap<Trace, SpanRecord[]>()
  // An adopted span's parent as the record names it: a Tracium span's own id (which may be
  // one the app chose), null below the root, else the OpenTelemetry span id.
  readonly #parents = new WeakMap<object, string | null>()

  constructor(
    readonly sink: RecordSink,
    readonly prices: ModelPrices | undefined,
  ) {}

  onStart(span: SdkSpan, parentContext: Context): void {
    if (startingOwnSpan()) return // one of ours: its handle has it all
    const parent = otelTrace.getSpan(parentContext)
    const owner = traceOf(parent)
    if (owner === undefined || owner.ended) return
    adoptSpan(span, owner)
    const handle = handleOf(parent)
    this.#parents.set(
      span,
      handle === undefined ? parent!.spanContext().spanId : isSpanHandle(handle) ? handle.id : null,
    )
  }

  onEnd(span: ReadableSpan): void {
    const handle = handleOf(span)
    if (handle !== undefined && !isSpanHandle(handle)) {
      const adopted = this.#adopted.get(handle)
      if (adopted !== undefined) this.#adopted.delete(handle)
      this.sink(handle.toRecord(adopted))
      return
    }
    if (handle !== undefined) return
    const owner = traceOf(span)
    if (owner === undefined || owner.ended) return
    let list = this.#adopted.get(owner)
    if (list === undefined) {
      list = []
      this.#adopted.set(owner, list)
    }
    if (list.length < MAX_ADOPTED_SPANS)
      list.push(recordOf(span, owner, this.#parents.get(span) ?? null, this.prices))
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/**
 * The record of a span another instrumentation made, from its attributes: the GenAI fields as
 * {@link genAiSpanFields} reads them (as Tracium's backend does); an agent operation is
 * `agent`, a span with no GenAI attribute `custom`.
 */
function recordOf(
  span: ReadableSpan,
  owner: Trace,
  parentSpanId: string | null,
  prices: ModelPrices | undefined,
): SpanRecord {
  const a = span.attributes
  const genAi = genAiSpanFields(a, prices)
  const failed = span.status.code === SpanStatusCode.ERROR
  const exception = span.events.find((e) => e.name === 'exception')?.attributes
  const startMs = hrMs(span.startTime)
  return {
    id: span.spanContext().spanId,
    traceId: owner.id,
    parentSpanId,
    tenantId: text(a['tracium.user.id']),
    spanType: genAi === null ? 'custom' : (genAi.spanType ?? 'agent'),
    name: span.name,
    status: failed ? 'failed' : 'completed',
    startedAt: isoTime(startMs),
    completedAt: isoTime(hrMs(span.endTime)),
    latencyMs: hrMs(span.duration),
    modelId: genAi?.modelId ?? null,
    inputTokens: genAi?.inputTokens ?? null,
    outputTokens: genAi?.outputTokens ?? null,
    cachedInputTokens: genAi?.cachedInputTokens ?? null,
    costUsd: genAi?.costUsd ?? null,
    input: null,
    output: null,
    error: failed
      ? errorText(text(exception?.['exception.message']) ?? span.status.message ?? 'failed')
      : null,
    tags: [],
    metadata: {},
  }
}

function hrMs([seconds, nanos]: readonly [number, number]): number {
  return seconds * 1000 + nanos / 1e6
}
