/**
 * Plain-text tables for the CLI. No colours and no progress output: the output is meant to be
 * read, diffed and piped.
 */
import type { Report, ReportStats } from './build-report.js'
import type { TraceRow } from './recent.js'

const NO_TENANT = '(none)'

/**
 * The report as a table, one row per tenant and a total row.
 * @example
 * ```ts
 * process.stdout.write(formatReport(report))
 * ```
 */
export function formatReport(report: Report): string {
  const header = [
    'tenant',
    'traces',
    'failed',
    'error rate',
    'p50',
    'p95',
    'input tokens',
    'output tokens',
    'cost (USD)',
  ]
  const cells = (label: string, row: ReportStats) => [
    label,
    count(row.traces),
    count(row.failed),
    percent(row.errorRate),
    duration(row.p50Ms),
    duration(row.p95Ms),
    count(row.inputTokens),
    count(row.outputTokens),
    usd(row.costUsd),
  ]
  const rows = report.tenants.map((row) => cells(row.tenantId ?? NO_TENANT, row))
  const lines = [`Tracium report: ${report.file}`]
  const filters = describeFilters(report)
  if (filters) lines.push(`Filters: ${filters}`)
  lines.push('')
  if (rows.length === 0) lines.push('No traces match.')
  else lines.push(table([header, ...rows, cells('(all)', report.total)], 'lrrrrrrrr'))
  if (report.skippedLines > 0) {
    lines.push(
      '',
      `${count(report.skippedLines)} unreadable line(s) skipped (e.g. torn by a crash).`,
    )
  }
  return `${lines.join('\n')}\n`
}

/**
 * Recent traces as a table, newest first.
 * @example
 * ```ts
 * process.stdout.write(formatTraces(rows))
 * ```
 */
export function formatTraces(rows: TraceRow[]): string {
  if (rows.length === 0) return 'No traces match.\n'
  const header = [
    'started',
    'tenant',
    'agent',
    'status',
    'duration',
    'spans',
    'tokens in/out',
    'trace id',
  ]
  const body = rows.map((row) => [
    row.startedAt,
    row.tenantId ?? NO_TENANT,
    row.agentName,
    row.status,
    duration(row.durationMs),
    count(row.spans),
    `${count(row.inputTokens)}/${count(row.outputTokens)}`,
    row.id,
  ])
  return `${table([header, ...body], 'llllrrrl')}\n`
}

function describeFilters(report: Report): string {
  const { tenant, agent, since } = report.filters
  return [
    tenant !== undefined && `tenant=${tenant}`,
    agent !== undefined && `agent=${agent}`,
    since !== undefined && `since=${since}`,
  ]
    .filter(Boolean)
    .join(' ')
}

/** Aligns columns: `align[i]` is `l` or `r` for column i. Trailing spaces are trimmed. */
function table(rows: string[][], align: string): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function count(value: number): string {
  return value.toLocaleString('en-US')
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`
}

function duration(ms: number | null): string {
  if (ms === null) return '-'
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`
}

// Sub-dollar costs are typical per tenant in development, so they keep six decimals.
function usd(value: number | null): string {
  if (value === null) return '-'
  return `$${value.toFixed(value >= 1 ? 2 : 6)}`
}
