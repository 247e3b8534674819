// `node paired.js <framework> <cell> <other cell> [--baseline <checkout>] [--pairs 16]
// [--seconds 3]`: what one cell's server costs per request against another's, in CPU time,
// precisely enough to settle differences of 1–2%, which run.js's rounds cannot here
// (README.md, "Settling small differences").
//
// Two facts of this machine shape it. A server process keeps the speed it started with, within
// ±10% of another process of the same code, for its whole life: so one process per cell, however
// long it runs, measures that process, and only many fresh pairs measure the code. And the
// machine's speed drifts by 20–30% over seconds: so the two servers of a pair are loaded at the
// same time, each by its own 25 connections, and are compared by CPU time per request, which
// both pay at the same speed whatever share of the cores each gets. The pair's first-started
// server pays more, by 0–15% depending on the framework (where the scheduler puts it, likely);
// so every other pair starts the other cell first, and each couple of pairs counts as one.
// The load sends X-Tenant-ID, as run.js does for the header cells.
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { expectTenantAnswer, here, startServer } from './server-process.js'
import { quantile } from './stats.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    pairs: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '3' },
    // A built checkout of an earlier commit: the second cell runs from its bench.
    baseline: { type: 'string' },
  },
})
const [framework, ...cells] = positionals
// Rounded up to even: pairs are taken in couples, one started each way round.
const PAIRS = Math.ceil(Number.parseInt(values.pairs, 10) / 2) * 2
const SECONDS = Number(values.seconds)
if (cells.length !== 2 || !(PAIRS >= 2) || !(SECONDS > 0)) {
  console.error(
    'usage: node paired.js <framework> <cell> <other cell> [--baseline <checkout>] [--pairs 16] [--seconds 3]',
  )
  process.exit(2)
}
const [cellA, cellB] = cells
const TENANT = { 'x-tenant-id': 'tenant-1' }
const benchB = values.baseline === undefined ? here : resolve(values.baseline, 'bench')
const nameB = benchB === here ? cellB : `baseline ${cellB}`

const ratios = []
for (let pair = 0; pair < PAIRS; pair++) {
  const aFirst = pair % 2 === 0
  const [a, b] = await startPair(aFirst)
  try {
    await Promise.all([a, b].map((server) => expectTenantAnswer(server.port, TENANT, 'tenant-1')))
    await Promise.all([load(a, 1), load(b, 1)]) // warm-up: JIT and caches settle
    const [costA, costB] = await Promise.all([cpuPerRequest(a), cpuPerRequest(b)])
    ratios.push(costA / costB)
    console.error(
      `pair ${pair + 1}${aFirst ? '' : ` (${nameB} started first)`}: ${cellA} ${costA.toFixed(1)} µs, ${nameB} ${costB.toFixed(1)} µs, ratio ${(costA / costB).toFixed(3)}`,
    )
  } finally {
    // Gone before the next pair starts, so no pair shares the cores with the last one's exit.
    await Promise.all([a.stop(), b.stop()])
  }
}
// A couple of pairs, one started each way round: the geometric mean of their ratios has the
// start-order bias divided out; the median over couples is the result.
const couples = []
const bias = []
for (let i = 0; i + 1 < ratios.length; i += 2) {
  couples.push(Math.sqrt(ratios[i] * ratios[i + 1]))
  bias.push(Math.sqrt(ratios[i] / ratios[i + 1]))
}
const sorted = couples.toSorted((x, y) => x - y)
console.log(
  `${framework}: ${cellA} / ${nameB}, server CPU per request, ${couples.length} couples of pairs: median ${quantile(sorted, 0.5).toFixed(3)}, quartiles ${quantile(sorted, 0.25).toFixed(3)}–${quantile(sorted, 0.75).toFixed(3)}; the first-started server paid ${quantile(
    bias.toSorted((x, y) => x - y),
    0.5,
  ).toFixed(3)}x`,
)

async function startPair(aFirst) {
  const startA = () => startServer(framework, cellA)
  const startB = () => startServer(framework, cellB, { bench: benchB })
  if (aFirst) {
    const a = await startA()
    return [a, await startB()]
  }
  const b = await startB()
  return [await startA(), b]
}

function load(server, duration) {
  return autocannon({
    url: `http://127.0.0.1:${server.port}/bench`,
    connections: 25,
    duration,
    headers: TENANT,
  })
}

/** Loads `server` for the run and returns its CPU time (user + system) per request, in µs. */
async function cpuPerRequest(server) {
  const before = await server.ask('cpu')
  const result = await load(server, SECONDS)
  const after = await server.ask('cpu')
  if (result.errors > 0 || result.non2xx > 0 || result.requests.total === 0) {
    throw new Error(`${framework}: ${result.errors} errors, ${result.non2xx} non-2xx responses`)
  }
  return (after.cpuMicros - before.cpuMicros) / result.requests.total
}
