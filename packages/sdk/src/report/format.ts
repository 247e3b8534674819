/**
 * Plain-text tables for the CLI. No colours and no progress output: the output is meant to be
 * read, diffed and piped. Stored strings (tenant ids, agent and model names, errors) are the
 * store's data, so control characters in them are escaped: a line in the store cannot move the
 * cursor or rewrite the terminal.
 */
import type { Report, ReportStats } from './build-report.js'
import type { TraceRow } from './recent.js'
import { count, duration, percent, usd } from './units.js'

/** How a row without a tenant (or without a model) is labelled. */
export const NONE_LABEL = '(none)'

/**
 * The report as text: the rows per tenant, then per agent, per model and per day or hour, each
 * table with a total row.
 * @example
 * ```ts
 * process.stdout.write(formatReport(report))
 * ```
 */
export function formatReport(report: Report): string {
  const lines = [`Tracium report: ${report.file ?? '(rollups)'}`]
  const filters = describeFilters(report)
  if (filters) lines.push(`Filters: ${filters}`)
  lines.push('')
  if (report.total.traces === 0) {
    lines.push('No traces match.')
  } else {
    const sections: Array<[string, Array<[string, ReportStats]>]> = [
      ['tenant', report.tenants.map((r) => [r.tenantId ?? NONE_LABEL, r])],
      ['agent', report.agents.map((r) => [r.agentName, r])],
      ['model', report.models.map((r) => [r.modelId ?? NONE_LABEL, r])],
      [report.by, report.buckets.map((r) => [bucketLabel(r.start, report.by), r])],
    ]
    const blocks = sections.map(([label, rows]) =>
      statsTable(label, [...rows, ['(all)', report.total]]),
    )
    lines.push(blocks.join('\n\n'))
    lines.push(
      '',
      'ok: completed with 1xx-3xx (or not a request); 4xx: client errors, 401 and 403 of them',
      'apart; failed: 5xx, aborted, or a failed trace. error rate: failed / traces. Times: UTC.',
    )
  }
  if (report.skippedLines > 0) {
    lines.push(
      '',
      `${count(report.skippedLines)} unreadable line(s) skipped (torn by a crash, or a field ` +
        'of the wrong type).',
    )
  }
  return `${lines.join('\n')}\n`
}

const STATS_HEADER = [
  'traces',
  'ok',
  '4xx',
  '401',
  '403',
  'failed',
  'error rate',
  'p50',
  'p95',
  'input tokens',
  'output tokens',
  'cost (USD)',
]

function statsTable(label: string, rows: Array<[string, ReportStats]>): string {
  const body = rows.map(([name, s]) => [
    printable(name),
    count(s.traces),
    count(s.ok),
    count(s.clientErrors),
    count(s.unauthorized),
    count(s.forbidden),
    count(s.failed),
    percent(s.errorRate),
    duration(s.p50Ms),
    duration(s.p95Ms),
    count(s.inputTokens),
    count(s.outputTokens),
    usd(s.costUsd),
  ])
  return table([[label, ...STATS_HEADER], ...body], `l${'r'.repeat(STATS_HEADER.length)}`)
}

function bucketLabel(start: string, by: Report['by']): string {
  return by === 'day' ? start.slice(0, 10) : `${start.slice(0, 13)}:00Z`
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
    'http',
    'duration',
    'spans',
    'tokens in/out',
    'trace id',
  ]
  const body = rows.map((row) => [
    row.startedAt,
    printable(row.tenantId ?? NONE_LABEL),
    printable(row.agentName),
    row.status,
    row.httpStatus === null ? '-' : String(row.httpStatus),
    duration(row.durationMs),
    count(row.spans),
    `${count(row.inputTokens)}/${count(row.outputTokens)}`,
    printable(row.id),
  ])
  return `${table([header, ...body], 'lllllrrrl')}\n`
}

function describeFilters(report: Report): string {
  const { tenant, agent, model, status, since, until } = report.filters
  return [
    tenant !== undefined && `tenant=${tenant === null ? NONE_LABEL : printable(tenant)}`,
    agent !== undefined && `agent=${printable(agent)}`,
    model !== undefined && `model=${model === null ? NONE_LABEL : printable(model)}`,
    status !== undefined && `status=${status}`,
    since !== undefined && `since=${since}`,
    until !== undefined && `until=${until}`,
  ]
    .filter(Boolean)
    .join(' ')
}

/** Aligns columns: `align[i]` is `l` or `r` for column i. Trailing spaces are trimmed. */
export function table(rows: string[][], align: string): string {
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

// C0, DEL and C1 controls (ESC, CR, newlines, CSI…); one character class: linear.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g

/**
 * A stored string made safe for a terminal: control characters become `\u{…}` escapes.
 * @example
 * ```ts
 * printable('acme\u001b[2J') // 'acme\\u{1b}[2J'
 * ```
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)
}
