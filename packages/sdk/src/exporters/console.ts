/**
 * Prints each finished trace, for local development.
 */
import { safeStringify } from '../json.js'
import type { SpanRecord, TraceRecord } from '../records.js'
import type { TraceExporter } from './exporter.js'

/**
 * Options of {@link consoleExporter}.
 * @example
 * ```ts
 * consoleExporter({ format: 'json', write: (line) => logger.info(line) })
 * ```
 */
export interface ConsoleExporterOptions {
  /** `pretty`: a line per trace and an indented line per span; `json`: one JSON line per trace. Default: `pretty`. */
  format?: 'pretty' | 'json'
  /** Receives the text. Default: writes to `process.stdout`. */
  write?: (text: string) => void
}

/**
 * An exporter that prints each finished trace.
 *
 * @example
 * ```ts
 * tracium.init({ exporter: tracium.consoleExporter() })
 * // trace 6f1c… agent=support-bot tenant=acme status=completed duration=12.3ms tokens=120/45
 * //   llm "answer" completed 8.1ms tokens=120/45
 * ```
 */
export function consoleExporter(options: ConsoleExporterOptions = {}): TraceExporter {
  const write = options.write ?? ((text: string) => process.stdout.write(text))
  const format = options.format === 'json' ? (t: TraceRecord) => `${safeStringify(t)}\n` : pretty
  return {
    export(trace) {
      write(format(trace))
    },
  }
}

function pretty(trace: TraceRecord): string {
  const lines = [
    `trace ${trace.id} agent=${trace.agentName} tenant=${trace.tenantId ?? '-'} ` +
      `status=${trace.status} duration=${ms(trace.durationMs)}${tokens(trace)}` +
      (trace.costUsd === null ? '' : ` cost=$${trace.costUsd.toFixed(6)}`) +
      (trace.error === null ? '' : ` error=${JSON.stringify(trace.error)}`),
  ]
  const depth = new Map<string, number>()
  for (const span of trace.spans) {
    const level = span.parentSpanId === null ? 1 : (depth.get(span.parentSpanId) ?? 0) + 1
    depth.set(span.id, level)
    lines.push(`${'  '.repeat(level)}${spanLine(span)}`)
  }
  return `${lines.join('\n')}\n`
}

function spanLine(span: SpanRecord): string {
  return (
    `${span.spanType} ${JSON.stringify(span.name)} ${span.status}` +
    (span.latencyMs === null ? '' : ` ${ms(span.latencyMs)}`) +
    tokens(span) +
    (span.error === null ? '' : ` error=${JSON.stringify(span.error)}`)
  )
}

function tokens(usage: { inputTokens: number | null; outputTokens: number | null }): string {
  if (!usage.inputTokens && !usage.outputTokens) return ''
  return ` tokens=${usage.inputTokens ?? 0}/${usage.outputTokens ?? 0}`
}

function ms(value: number): string {
  return `${Math.round(value * 10) / 10}ms`
}
