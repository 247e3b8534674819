/**
 * What `init()` builds: the checked defaults, and an OpenTelemetry tracer provider of the SDK's
 * own whose processors are the pipeline:
 *
 * 1. `@tracium/otel`'s processor: the tenant on every span (`tracium.user.id`, `tenant.id`);
 * 2. the trace assembler, when there are record exporters (local store, HTTP API, yours): one
 *    {@link TraceRecord} per trace when its root span ends;
 * 3. OTLP (BatchSpanProcessor + the OTLP/proto exporter), when an endpoint is configured.
 *
 * The provider is not registered globally: an app's own OpenTelemetry set-up stays its own. A
 * trace keeps the client it started with, so a later `init()` never sends a running trace
 * somewhere else.
 */
import type { Tracer } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  type IdGenerator,
  RandomIdGenerator,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { traciumSpanProcessor } from '@tracium/otel'
import type { TraceExporter } from './exporters/exporter.js'
import { type OtlpPipeline, type OtlpSettings, otlpPipeline } from './exporters/otel-otlp.js'
import { TraceAssembler } from './exporters/trace-assembler.js'
import { ensureContextManager } from './otel/context-manager.js'
import { traciumSampler } from './otel/sampler.js'
import type { ModelPrices } from './prices.js'
import { type QueueCounters, type QueueStats, withRates } from './queue.js'
import type { TraceRecord } from './records.js'
import { timerDelay } from './time.js'
import { SDK_VERSION } from './version.js'
import { warnOnce } from './warn.js'

/**
 * The second attribute that carries the tenant, beside `tracium.user.id`: Tracium's backend
 * shows attributes outside its reserved prefixes in its allocation view.
 * @example
 * ```ts
 * span.attributes[DUPLICATE_TENANT_ATTRIBUTE] // 'acme'
 * ```
 */
export const DUPLICATE_TENANT_ATTRIBUTE = 'tenant.id'

/** `init()`'s defaults, checked. */
export interface ClientConfig {
  readonly defaultAgentName: string
  readonly defaultModelId: string | null
  readonly defaultVersion: string | null
  readonly defaultTags: readonly string[]
  readonly defaultMetadata: Readonly<Record<string, unknown>>
  readonly prices: ModelPrices | undefined
}

/** Where `init()` sends traces. */
export interface ClientOutputs {
  /** Exporters of whole-trace records. */
  readonly exporters: readonly TraceExporter[]
  /** OTLP, or `null`. */
  readonly otlp: OtlpSettings | null
}

/**
 * The configured SDK: defaults, exporters, and the tracer provider.
 * @example
 * ```ts
 * const client = new Client(config, { exporters: [memoryExporter()], otlp: null })
 * client.tracer.startSpan('work').end()
 * ```
 */
export class Client {
  readonly exporters: readonly TraceExporter[]
  readonly provider: BasicTracerProvider
  readonly tracer: Tracer
  /**
   * The provider's trace and span ids (OpenTelemetry's random generator), also read by the
   * request traces that are written without a span (request-record.ts).
   */
  readonly ids: IdGenerator = new RandomIdGenerator()
  /**
   * `true` when spans leave the process as spans (OTLP): only then are the attributes only
   * OTLP reads (input, output, metadata as JSON) worth computing.
   */
  readonly exportsSpans: boolean
  readonly #otlp: OtlpPipeline | null
  // Traces started with this client and not yet ended: a client replaced by a new init()
  // shuts its exporters only when they have ended, or their records would be dropped.
  #running = 0
  #retire: (() => void) | null = null

