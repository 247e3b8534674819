/**
 * A trace: one run of an agent (or one HTTP request, with `tracium.trace()`), made of spans.
 * Created by `startTrace()`, never with `new`.
 */
import { context, type Span as OtelSpan, ROOT_CONTEXT } from '@opentelemetry/api'
import { getCurrentTenant } from '@tracium/core'
import { TENANT_ATTRIBUTE } from '@tracium/otel'
import { type Client, DUPLICATE_TENANT_ATTRIBUTE } from './client.js'
import { asyncDisposeSymbol, disposeSymbol } from './dispose.js'
import { errorText, normalizeTags } from './limits.js'
import { applyFailure, applyTraceAttributes } from './otel/apply-attributes.js'
import {
  activeSpan,
  handleOf,
  isSpanHandle,
  runWithSpan,
  startOwnSpan,
  traceOf,
} from './otel/handles.js'
import { ownSpanContext } from './otel/own-context.js'
import { startUnrecorded } from './otel/sampler.js'
import type { SpanRecord, TraceRecord, TraceStatus } from './records.js'
import { runToEnd } from './run-to-end.js'
import { Span, type SpanOptions } from './span.js'
import { elapsedMs, isoTime } from './time.js'

/** Everything a trace is created with, defaults already applied and checked. */
export interface TraceInit {
  /** The id the app chose, else `undefined`: the OpenTelemetry trace id. */
  readonly id: string | undefined
  readonly agentName: string
  readonly modelId: string | null
  readonly version: string | null
  readonly tags: readonly string[]
  readonly metadata: Record<string, unknown>
  readonly client: Client
  /** When the work started; a request trace starts when its request did. Default: now. */
  readonly start?: TraceStart
  /** The trace's tenant. Default: the current tenant (S5); a request trace takes its request's. */
  readonly tenantId?: string | null
  /**
   * The trace ends right after it starts, before any other code runs: a request trace begun
   * when its request closed. With no span exporter its root span is then not recorded
   * (otel/sampler.ts) and the trace exports its own record. Default: `false`.
   */
  readonly endsAtOnce?: boolean
}

/** A start time: wall clock for the record, monotonic clock for the duration. */
export interface TraceStart {
  /** `Date.now()` at the start. */
  readonly epochMs: number
  /** `performance.now()` at the start. */
  readonly mark: number
}

// Set in Trace's static block: request traces are renamed by route when the request closes,
// which no public method should allow.
let adjust: (trace: Trace, changes: TraceAdjustment) => void

/** What {@link adjustTrace} may change before a trace ends. */
export interface TraceAdjustment {
  agentName?: string
  metadata?: Record<string, unknown>
}

/**
 * One run of an agent. Methods mirror the Python SDK's (`set_summary` → `setSummary` …).
 * Ending a trace exports it once, with its spans; later calls do nothing.
 *
 * `using trace = startTrace(…)` ends the trace when the block exits, but JavaScript does not
 * tell a disposer about an exception, so a block that throws still ends `completed`: use the
 * callback form `startTrace(options, fn)`, or call `trace.fail(err)` in a `catch`.
 *
 * @example
 * ```ts
 * await tracium.startTrace({ agentName: 'support-bot' }, async (trace) => {
 *   await trace.span({ spanType: 'retrieval', name: 'docs' }, () => search(question))
 *   trace.setSummary({ answered: true })
 * })
 * ```
 */
export class Trace {
  /**
   * Trace id: the root span's OpenTelemetry trace id (32 hex digits), or the `traceId` you
   * passed (then also sent as the `tracium.trace.id` attribute).
   */
  readonly id: string
  /** The tenant when the trace started (S5): it keeps it after the request ends. */
  readonly tenantId: string | null
  /** ISO 8601 start time. */
  readonly startedAt: string
  readonly modelId: string | null
  readonly version: string | null

  #agentName: string
  #metadata: Record<string, unknown>
  #tags: readonly string[]
  #summary: unknown = null
  #failed = false
  #error: string | null = null
  #cause: unknown
  #status: TraceStatus = 'in_progress'
  #endedAt: string | null = null
  #durationMs: number | null = null
  readonly #spans: Span[] = []
  readonly #client: Client
  readonly #startMark: number
  // The root span is not recorded, so no span processor assembles this trace's record.
  readonly #exportsOwnRecord: boolean
  /** @internal The root span. */
  readonly otelSpan: OtelSpan

  static {
    adjust = (trace, changes) => {
      if (changes.agentName !== undefined) trace.#agentName = changes.agentName
      if (changes.metadata !== undefined) trace.#metadata = changes.metadata
    }
  }

