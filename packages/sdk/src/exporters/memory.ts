/**
 * Keeps finished traces in an array, for tests and for code that inspects its own traces.
 */
import type { TraceRecord } from '../records.js'
import type { TraceExporter } from './exporter.js'

/** The exporter returned by {@link memoryExporter}. */
export interface MemoryExporter extends TraceExporter {
  /** Finished traces, oldest first. */
  readonly traces: TraceRecord[]
  /** Forgets every trace. */
  clear(): void
}

/**
 * An exporter that keeps every finished trace in `exporter.traces`. Unbounded: meant for tests.
 *
 * @example
 * ```ts
 * const memory = tracium.memoryExporter()
 * tracium.init({ exporter: memory })
 * tracium.startTrace({ agentName: 'bot' }, () => {})
 * memory.traces[0].status // 'completed'
 * ```
 */
export function memoryExporter(): MemoryExporter {
  const traces: TraceRecord[] = []
  return {
    traces,
    export(trace) {
      traces.push(trace)
    },
    clear() {
      traces.length = 0
    },
  }
}
