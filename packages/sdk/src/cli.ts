#!/usr/bin/env node
/**
 * The `tracium` command: reads the local store and prints a per-tenant report or recent traces.
 * Streaming and bounded in memory (see report/histogram.ts for the p50/p95 precision).
 */
import { stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { buildReport, rollupTraces } from './report/build-report.js'
import { parseSince, type TraceFilters } from './report/filters.js'
import { formatReport, formatTraces } from './report/format.js'
import { readTraceSummaries, readTraces } from './report/read-store.js'
import { recentTraces } from './report/recent.js'
import { storeFile } from './store-path.js'
import { runUi } from './ui/command.js'
import { SDK_VERSION } from './version.js'

const USAGE = `Usage: tracium <command> [options]

Commands:
  report   per-tenant traces, failures, error rate, p50/p95 duration, tokens and cost
  traces   the most recent traces, newest first
  ui       a local dashboard in the browser (tenants, over time, one tenant, one trace)

Options:
  --dir <dir>      store directory (default: $TRACIUM_DIR, else .tracium)
  --tenant <id>    only this tenant
  --agent <name>   only this agent
  --since <when>   only traces started since: 30m, 12h, 7d, 2w, or a date/time
  --limit <n>      traces: how many (default: 20)
  --json           machine-readable output
  --port <n>       ui: port (default: 4319; 0 picks a free one)
  --host <addr>    ui: address to listen on (default: 127.0.0.1, only this machine)
  -h, --help       this help
  -v, --version    the version

p50/p95 come from a log histogram and are within 1% of the exact values.
`

/** A mistake on the command line: exit code 2 and the usage. */
class UsageError extends Error {}

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
  if (command === 'ui') return serveUi(values)
  if (command !== 'report' && command !== 'traces') {
    throw new UsageError(`unknown command "${command}"`)
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`)

  // Every option is checked before the store is touched: a typo is a usage error (exit 2).
  const filters = filtersFrom(values)
  const limit = limitFrom(values.limit)
  const store = values.dir === undefined ? {} : { dir: values.dir }
  const file = storeFile(store.dir)
  if (!(await exists(file))) {
    process.stderr.write(
      `tracium: no local store at ${file}. Traces are written there by @tracium/sdk ` +
        'when it has no API key; pass --dir or set TRACIUM_DIR to read another one.\n',
    )
    return 1
  }
  if (command === 'report') {
    const reader = readTraceSummaries(store)
    const rollup = await rollupTraces(reader, filters)
    const report = buildReport(rollup.cells(), filters, {
      file: reader.file,
      skippedLines: reader.skippedLines,
    })
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
    )
  } else {
    const rows = await recentTraces(readTraces(store), filters, limit)
    process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatTraces(rows))
  }
  return 0
}

function serveUi(values: { dir?: string; port?: string; host?: string }): Promise<number> {
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isSafeInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`--port takes 0-65535, got "${values.port}"`)
  }
  return runUi({ dir: values.dir, port, host: values.host })
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
        agent: { type: 'string' },
        since: { type: 'string' },
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

function filtersFrom(values: { tenant?: string; agent?: string; since?: string }): TraceFilters {
  const filters: TraceFilters = {}
  if (values.tenant !== undefined) filters.tenant = values.tenant
  if (values.agent !== undefined) filters.agent = values.agent
  if (values.since !== undefined) {
    const since = parseSince(values.since, new Date())
    if (since === null) {
      throw new UsageError(`--since takes 30m, 12h, 7d, 2w or a date, got "${values.since}"`)
    }
    filters.since = since
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

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
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
