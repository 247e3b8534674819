#!/usr/bin/env node
/**
 * The `tracium` command: reads the local store and prints a report (per tenant, agent, model
 * and day or hour), the most recent traces, or one trace. Streaming and bounded in memory (see
 * report/histogram.ts for the p50/p95 precision).
 */
import { parseArgs } from 'node:util'
import {
  buildReport,
  REPORT_SORTS,
  type ReportBucket,
  type ReportSort,
} from './report/build-report.js'
import { formatCsv } from './report/csv.js'
import { parseSince, type TraceFilters } from './report/filters.js'
import { formatReport, formatTraces } from './report/format.js'
import { readSegmentsNewestFirst, readStoreRollup } from './report/read-store.js'
import { recentStoreTraces } from './report/recent.js'
import { STATUS_CLASSES, type StatusClass } from './report/rollup.js'
import { findTrace, formatTrace } from './report/trace-view.js'
import { hasStore } from './store/segments.js'
import { storeDir } from './store-path.js'
import { runUi } from './ui/command.js'
import { SDK_VERSION } from './version.js'

const USAGE = `Usage: tracium <command> [options]

Commands:
  report       traces, ok / client errors (401, 403) / failed, error rate, p50/p95 duration,
               tokens and cost: per tenant, per agent, per model and per day (or hour)
  traces       the most recent traces, newest first
  trace <id>   one trace: its spans as a tree with status, duration, tokens and cost
  ui           a local dashboard in the browser: tenants, over time, one tenant, one trace

Filters (report and traces):
  --tenant <id>      only this tenant; --tenant '' or --no-tenant: only traces without one
  --no-tenant        only traces without a tenant
  --agent <name>     only this agent (request traces: the route, e.g. users-id; unmatched)
  --model <id>       only this model; --model '': only traces without a model
  --status <class>   ok, client-error or failed
  --since <when>     only traces started at or after: 30m, 12h, 7d, 2w, now, or a date/time
  --until <when>     only traces started before (same forms)

Options:
  --dir <dir>        store directory (default: $TRACIUM_DIR, else .tracium)
  --format <f>       table (default), json, or csv (report only)
  --json             the same as --format json
  --by <bucket>      report: day (default) or hour, in UTC
  --sort <key>       report: traces (default), failed, error-rate, client-errors, p50, p95,
                     tokens, cost (most first), or name
  --limit <n>        traces: how many (default: 20)
  -h, --help         this help
  -v, --version      the version

Dashboard (ui, read-only):
  --port <n>         port (default: 4319; 0 picks a free one)
  --host <addr>      address to listen on (default: 127.0.0.1, only this machine)

p50/p95 come from a log histogram and are within 1% of the exact values.
Exit codes: 0; 1 no store, or no trace with that id; 2 a usage error.
`

/** A mistake on the command line: exit code 2 and the usage. */
class UsageError extends Error {}

type Values = ReturnType<typeof parseCommandLine>['values']

const COMMANDS = ['report', 'traces', 'trace'] as const
type Command = (typeof COMMANDS)[number]