  constructor(
    readonly config: ClientConfig,
    outputs: ClientOutputs,
  ) {
    ensureContextManager()
    this.exporters = outputs.exporters
    this.#otlp = outputs.otlp === null ? null : otlpPipeline(outputs.otlp)
    this.exportsSpans = this.#otlp !== null
    const spanProcessors: SpanProcessor[] = [
      traciumSpanProcessor({ duplicateAttribute: DUPLICATE_TENANT_ATTRIBUTE }),
    ]
    if (this.exporters.length > 0) {
      spanProcessors.push(new TraceAssembler((record) => this.exportRecord(record), config.prices))
    }
    if (this.#otlp !== null) spanProcessors.push(this.#otlp.processor)
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': process.env.OTEL_SERVICE_NAME || config.defaultAgentName,
        'telemetry.sdk.name': '@tracium/sdk',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.version': SDK_VERSION,
      }),
      spanProcessors,
      sampler: traciumSampler,
      idGenerator: this.ids,
    })
    this.tracer = this.provider.getTracer('@tracium/sdk', SDK_VERSION)
  }

  get prices(): ModelPrices | undefined {
    return this.config.prices
  }

  /** A trace started with this client. */
  begin(): void {
    this.#running++
  }

  /** A trace started with this client has ended (its record, if any, is exported). */
  finished(): void {
    this.#running = Math.max(0, this.#running - 1)
    if (this.#running === 0) this.#retire?.()
  }

  /**
   * Shuts down the exporters not in `keep` once every trace started with this client has ended
   * (at once when none is running). `init()` calls it for the client it replaces.
   */
  retire(timeoutMs: number, keep: readonly TraceExporter[]): void {
    this.#retire = () => {
      this.#retire = null
      void this.shutdown(timeoutMs, keep) // background and fail-open: init() stays synchronous
    }
    if (this.#running === 0) this.#retire()
  }

  /**
   * Hands `record` to every exporter; an exporter that throws is reported, never rethrown.
   * Called by the trace assembler when a recorded root span ends, and by a trace whose root
   * span is not recorded (otel/sampler.ts).
   */
  exportRecord(record: TraceRecord): void {
    for (const exporter of this.exporters) {
      try {
        exporter.export(record)
      } catch (error) {
        warnOnce(
          'TRACIUM_EXPORT_FAILED',
          `A Tracium exporter threw (${String(error)}); the trace was not exported there. ` +
            'Exporters must not throw.',
        )
      }
    }
  }

  /** Something is buffered and not yet delivered (for the exit flush). */
  hasPending(): boolean {
    return (
      (this.#otlp?.pending() ?? 0) > 0 ||
      this.exporters.some((e) => (e.stats?.().queueSize ?? 0) > 0)
    )
  }

  /** Flushes the spans and every exporter; `true` when all of them finished in time. */
  async flush(timeoutMs: number): Promise<boolean> {
    const spans = within(timeoutMs, this.provider.forceFlush())
    const records = this.#all((e) => e.flush?.(timeoutMs))
    const [a, b] = await Promise.all([spans, records])
    return a && b && (this.#otlp?.pending() ?? 0) === 0
  }

  /** Shuts down the provider and the exporters not in `keep` (those a new client reuses). */
  async shutdown(timeoutMs: number, keep: readonly TraceExporter[] = []): Promise<boolean> {
    const spans = within(timeoutMs, this.provider.shutdown())
    const records = this.#all((e) =>
      keep.includes(e) ? e.flush?.(timeoutMs) : e.shutdown?.(timeoutMs),
    )
    const [a, b] = await Promise.all([spans, records])
    return a && b && (this.#otlp?.pending() ?? 0) === 0
  }

  /** The exporters' queue counters and OTLP's, summed. */
  stats(): QueueStats {
    const total: QueueCounters = {
      queueSize: 0,
      capacity: 0,
      enqueued: 0,
      sent: 0,
      failed: 0,
      dropped: 0,
    }
    const all = this.exporters.map((e) => e.stats?.())
    if (this.#otlp !== null) all.push(this.#otlp.stats())
    for (const stats of all) {
      if (stats === undefined) continue
      total.queueSize += stats.queueSize
      total.capacity += stats.capacity
      total.enqueued += stats.enqueued
      total.sent += stats.sent
      total.failed += stats.failed
      total.dropped += stats.dropped
    }
    return withRates(total)
  }

  async #all(step: (e: TraceExporter) => Promise<boolean> | undefined): Promise<boolean> {
    const results = await Promise.all(
      this.exporters.map(async (exporter) => {
        try {
          return (await step(exporter)) ?? true
        } catch {
          return false // fail-open: a broken exporter must not break flush() or shutdown()
        }
      }),
    )
    return results.every(Boolean)
  }
}

/**
 * `true` when `work` settles within `timeoutMs`, `false` when it rejects or the time passes
 * first. The timer holds the process open only while someone waits.
 * @example
 * ```ts
 * await within(5_000, provider.forceFlush())
 * ```
 */
export function within(timeoutMs: number, work: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timerDelay(timeoutMs))
    work.then(
      () => {
        clearTimeout(timer)
        resolve(true)
      },
      () => {
        clearTimeout(timer)
        resolve(false)
      },
    )
  })
}
