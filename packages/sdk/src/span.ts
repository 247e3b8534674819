/**
 * A span: one step of a trace (an LLM call, a retrieval, a tool call …). Created by
 * `trace.span()` or `tracium.span()`, never with `new`.
 */
import { context, type Span as OtelSpan, trace as otelTrace } from '@opentelemetry/api'
import { getCurrentTenant } from '@tracium/core'
import type { Client } from './client.js'
import { asyncDisposeSymbol, disposeSymbol } from './dispose.js'
import { invalidArgument } from './errors.js'
import { errorText, LIMITS, normalizeTags, optionalText, validateMetadata } from './limits.js'
import { applyFailure, applySpanAttributes } from './otel/apply-attributes.js'
import { runWithSpan, startOwnSpan } from './otel/handles.js'
import { ownSpanContext } from './otel/own-context.js'
import { costOf, type ModelPrices, priceOf } from './prices.js'
import type { SpanRecord, SpanType, TraceStatus } from './records.js'
import { elapsedMs, isoTime } from './time.js'
import type { Trace } from './trace.js'
import { warnOnce } from './warn.js'

/**
 * Options of `trace.span()` and `tracium.span()`.
 * @example
 * ```ts
 * trace.span({ spanType: 'retrieval', name: 'kb-search', input: { query } })
 * ```
 */
export interface SpanOptions {
  /** `llm`, `retrieval`, `tool`, `plan`, `action`, `custom` or any other non-empty string. */
  spanType: SpanType
  /** Up to 512 characters. Default: the `spanType`. */
  name?: string
  /** What went into the step (a prompt, a query …); any JSON value. Default: `null`. */
  input?: unknown
  /** The model of an `llm` span, for cost. Default: the trace's `modelId`. */
  modelId?: string
  /** Up to 100 tags of 128 characters, de-duplicated case-insensitively. Default: none. */
  tags?: string[]
  /** A plain object, at most 1 MB as JSON. Default: `{}`. */
  metadata?: Record<string, unknown>
  /** Default: the span the call runs in (inside `span(…, fn)` of the same trace), else none. */
  parentSpanId?: string | null
  /** Default: the OpenTelemetry span id (16 hex digits). */
  spanId?: string
}

/**
 * Token counts, as `span.setTokenUsage()` takes them. Omitted counts stay as they were.
 * @example
 * ```ts
 * span.setTokenUsage({ inputTokens: 420, outputTokens: 60, cachedInputTokens: 128 })
 * ```
 */
export interface SpanTokenUsage {
  inputTokens?: number
  outputTokens?: number
  /** Cached input tokens, a part of `inputTokens`. */
  cachedInputTokens?: number
}

/**
 * One step of a trace. The handle methods mirror the Python SDK's (`record_output` →
 * `recordOutput` …). A span ends once: by `end()`, `fail()`, disposal, or when the function
 * given to `span(options, fn)` returns or throws.
 *
 * @example
 * ```ts
 * await trace.span({ spanType: 'llm', name: 'answer', input: prompt }, async (span) => {
 *   const reply = await llm.chat(prompt)
 *   span.recordOutput(reply.text)
 *   span.setTokenUsage({ inputTokens: reply.usage.input, outputTokens: reply.usage.output })
 * })
 * ```
 */
export class Span {
  /** Span id: the OpenTelemetry span id, or the `spanId` you passed. */
  readonly id: string
  /** Id of the trace it belongs to. */
  readonly traceId: string
  /** The enclosing span, or `null`. */
  readonly parentSpanId: string | null
  /** The tenant when the span started (S5). */
  readonly tenantId: string | null
  readonly spanType: SpanType
  readonly name: string
  /** ISO 8601 start time. */
  readonly startedAt: string
  readonly modelId: string | null
  readonly tags: readonly string[]
  readonly metadata: Readonly<Record<string, unknown>>