// Which options a command takes beyond --dir/--format/--json: any other is a usage error, not
// silently ignored (`tracium traces --by hour` must not look like it worked).
const FILTERS = ['tenant', 'no-tenant', 'agent', 'model', 'status', 'since', 'until'] as const
const COMMAND_OPTIONS: Record<Command, readonly string[]> = {
  report: [...FILTERS, 'by', 'sort'],
  traces: [...FILTERS, 'limit'],
  trace: [],
}
const FORMATS: Record<Command, readonly string[]> = {
  report: ['table', 'json', 'csv'],
  traces: ['table', 'json'],
  trace: ['table', 'json'],
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv)
  if (values.version) {
    process.stdout.write(`${SDK_VERSION}\n`)
    return 0
  }
  const command = positionals[0]
  if (values.help || command === undefined) {
    process.stdout.write(USAGE)
    return values.help ? 0 : 2
  }
  if (command === 'ui') return serveUi(values, positionals[1])
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}" (commands: ${COMMANDS.join(', ')})`)
  }
  const cmd = command as Command
  const id = cmd === 'trace' ? positionals[1] : undefined
  if (cmd === 'trace' && (id === undefined || id === '')) {
    throw new UsageError('trace takes a trace id: tracium trace <id>')
  }
  const extra = positionals[cmd === 'trace' ? 2 : 1]
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`)

  // Every option is checked before the store is touched: a typo is a usage error (exit 2).
  for (const name of Object.keys(values)) {
    if (['dir', 'format', 'json', 'help', 'version'].includes(name)) continue
    if (!COMMAND_OPTIONS[cmd].includes(name)) {
      throw new UsageError(`--${name} does not apply to "${cmd}"`)
    }
  }
  const format = formatFrom(values, cmd)
  const filters = filtersFrom(values, new Date())
  const by = choice<ReportBucket>('--by', values.by, ['day', 'hour']) ?? 'day'
  const sort = choice<ReportSort>('--sort', values.sort, REPORT_SORTS) ?? 'traces'
  const limit = limitFrom(values.limit)
  const store = values.dir === undefined ? {} : { dir: values.dir }
  const file = storeDir(store.dir)
  if (!hasStore(file)) {
    process.stderr.write(
      `tracium: no local store at ${file}. Traces are written there by @tracium/sdk ` +
        'when it has no API key; pass --dir or set TRACIUM_DIR to read another one.\n',
    )
    return 1
  }
  if (cmd === 'report') {
    // Rollup sidecars (and the day cache, by day) plus the lines no sidecar covers
    // (report/read-store.ts): the same report as over every line.
    const { rollup, dir, skippedLines } = await readStoreRollup({ ...store, by }, filters)
    const report = buildReport(rollup.cells(), filters, { by, sort, file: dir, skippedLines })
    process.stdout.write(
      format === 'json'
        ? json(report)
        : format === 'csv'
          ? formatCsv(report)
          : formatReport(report),
    )
  } else if (cmd === 'traces') {
    const rows = await recentStoreTraces(readSegmentsNewestFirst(store, filters), filters, limit)
    process.stdout.write(format === 'json' ? json(rows) : formatTraces(rows))
  } else {
    const trace = await findTrace(readSegmentsNewestFirst(store), id!)
    if (trace === null) {
      process.stderr.write(`tracium: no trace with id "${id}" in ${file}.\n`)
      return 1
    }
    process.stdout.write(format === 'json' ? json(trace) : formatTrace(trace))
  }
  return 0
}

// `tracium ui`: the page has its own filters, so only --dir, --port and --host apply.
function serveUi(values: Values, extra: string | undefined): Promise<number> {
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`)
  for (const name of Object.keys(values)) {
    if (!['dir', 'port', 'host'].includes(name)) {
      throw new UsageError(`--${name} does not apply to "ui" (the page has its own filters)`)
    }
  }
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isSafeInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`--port takes 0-65535, got "${values.port}"`)
  }
  return runUi({ dir: values.dir, port, host: values.host })
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        dir: { type: 'string' },
        tenant: { type: 'string' },
        'no-tenant': { type: 'boolean' },
        agent: { type: 'string' },
        model: { type: 'string' },
        status: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        by: { type: 'string' },
        sort: { type: 'string' },
        format: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

function formatFrom(values: Values, command: Command): string {
  const format = choice('--format', values.format, FORMATS[command]) ?? 'table'
  if (values.json && format !== 'json' && values.format !== undefined) {
    throw new UsageError(`--json and --format ${format} disagree; give one`)
  }
  return values.json ? 'json' : format
}

function choice<T extends string>(
  flag: string,
  text: string | undefined,
  allowed: readonly string[],
): T | undefined {
  if (text === undefined) return undefined
  if (!allowed.includes(text)) {
    throw new UsageError(`${flag} takes ${allowed.join(', ')}, got "${text}"`)
  }
  return text as T
}

function filtersFrom(values: Values, now: Date): TraceFilters {
  const filters: TraceFilters = {}
  if (values['no-tenant'] && values.tenant !== undefined && values.tenant !== '') {
    throw new UsageError('--tenant and --no-tenant disagree; give one')
  }
  // A tenant id is never empty (S6), so '' can only mean "no tenant".
  if (values['no-tenant'] || values.tenant === '') filters.tenant = null
  else if (values.tenant !== undefined) filters.tenant = values.tenant
  if (values.agent !== undefined) filters.agent = values.agent
  if (values.model !== undefined) filters.model = values.model === '' ? null : values.model
  const status = choice<StatusClass>('--status', values.status, STATUS_CLASSES)
  if (status !== undefined) filters.status = status
  for (const flag of ['since', 'until'] as const) {
    const text = values[flag]
    if (text === undefined) continue
    const at = parseSince(text, now)
    if (at === null) {
      throw new UsageError(`--${flag} takes 30m, 12h, 7d, 2w, now or a date, got "${text}"`)
    }
    filters[flag] = at
  }
  if (
    filters.since !== undefined &&
    filters.until !== undefined &&
    filters.since >= filters.until
  ) {
    throw new UsageError(`--since (${filters.since}) must be before --until (${filters.until})`)
  }
  return filters
}

function limitFrom(text: string | undefined): number {
  if (text === undefined) return 20
  const limit = Number(text)
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`--limit takes a positive integer, got "${text}"`)
  }
  return limit
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`tracium: ${error.message}\n\n${USAGE}`)
      process.exitCode = 2
    } else {
      process.stderr.write(`tracium: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 1
    }
  },
)
