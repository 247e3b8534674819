// `pnpm bench`: per-request overhead of each adapter, measured side by side with the bare
// framework, the AsyncLocalStorage floor and other context libraries, in interleaved rounds on
// 127.0.0.1. Modes: default (full), --quick (a few seconds per cell), --smoke (checks that every
// cell starts, answers correctly and can be measured; run by `pnpm test`). See README.md.
import { createHmac } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { JWT_SECRET } from './apps/shared.js'
import { startOtlpSink } from './otlp-sink.js'
import { expectTenantAnswer, here, startServer as startProcess } from './server-process.js'
import { median } from './stats.js'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    smoke: { type: 'boolean' },
    frameworks: { type: 'string' },
    cells: { type: 'string' },
    'no-soak': { type: 'boolean' },
    profile: { type: 'boolean' },
    // Most apps are benchmarked without NODE_ENV=production (Express then runs in
    // 'development'), so the adapters' cost is measured in both modes (issue 9).
    'node-env': { type: 'string', default: 'production' },
    // More rounds narrow a ratio; a run with other than the mode's rounds is a partial run.
    rounds: { type: 'string' },
    // A built checkout of an earlier commit: its header and trace cells run in the same rounds,
    // so "no regression" is a ratio measured side by side, not one from another run (issue 10).
    baseline: { type: 'string' },
  },
})
const NODE_ENV = args['node-env']
const MODE = args.smoke ? 'smoke' : args.quick ? 'quick' : 'full'
const SETTINGS = {
  full: { duration: 3, warmup: 1, rounds: 5, soak: 200_000, connections: 50 },
  quick: { duration: 2, warmup: 0.5, rounds: 2, soak: 20_000, connections: 50 },
  smoke: { duration: 0.3, warmup: 0, rounds: 1, soak: 2_000, connections: 8 },
}[MODE]
if (args.rounds !== undefined) SETTINGS.rounds = Math.max(1, Number.parseInt(args.rounds, 10) || 1)

/** Each framework's cells: [cell name, server variant, client kind, bench folder]. */
const FRAMEWORKS = {
  express: ['express-http-context', 'cls-rtracer'],
  fastify: ['fastify-request-context', 'cls-rtracer'],
  koa: ['cls-rtracer'],
  'nest-express': ['nestjs-cls'],
  'nest-fastify': ['nestjs-cls'],
}
// Cells of one framework that are neither anchors nor targets: what an app can change itself.
// `tracium-header-shared-classes`: the header middleware on the server of the Express README's
// "Faster requests on Express 5" (Express's prototypes from the start).
const EXTRA_CELLS = { express: ['tracium-header-shared-classes'] }
const onlyCells = args.cells?.split(',')
const cellsOf = (framework) =>
  allCells(FRAMEWORKS[framework], EXTRA_CELLS[framework] ?? []).filter(
    ([name]) => onlyCells === undefined || onlyCells.includes(name),
  )
const baselineBench = args.baseline === undefined ? null : resolve(args.baseline, 'bench')
const allCells = (anchors, extras) => [
  ['bare', 'bare', 'header'],
  ['floor', 'floor', 'header'],
  ['tracium-header', 'tracium-header', 'header'],
  ...extras.map((extra) => [extra, extra, 'header']),
  ['tracium-jwt-cached', 'tracium-jwt', 'jwt-one'],
  ['tracium-jwt-fresh', 'tracium-jwt', 'jwt-fresh'],
  ...anchors.map((anchor) => [anchor, anchor, 'header']),
  ['tracium-trace', 'tracium-trace', 'header'],
  ['tracium-otlp', 'tracium-otlp', 'header'],
  ['otel-http', 'otel-http', 'header'],
  ...(baselineBench === null
    ? []
    : [
        ['baseline-header', 'tracium-header', 'header', baselineBench],
        ['baseline-trace', 'tracium-trace', 'header', baselineBench],
      ]),
]
// Both OTLP cells export to this sink (in this process, so its cost is not the server's).
const otlpSink = await startOtlpSink()