  /** @internal Use `startTrace()`. */
  constructor(init: TraceInit) {
    this.#agentName = init.agentName
    this.modelId = init.modelId
    this.version = init.version
    this.#tags = init.tags
    this.#metadata = init.metadata
    this.#client = init.client
    this.tenantId = init.tenantId === undefined ? getCurrentTenant() : init.tenantId
    const epochMs = init.start?.epochMs ?? Date.now()
    this.startedAt = isoTime(epochMs)
    this.#startMark = init.start?.mark ?? performance.now()
    // The root span joins an OpenTelemetry trace the app runs (its HTTP server span), but a
    // trace started inside another Tracium trace is a trace of its own, as it always was.
    const parent = activeSpan()
    const parentContext =
      traceOf(parent) === undefined ? ownSpanContext(context.active()) : ROOT_CONTEXT
    const start = () =>
      init.client.tracer.startSpan(
        'invoke_agent',
        init.start === undefined ? {} : { startTime: epochMs },
        parentContext,
      )
    this.#exportsOwnRecord = init.endsAtOnce === true && !init.client.exportsSpans
    this.otelSpan = startOwnSpan(
      this.#exportsOwnRecord ? () => startUnrecorded(start) : start,
      this,
    )
    // The trace's tenant (a request trace's is its request's, even when it starts lazily inside
    // withTenant(other, …)) over what the processor stamped from the current context, unless
    // that is the same tenant or the span is not recorded.
    const recorded = this.otelSpan.isRecording()
    if (recorded && this.tenantId !== null && this.tenantId !== getCurrentTenant()) {
      this.otelSpan.setAttribute(TENANT_ATTRIBUTE, this.tenantId)
      this.otelSpan.setAttribute(DUPLICATE_TENANT_ATTRIBUTE, this.tenantId)
    }
    const ids = this.otelSpan.spanContext()
    // Under an app's span the trace id is shared with the app's other work: the root's span
    // id keeps this trace's record apart from another one started in the same request.
    this.id =
      init.id ??
      (parent !== undefined && parentContext !== ROOT_CONTEXT
        ? `${ids.traceId}-${ids.spanId}`
        : ids.traceId)
    this.#client.begin()
  }

