/**
 * The exporter contract. An exporter receives each finished trace once, synchronously, and must
 * not throw or block: slow work (files, network) goes through a background queue, and
 * `flush`/`shutdown` wait for it.
 */
import type { QueueStats } from '../queue.js'
import type { TraceRecord } from '../records.js'

/**
 * Where finished traces go. Write your own by implementing `export`; the rest is optional.
 *
 * @example
 * ```ts
 * const logExporter: TraceExporter = {
 *   export: (trace) => logger.info({ trace: trace.id, tenant: trace.tenantId }, 'trace'),
 * }
 * tracium.init({ exporter: logExporter })
 * ```
 */
export interface TraceExporter {
  /** Takes one finished trace. Must return quickly and never throw (the SDK catches anyway). */
  export(trace: TraceRecord): void
  /** Waits up to `timeoutMs` for queued traces; resolves `true` when nothing is left. */
  flush?(timeoutMs: number): Promise<boolean>
  /** Flushes, then releases resources (files, sockets); later traces are dropped. */
  shutdown?(timeoutMs: number): Promise<boolean>
  /** Queue counters, for exporters that queue. */
  stats?(): QueueStats
}