const frameworks = args.frameworks ? args.frameworks.split(',') : Object.keys(FRAMEWORKS)
const now = Math.floor(Date.now() / 1000)
const oneToken = hs256({ tenant_id: 'tenant-1', exp: now + 3600 })
// Enough distinct tokens that a fresh-token run never reuses one within the cache's reach.
const freshTokens = Array.from({ length: MODE === 'smoke' ? 2_000 : 300_000 }, (_, i) =>
  hs256({ tenant_id: `tenant-${i % 1000}`, exp: now + 3600, jti: i }),
)

const results = {}
const started = Date.now()
for (const framework of frameworks) {
  const cells = cellsOf(framework)
  results[framework] = Object.fromEntries(cells.map(([name]) => [name, []]))
  for (let round = 0; round < SETTINGS.rounds; round++) {
    // Interleave: each round starts one cell later, so no cell always runs first or last.
    const order = cells.map((_, i) => cells[(i + round) % cells.length])
    for (const [name, variant, client, bench = here] of order) {
      const sample = await measure(framework, variant, client, bench)
      results[framework][name].push(sample)
      log(
        `${framework} ${name} round ${round + 1}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms, ${sample.cpuPerRequest.toFixed(1)} µs CPU/req${sample.exported ? `, exported: ${sample.exported.delivered} of ${sample.exported.ended} delivered` : ''}`,
      )
    }
  }
}

otlpSink.close()
const soak = args['no-soak'] ? {} : await soakAll(frameworks)
const report = render(results, soak)
if (MODE === 'smoke') {
  // Smoke numbers come from 0.3 s runs and mean nothing: no table, so nobody quotes one.
  log(`smoke run passed: ${Object.keys(results).length} frameworks, every cell answered correctly`)
} else if (MODE === 'quick' || args.frameworks || args.cells || args.rounds) {
  // Only a complete full run is a result; partial and quick runs never overwrite one.
  console.log(report)
} else {
  const suffix = NODE_ENV === 'production' ? '' : `-NODE_ENV-${NODE_ENV}`
  const file = join(here, 'results', `${process.version}${suffix}.md`)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, report)
  log(`wrote ${file}`)
  console.log(report)
}

/**
 * One measurement: a fresh server process (`bench`'s server.js), a correctness check, warm-up,
 * then the timed run.
 */
async function measure(framework, variant, client, bench) {
  const server = await startServer(framework, variant, bench)
  // A baseline's server may predate the 'exported' question: only ours is asked.
  const exported = async () => (bench === here ? (await server.ask('exported')).exported : null)
  try {
    await checkAnswer(server.port, client)
    const run = (duration) =>
      autocannon({
        url: `http://127.0.0.1:${server.port}/bench`,
        connections: SETTINGS.connections,
        duration,
        ...requestsFor(client),
      })
    if (SETTINGS.warmup > 0) await run(SETTINGS.warmup)
    // Exporting cells flush inside the timed window, so the run's own spans are all sent (and
    // their export CPU counted) and the warm-up's are not: the first ask closes the warm-up's
    // window of counts, the second the run's.
    await exported()
    const cpuBefore = await server.ask('cpu')
    const result = await run(SETTINGS.duration)
    const exportedAfter = await exported()
    const cpuAfter = await server.ask('cpu')
    if (result.errors > 0 || result.non2xx > 0 || result.requests.total === 0) {
      throw new Error(`${framework}/${variant}: ${result.errors} errors, ${result.non2xx} non-2xx`)
    }
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      cpuPerRequest: (cpuAfter.cpuMicros - cpuBefore.cpuMicros) / result.requests.total,
      ...(exportedAfter && { exported: exportedOf(framework, variant, exportedAfter) }),
    }
  } finally {
    server.stop()
  }
}

/** What the timed run exported (spans; traces for the local store): ended, delivered, and
 * dropped (queue full) or failed. */
function exportedOf(framework, variant, { ended, delivered }) {
  if (ended === 0) throw new Error(`${framework}/${variant}: nothing ended during the run`)
  return { ended, delivered, dropped: ended - delivered }
}

function requestsFor(client) {
  if (client === 'header') return { headers: { 'x-tenant-id': 'tenant-1' } }
  if (client === 'jwt-one') return { headers: { authorization: `Bearer ${oneToken}` } }
  let next = 0
  return {
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: {
            ...req.headers,
            authorization: `Bearer ${freshTokens[next++ % freshTokens.length]}`,
          },
        }),
      },
    ],
  }
}