  get agentName(): string {
    return this.#agentName
  }
  get tags(): readonly string[] {
    return [...this.#tags]
  }
  get metadata(): Readonly<Record<string, unknown>> {
    return this.#metadata
  }
  /** `in_progress`, then `completed` or `failed`. */
  get status(): TraceStatus {
    return this.#status
  }
  /** The recorded failure text, or `null`. */
  get error(): string | null {
    return this.#error
  }
  get summary(): unknown {
    return this.#summary
  }
  /** ISO 8601 end time, or `null` while running. */
  get endedAt(): string | null {
    return this.#endedAt
  }
  /** Duration in milliseconds (monotonic clock), or `null` while running. */
  get durationMs(): number | null {
    return this.#durationMs
  }
  /** `true` once the trace has ended. */
  get ended(): boolean {
    return this.#status !== 'in_progress'
  }
  /** The spans started on this trace, in start order. */
  get spans(): readonly Span[] {
    return [...this.#spans]
  }

  /** Sets the summary sent with the trace's completion; any JSON value. */
  setSummary(summary: unknown): this {
    this.#summary = summary
    return this
  }

  /**
   * Adds tags, de-duplicated case-insensitively with the existing ones.
   * @throws {TraciumError} `INVALID_ARGUMENT` past 100 tags or for a tag over 128 characters.
   */
  addTags(tags: string[]): this {
    this.#tags = normalizeTags(this.#tags, tags)
    return this
  }

  /**
   * Marks the trace failed without ending it. The error text (`Name: message` for an `Error`)
   * is cut at 10,000 characters. Default `error`: none recorded.
   */
  markFailed(error?: unknown): this {
    this.#failed = true
    if (error !== undefined) {
      this.#error = errorText(error)
      this.#cause = error
    }
    return this
  }

  /**
   * Starts a span on this trace. Its parent is the span the call runs in (inside
   * `span(…, fn)` or `span.run(fn)` of this trace), unless `parentSpanId` says otherwise.
   *
   * With `fn`: runs `fn(span)` with the span current, ends it when `fn` returns or resolves,
   * marks it failed when `fn` throws or rejects (and rethrows), and returns `fn`'s result.
   * Without `fn`: returns the running span; end it with `end()`, `fail(err)` or `using`.
   *
   * @throws {TraciumError} `INVALID_ARGUMENT` for options that break a limit.
   * @example
   * ```ts
   * const answer = await trace.span({ spanType: 'llm', name: 'chat', input: q }, async (span) => {
   *   const reply = await client.chat(q)
   *   span.recordOutput(reply).setTokenUsage({ inputTokens: 12, outputTokens: 40 })
   *   return reply
   * })
   * ```
   */
  span<T>(options: SpanOptions, fn: (span: Span) => T): T
  span(options: SpanOptions): Span
  span<T>(options: SpanOptions, fn?: (span: Span) => T): T | Span {
    const current = handleOf(activeSpan())
    const parent =
      current !== undefined && isSpanHandle(current) && current.trace === this ? current : null
    const span = new Span(this, options, parent, this.#client)
    if (!this.ended) this.#spans.push(span)
    if (fn === undefined) return span
    return runToEnd(span, () => span.run(() => fn(span)))
  }

  /**
   * Runs `fn` with this trace as the current trace, so `tracium.span()` and `currentTrace()`
   * find it. The callback form of `startTrace` does this for you. Does not end the trace.
   * @example
   * ```ts
   * using trace = tracium.startTrace({ agentName: 'batch' })
   * await trace.run(() => processAll()) // processAll may call tracium.span()
   * ```
   */
  run<T>(fn: () => T): T {
    return runWithSpan(this.otelSpan, fn)
  }

  /**
   * Ends the trace (`completed`, or `failed` after {@link markFailed}) and exports it with its
   * spans; a span still running is exported `in_progress`. Later calls do nothing.
   */
  end(): void {
    if (this.ended) return
    this.#status = this.#failed ? 'failed' : 'completed'
    this.#endedAt = isoTime(Date.now())
    this.#durationMs = elapsedMs(this.#startMark)
    const span = this.otelSpan
    if (this.#client.exportsSpans) {
      // Only what leaves as a span needs its OpenTelemetry name and attributes; the records
      // read the handle.
      span.updateName(`invoke_agent ${this.#agentName}`)
      applyTraceAttributes(span, this)
    }
    if (this.#failed) applyFailure(span, this.#cause, this.#error)
    // Ending a recorded root span assembles and exports the record (exporters/trace-assembler.ts).
    span.end()
    if (this.#exportsOwnRecord) this.#client.exportRecord(this.toRecord())
    this.#client.finished()
  }

  /** Marks the trace failed with `error` and ends it. */
  fail(error?: unknown): void {
    if (this.ended) return
    this.markFailed(error)
    this.end()
  }

  /** `using trace = startTrace(…)` ends the trace at the end of the block. */
  [disposeSymbol](): void {
    this.end()
  }

  /** `await using trace = startTrace(…)` ends the trace at the end of the block. */
  async [asyncDisposeSymbol](): Promise<void> {
    this.end()
  }

  /**
   * @internal The record, with `adopted`: the spans of other instrumentations that ran in it.
   * Called by the trace assembler when the root span ends.
   */
  toRecord(adopted: readonly SpanRecord[] = NO_SPANS): TraceRecord {
    const spans: SpanRecord[] = []
    let inputTokens = 0
    let outputTokens = 0
    let cachedInputTokens = 0
    let costUsd: number | null = null
    for (const span of this.#spans) {
      const record = span.toRecord(this.#client.prices)
      if (record !== null) spans.push(record)
    }
    for (const record of adopted) spans.push(record)
    for (const record of spans) {
      inputTokens += record.inputTokens ?? 0
      outputTokens += record.outputTokens ?? 0
      cachedInputTokens += record.cachedInputTokens ?? 0
      if (record.costUsd !== null) costUsd = (costUsd ?? 0) + record.costUsd
    }
    // Key order matters: the summary fields, then modelId (records.ts, RECORD_KEYS).
    return {
      id: this.id,
      tenantId: this.tenantId,
      agentName: this.#agentName,
      status: this.#status as TraceRecord['status'],
      startedAt: this.startedAt,
      endedAt: this.#endedAt!,
      durationMs: this.#durationMs!,
      inputTokens,
      outputTokens,
      cachedInputTokens,
      costUsd,
      modelId: this.modelId,
      version: this.version,
      tags: [...this.#tags],
      metadata: this.#metadata,
      summary: this.#summary,
      error: this.#error,
      spans,
    }
  }
}

// Most traces adopt no span of another instrumentation: one empty list for all of them.
const NO_SPANS: readonly SpanRecord[] = []

/**
 * Changes a running trace's agent name or metadata. Internal: request traces are named by route
 * only when the request closes.
 * @example
 * ```ts
 * adjustTrace(trace, { agentName: 'users-id' })
 * ```
 */
export function adjustTrace(trace: Trace, changes: TraceAdjustment): void {
  adjust(trace, changes)
}