  readonly #trace: Trace
  readonly #startMark = performance.now()
  // A span started on a trace that has already ended is never exported (see end()).
  readonly #recorded: boolean
  #status: TraceStatus = 'in_progress'
  #failed = false
  #input: unknown
  #output: unknown = null
  #error: string | null = null
  #cause: unknown
  #usage: Record<keyof SpanTokenUsage, number | null> = {
    inputTokens: null,
    outputTokens: null,
    cachedInputTokens: null,
  }
  #completedAt: string | null = null
  #latencyMs: number | null = null
  readonly #client: Client
  /** @internal The OpenTelemetry span. */
  readonly otelSpan: OtelSpan

  /** @internal Use `trace.span()`. */
  constructor(trace: Trace, options: SpanOptions, parent: Span | null, client: Client) {
    if (typeof options?.spanType !== 'string' || options.spanType.length === 0) {
      throw invalidArgument(
        'spanType must be a non-empty string such as "llm", "retrieval", "tool", "plan", ' +
          '"action" or "custom".',
      )
    }
    this.spanType = options.spanType
    this.name = optionalText(options.name ?? options.spanType, 'name', LIMITS.spanNameLength)!
    this.modelId = optionalText(options.modelId, 'modelId', LIMITS.modelIdLength) ?? trace.modelId
    this.tags = normalizeTags(options.tags ?? [])
    this.metadata = options.metadata === undefined ? {} : validateMetadata(options.metadata)
    const spanId = options.spanId === undefined ? undefined : checkSpanId(options.spanId)
    this.parentSpanId =
      options.parentSpanId === undefined ? (parent?.id ?? null) : options.parentSpanId
    this.#input = options.input ?? null
    this.#trace = trace
    this.#client = client
    this.traceId = trace.id
    this.tenantId = getCurrentTenant()
    this.startedAt = isoTime(Date.now())
    this.#recorded = !trace.ended
    if (!this.#recorded) warnLate()
    // OpenTelemetry parenting: the enclosing Tracium span of this trace, else the root.
    const parentSpan = parent?.otelSpan ?? trace.otelSpan
    // Inside the parent's run() its span is active already: no new context to allocate.
    const active = ownSpanContext(context.active())
    const parentContext =
      otelTrace.getSpan(active) === parentSpan ? active : otelTrace.setSpan(active, parentSpan)
    this.otelSpan = startOwnSpan(() => client.tracer.startSpan(this.name, {}, parentContext), this)
    this.id = spanId ?? this.otelSpan.spanContext().spanId
  }

  /** The trace this span belongs to. */
  get trace(): Trace {
    return this.#trace
  }

  /** `in_progress` until the span ends, then `completed` or `failed`. */
  get status(): TraceStatus {
    return this.#status
  }
  get input(): unknown {
    return this.#input
  }
  get output(): unknown {
    return this.#output
  }
  /** The recorded failure text, or `null`. */
  get error(): string | null {
    return this.#error
  }
  /** Token counts set with {@link setTokenUsage}; `null` where none was set. */
  get tokenUsage(): Readonly<Record<keyof SpanTokenUsage, number | null>> {
    return { ...this.#usage }
  }
  /** `true` once the span has ended. */
  get ended(): boolean {
    return this.#status !== 'in_progress'
  }

  /** Sets the span's input (replacing the one given at start). */
  recordInput(input: unknown): this {
    this.#input = input
    return this
  }

  /** Sets the span's output, e.g. the model's answer. */
  recordOutput(output: unknown): this {
    this.#output = output
    return this
  }

  /**
   * Sets token counts; counts left out keep their value.
   * @throws {TraciumError} `INVALID_ARGUMENT` for a count that is not an integer ≥ 0.
   */
  setTokenUsage(usage: SpanTokenUsage): this {
    for (const key of ['inputTokens', 'outputTokens', 'cachedInputTokens'] as const) {
      const value = usage?.[key]
      if (value === undefined) continue
      if (!Number.isSafeInteger(value) || value < 0) {
        throw invalidArgument(`${key} must be an integer ≥ 0, got ${String(value)}.`)
      }
      this.#usage[key] = value
    }
    return this
  }

  /**
   * Marks the span failed without ending it; it ends as `failed`. The error text is cut at
   * 10,000 characters. Default `error`: none recorded.
   */
  markFailed(error?: unknown): this {
    this.#failed = true
    if (error !== undefined) {
      this.#error = errorText(error)
      this.#cause = error
    }
    return this
  }

  /** Sets how the span will end: `completed` clears an earlier {@link markFailed}. */
  setStatus(status: 'completed' | 'failed'): this {
    if (status !== 'completed' && status !== 'failed') {
      throw invalidArgument(`status must be "completed" or "failed", got ${String(status)}.`)
    }
    this.#failed = status === 'failed'
    return this
  }

  /** Ends the span (`completed`, or `failed` after {@link markFailed}). Later calls do nothing. */
  end(): void {
    if (this.ended) return
    this.#status = this.#failed ? 'failed' : 'completed'
    this.#completedAt = isoTime(Date.now())
    this.#latencyMs = elapsedMs(this.#startMark)
    if (this.#client.exportsSpans) applySpanAttributes(this.otelSpan, this)
    if (this.#failed) applyFailure(this.otelSpan, this.#cause, this.#error)
    this.otelSpan.end()
    if (this.#recorded && this.#trace.ended) warnLate()
  }

  /** Marks the span failed with `error` and ends it. */
  fail(error?: unknown): void {
    if (this.ended) return
    this.markFailed(error)
    this.end()
  }

  /**
   * Runs `fn` with this span as the current span of its trace, so spans started inside get it
   * as their parent and `tracium.span()` finds the trace. Does not end the span.
   */
  run<T>(fn: () => T): T {
    return runWithSpan(this.otelSpan, fn)
  }

  /** `using span = trace.span(…)` ends the span at the end of the block. */
  [disposeSymbol](): void {
    this.end()
  }

  /** `await using span = trace.span(…)` ends the span at the end of the block. */
  async [asyncDisposeSymbol](): Promise<void> {
    this.end()
  }

  /** @internal The exported form; `null` for a span started after its trace ended. */
  toRecord(prices: ModelPrices | undefined): SpanRecord | null {
    if (!this.#recorded) return null
    const price = priceOf(prices, this.modelId)
    return {
      id: this.id,
      traceId: this.traceId,
      parentSpanId: this.parentSpanId,
      tenantId: this.tenantId,
      spanType: this.spanType,
      name: this.name,
      status: this.#status,
      startedAt: this.startedAt,
      completedAt: this.#completedAt,
      latencyMs: this.#latencyMs,
      modelId: this.modelId,
      ...this.#usage,
      costUsd: costOf(this.#usage, price),
      input: this.#input,
      output: this.#output,
      error: this.#error,
      tags: [...this.tags],
      metadata: this.metadata,
    }
  }
}

function checkSpanId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw invalidArgument('spanId must be a string of 1–256 characters.')
  }
  return value
}

function warnLate(): void {
  warnOnce(
    'TRACIUM_SPAN_AFTER_TRACE_END',
    'A span ran past the end of its trace, so it is not part of the exported trace (a span still ' +
      'open when the trace ends is exported as in_progress). End spans before their trace, or ' +
      'start a new trace for work that outlives the request.',
  )
}