/** Every cell must answer with its tenant before it is timed: a broken app is not a fast one. */
async function checkAnswer(port, client) {
  const headers =
    client === 'header'
      ? { 'x-tenant-id': 'tenant-1' }
      : { authorization: `Bearer ${client === 'jwt-one' ? oneToken : freshTokens[0]}` }
  await expectTenantAnswer(port, headers, client === 'jwt-fresh' ? 'tenant-0' : 'tenant-1')
}

function startServer(framework, variant, bench = here) {
  return startProcess(framework, variant, {
    bench,
    // --profile: a V8 CPU profile per server process in bench/profiles (see README).
    execArgv: [
      '--expose-gc',
      ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'profiles')}`] : []),
    ],
    env: { NODE_ENV, BENCH_OTLP_SINK: otlpSink.url },
  })
}

/** 200,000 requests over 1,000 tenants through each adapter: heap after GC, before and after. */
async function soakAll(names) {
  const out = {}
  for (const framework of names) {
    const server = await startServer(framework, 'tracium-header')
    try {
      let i = 0
      const run = (amount) =>
        autocannon({
          url: `http://127.0.0.1:${server.port}/bench`,
          connections: SETTINGS.connections,
          amount,
          requests: [
            {
              setupRequest: (req) => ({
                ...req,
                headers: { 'x-tenant-id': `tenant-${i++ % 1000}` },
              }),
            },
          ],
        })
      await run(Math.max(1000, SETTINGS.soak / 10)) // warm-up: JIT, pools, caches
      const { heapUsed: before } = await server.ask('heap')
      const result = await run(SETTINGS.soak)
      const { heapUsed: after } = await server.ask('heap')
      if (result.errors > 0 || result.non2xx > 0) throw new Error(`${framework} soak: errors`)
      out[framework] = { before, after, requests: result.requests.total }
      log(`${framework} soak: ${mb(before)} → ${mb(after)} MB`)
    } finally {
      server.stop()
    }
  }
  return out
}

