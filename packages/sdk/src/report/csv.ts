/**
 * `tracium report --format csv`: one row per tenant, agent, model and time bucket plus the
 * total, in one table (a `group` column says which), ready for a spreadsheet.
 *
 * Cells are RFC 4180: a cell holding `,`, `"`, CR or LF is quoted, quotes doubled. Names come
 * from the store (tenant ids, agent and model names are the app's data), and a spreadsheet runs
 * a cell that starts with `=`, `+`, `-`, `@`, TAB or CR as a formula (CSV injection, see OWASP
 * "CSV Injection"), so such a text cell gets a leading `'`, which spreadsheets show as text.
 * Numbers are written as numbers and are never negative.
 */
import type { Report, ReportStats } from './build-report.js'

const COLUMNS = [
  'group',
  'name',
  'traces',
  'ok',
  'client_errors',
  'unauthorized',
  'forbidden',
  'failed',
  'error_rate',
  'p50_ms',
  'p95_ms',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cost_usd',
]

/**
 * The report as CSV (CRLF line ends, as RFC 4180 says). A row without a tenant or model has an
 * empty `name`; an unknown p50/p95 or cost is an empty cell.
 * @example
 * ```ts
 * process.stdout.write(formatCsv(report))
 * ```
 */
export function formatCsv(report: Report): string {
  const rows: string[][] = [COLUMNS]
  const add = (group: string, name: string | null, s: ReportStats) =>
    rows.push([
      group,
      textCell(name ?? ''),
      ...[s.traces, s.ok, s.clientErrors, s.unauthorized, s.forbidden, s.failed].map(String),
      String(s.errorRate),
      numberCell(s.p50Ms),
      numberCell(s.p95Ms),
      String(s.inputTokens),
      String(s.outputTokens),
      String(s.cachedInputTokens),
      numberCell(s.costUsd),
    ])
  add('total', null, report.total)
  for (const r of report.tenants) add('tenant', r.tenantId, r)
  for (const r of report.agents) add('agent', r.agentName, r)
  for (const r of report.models) add('model', r.modelId, r)
  for (const r of report.buckets) add(report.by, r.start, r)
  return rows.map((row) => `${row.join(',')}\r\n`).join('')
}

// A formula trigger at the start of a cell (OWASP's list): = + - @ TAB CR.
const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

/**
 * One text cell: neutralised when a spreadsheet would read it as a formula, quoted when needed.
 * @example
 * ```ts
 * textCell('=HYPERLINK("http://x")') // `"'=HYPERLINK(""http://x"")"`
 * ```
 */
export function textCell(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

function numberCell(value: number | null): string {
  return value === null ? '' : String(value)
}
