/**
 * What `init()` builds: the checked defaults and the exporters. A trace keeps the client it
 * started with, so a later `init()` never sends a running trace somewhere else.
 */
import type { TraceExporter } from './exporters/exporter.js'
import type { ModelPrices } from './prices.js'
import { type QueueCounters, type QueueStats, withRates } from './queue.js'
import type { TraceRecord } from './records.js'
import type { TraceSink } from './trace.js'
import { warnOnce } from './warn.js'

/** `init()`'s defaults, checked. */
export interface ClientConfig {
  readonly defaultAgentName: string
  readonly defaultModelId: string | null
  readonly defaultVersion: string | null
  readonly defaultTags: readonly string[]
  readonly defaultMetadata: Readonly<Record<string, unknown>>
  readonly prices: ModelPrices | undefined
}

/**
 * The configured SDK: defaults plus exporters.
 * @example
 * ```ts
 * const client = new Client(config, [memoryExporter()])
 * client.export(record)
 * ```
 */
export class Client implements TraceSink {
  // Traces started with this client and not yet exported: a client replaced by a new init()
  // shuts its exporters only when they have ended, or their records would be dropped.
  #running = 0
  #retire: (() => void) | null = null

  constructor(
    readonly config: ClientConfig,
    readonly exporters: readonly TraceExporter[],
  ) {}

  /** A trace started with this client. */
  begin(): void {
    this.#running++
  }

  get prices(): ModelPrices | undefined {
    return this.config.prices
  }

  /** Hands `record` to every exporter; an exporter that throws is reported, never rethrown. */
  export(record: TraceRecord): void {
    this.#exportToAll(record)
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

  #exportToAll(record: TraceRecord): void {
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

  /** Flushes every exporter; `true` when all of them finished in time. */
  async flush(timeoutMs: number): Promise<boolean> {
    return this.#all((e) => e.flush?.(timeoutMs))
  }

  /** Shuts down the exporters not in `keep` (those a new client reuses). */
  async shutdown(timeoutMs: number, keep: readonly TraceExporter[] = []): Promise<boolean> {
    return this.#all((e) => (keep.includes(e) ? e.flush?.(timeoutMs) : e.shutdown?.(timeoutMs)))
  }

  /** The exporters' queue counters, summed. */
  stats(): QueueStats {
    const total: QueueCounters = {
      queueSize: 0,
      capacity: 0,
      enqueued: 0,
      sent: 0,
      failed: 0,
      dropped: 0,
    }
    for (const exporter of this.exporters) {
      const stats = exporter.stats?.()
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