function render(all, soakResults) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const lines = [
    `# Benchmark results: Node ${process.version}`,
    '',
    `- machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    `- server processes: NODE_ENV=${NODE_ENV}`,
    `- mode: ${MODE}: ${SETTINGS.rounds} interleaved rounds × ${SETTINGS.duration} s per cell (after ${SETTINGS.warmup} s warm-up), ${SETTINGS.connections} connections, autocannon on 127.0.0.1; req/s, p99 and CPU are medians of the rounds, ratios medians of the rounds' ratios`,
    `- date: ${new Date().toISOString()}; run took ${Math.round((Date.now() - started) / 1000)} s`,
    '',
  ]
  const targets = []
  for (const [framework, cells] of Object.entries(all)) {
    const rps = Object.fromEntries(
      Object.entries(cells).map(([k, v]) => [k, median(v.map((s) => s.rps))]),
    )
    const p99 = Object.fromEntries(
      Object.entries(cells).map(([k, v]) => [k, median(v.map((s) => s.p99))]),
    )
    const cpuMicros = Object.fromEntries(
      Object.entries(cells).map(([k, v]) => [k, median(v.map((s) => s.cpuPerRequest))]),
    )
    lines.push(
      `## ${framework}`,
      '',
      '| cell | req/s | p99 ms | vs bare | vs floor | server CPU µs/req | CPU over floor, µs |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    )
    // A ratio is the median of the rounds' ratios: a cell and its base ran in the same round,
    // seconds apart, so a change of the shared machine's speed between rounds cancels out (a
    // run of this session: Fastify's floor at 11,000 req/s in two rounds, 15,500 in the next
    // three; the ratio of the medians then paired cells from different speeds).
    const rpsRatio = (cell, base) => pairedRatio(cells[cell], cells[base])
    for (const name of Object.keys(cells)) {
      const overFloor =
        cpuMicros.floor === undefined ? '-' : (cpuMicros[name] - cpuMicros.floor).toFixed(1)
      lines.push(
        `| ${name} | ${Math.round(rps[name])} | ${p99[name]} | ${ratio(rpsRatio(name, 'bare'))} | ${ratio(rpsRatio(name, 'floor'))} | ${cpuMicros[name].toFixed(1)} | ${overFloor} |`,
      )
    }
    lines.push('')
    // What each exporting cell's timed runs exported, summed over the rounds (spans for OTLP,
    // traces for the local store).
    const exporting = Object.entries(cells).filter(([, v]) => v.some((s) => s.exported))
    if (exporting.length > 0) {
      lines.push('| cell | ended | delivered | dropped or failed |', '| --- | ---: | ---: | ---: |')
      for (const [name, samples] of exporting) {
        const sum = (key) => samples.reduce((n, s) => n + (s.exported?.[key] ?? 0), 0)
        const ended = sum('ended')
        const lost = `${sum('dropped')} (${((100 * sum('dropped')) / ended).toFixed(1)}%)`
        lines.push(`| ${name} | ${ended} | ${sum('delivered')} | ${lost} |`)
      }
      lines.push('')
    }
    const check = (cell, base, target) => {
      const rounds = roundRatios(cells[cell], cells[base])
      if (rounds !== undefined)
        targets.push([framework, `${cell} / ${base}`, median(rounds), target, rounds])
    }
    check('tracium-header', 'floor', 0.97)
    for (const anchor of FRAMEWORKS[framework]) check('tracium-header', anchor, 1.0)
    check('tracium-jwt-cached', 'tracium-header', 0.95)
    check('tracium-trace', 'tracium-header', 0.85)
    check('tracium-otlp', 'otel-http', 1.0)
    // No regression: trace / header now over trace / header of the baseline, round by round.
    const ours = roundRatios(cells['tracium-trace'], cells['tracium-header'])
    const theirs = roundRatios(cells['baseline-trace'], cells['baseline-header'])
    if (ours !== undefined && theirs !== undefined) {
      const rounds = ours.map((r, round) => r / theirs[round])
      const what = '(tracium-trace / tracium-header) / (baseline-trace / baseline-header)'
      targets.push([framework, what, median(rounds), 1.0, rounds])
    }
    if (rps['tracium-jwt-fresh']) {
      lines.push(
        `JWT verifications per second with a fresh token per request: ${Math.round(rps['tracium-jwt-fresh'])}.`,
        '',
      )
    }
  }
  lines.push(
    '## Targets',
    '',
    '| framework | ratio | measured | rounds, lowest–highest | target | |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  )
  // The rounds' spread says how far one run can be trusted on this machine.
  for (const [framework, what, value, target, rounds] of targets) {
    const spread = `${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)}`
    lines.push(
      `| ${framework} | ${what} | ${value.toFixed(3)} | ${spread} | ≥ ${target.toFixed(2)} | ${value >= target ? 'met' : '**missed**'} |`,
    )
  }
  if (Object.keys(soakResults).length > 0) {
    lines.push(
      '',
      '## Memory soak (tracium-header, 1,000 tenants)',
      '',
      '| framework | requests | heap after warm-up, MB | heap after soak, MB | growth, MB | target ≤ 5 MB |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
    )
    for (const [framework, { before, after, requests }] of Object.entries(soakResults)) {
      const growth = (after - before) / 2 ** 20
      lines.push(
        `| ${framework} | ${requests} | ${mb(before)} | ${mb(after)} | ${growth.toFixed(2)} | ${growth <= 5 ? 'met' : '**missed**'} |`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}

/** The median over rounds of `a`'s req/s over `b`'s in the same round; `undefined` without both. */
function pairedRatio(a, b) {
  const rounds = roundRatios(a, b)
  return rounds === undefined ? undefined : median(rounds)
}

/** `a`'s req/s over `b`'s, round by round; `undefined` without both. */
function roundRatios(a, b) {
  if (!a?.length || !b?.length) return undefined
  return a.map((sample, round) => sample.rps / b[round].rps)
}

function ratio(value) {
  return value === undefined ? '-' : `${value.toFixed(3)}x`
}

function mb(bytes) {
  return (bytes / 2 ** 20).toFixed(1)
}

function hs256(payload) {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  const signature = createHmac('sha256', JWT_SECRET).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${signature}`
}

function log(message) {
  process.stderr.write(`[bench] ${message}\n`)
}
