// `node perf-cell.js <framework> <cell> [<other cell>] [--baseline <checkout>] [--seconds 5]
// [--top 30]`: where one benchmark server's CPU time goes under load, in µs per request, from
// Linux `perf` (CPU-clock samples of the whole process: kernel, V8 and Node's C++, and JIT code
// by function, named through `--perf-prof`). With a second cell (from `--baseline`'s bench
// when given), each row also shows the difference, largest first: what one cell costs over the
// other (README.md, "CPU-time profiles"). The load sends X-Tenant-ID only, as run.js does for
// the header cells; a JWT cell then runs without its token.
//
// V8's own profiler (`run.js --profile`) samples wall-clock time, so on this 2-core machine a
// process that waits for the CPU is charged to whatever it ran last (`writev` grew with every
// slower cell). perf charges only CPU time, and to the kernel too.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { here, startServer } from './server-process.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '5' },
    top: { type: 'string', default: '30' },
    // A built checkout of an earlier commit: the second cell runs from its bench (run.js's
    // --baseline), so the same cell of two builds compares.
    baseline: { type: 'string' },
  },
})
const [framework, ...cells] = positionals
if (framework === undefined || cells.length < 1 || cells.length > 2) {
  console.error(
    'usage: node perf-cell.js <framework> <cell> [<other cell>] [--baseline <checkout>] [--seconds 5]',
  )
  process.exit(2)
}
if (spawnSync('perf', ['--version']).error) {
  console.error('perf-cell.js needs Linux perf: apt-get install -y linux-perf')
  process.exit(2)
}
const SECONDS = Number(values.seconds)
// Not a round number, so samples do not fall in step with timers that run at one.
const HZ = 2999

const profiles = []
for (const [i, cell] of cells.entries()) {
  const bench = i === 1 && values.baseline !== undefined ? resolve(values.baseline, 'bench') : here
  profiles.push(await profile(cell, bench))
}
print(profiles)

/** µs per request by `dso symbol`, for one cell's server under 50 connections of load. */
async function profile(cell, bench) {
  const dir = mkdtempSync(join(tmpdir(), 'tracium-perf-'))
  try {
    // --perf-prof writes jit-<pid>.dump into the working directory; `perf inject --jit` turns it
    // into symbols that stay right when V8 moves or reuses code (a perf map file does not).
    const server = await startServer(framework, cell, {
      bench,
      cwd: dir,
      execArgv: ['--perf-prof', '--interpreted-frames-native-stack'],
      env: { NODE_ENV: process.env.NODE_ENV ?? 'production' },
    })
    const load = (duration) =>
      autocannon({
        url: `http://127.0.0.1:${server.port}/bench`,
        connections: 50,
        duration,
        headers: { 'x-tenant-id': 'tenant-1' },
      })
    await load(2) // warm-up: JIT and caches settle before the samples
    const data = join(dir, 'perf.data')
    // -k 1: the monotonic clock the JIT dump's timestamps use.
    const pid = `${server.child.pid}`
    const record = ['record', '-k', '1', '-F', `${HZ}`, '-e', 'cpu-clock', '-p', pid]
    const perf = spawn('perf', [...record, '-o', data, '--', 'sleep', `${SECONDS}`], {
      stdio: 'ignore',
    })
    const [result] = await Promise.all([load(SECONDS), new Promise((r) => perf.on('exit', r))])
    await server.stop()
    // The load is run.js's header client. A rejected request costs less than a served one, so
    // a profile of rejections (a required tenant the header does not satisfy) would mislead.
    if (result.errors > 0 || result.non2xx > 0) {
      throw new Error(
        `${framework}/${cell}: ${result.errors} errors, ${result.non2xx} non-2xx responses`,
      )
    }
    run('perf', ['inject', '--jit', '-i', data, '-o', `${data}.jit`])
    const report = run('perf', [
      'report',
      '-i',
      `${data}.jit`,
      '--no-children',
      '--sort',
      'dso,sym',
      '-F',
      'sample,dso,sym',
      '--stdio',
    ])
    const requests = result.requests.total
    const name = bench === here ? cell : `baseline ${cell}`
    console.log(`${framework} ${name}: ${Math.round(result.requests.average)} req/s`)
    return { cell: name, perRequest: perRequestBySymbol(report, requests, dirname(bench)) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function run(command, args) {
  const out = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (out.status !== 0) throw new Error(`${command} ${args[0]} failed: ${out.stderr}`)
  return out.stdout
}

function perRequestBySymbol(report, requests, checkout) {
  const rows = new Map()
  for (const line of report.split('\n')) {
    // "   944  [kernel.kallsyms]  [k] _raw_spin_unlock_irqrestore"; JIT code sits in
    // jitted-<pid>-<n>.so files, one per function: named [JIT] so two processes compare.
    const match = /^\s*(\d+)\s+(\S+)\s+\[.\]\s+(.*)$/.exec(line)
    if (match === null) continue
    const dso = match[2].startsWith('jitted-') ? '[JIT]' : match[2]
    // Paths inside the checkout are shown from it, so a baseline's functions pair with ours
    // (their line numbers may still differ).
    const key = `${dso} ${match[3].trim().replaceAll(`file://${checkout}/`, '').replaceAll(`${checkout}/`, '')}`
    const us = (Number(match[1]) * 1e6) / HZ / requests
    rows.set(key, (rows.get(key) ?? 0) + us)
  }
  return rows
}

/** Kernel, JIT code (ours, the framework's, Node's JavaScript), and V8/Node's C++ and builtins. */
function categoryOf(key) {
  if (key.startsWith('[kernel')) return 'kernel'
  if (key.startsWith('[JIT]')) return 'JavaScript (JIT)'
  return 'V8 and Node (C++, builtins, GC)'
}

function print([a, b]) {
  const us = (profile, key) => profile?.perRequest.get(key) ?? 0
  const keys = new Set([...a.perRequest.keys(), ...(b?.perRequest.keys() ?? [])])
  const header = b ? `${a.cell} µs  ${b.cell} µs  difference` : `${a.cell} µs`
  const row = (x, y, name) =>
    b ? `${fmt(x)}  ${fmt(y)}  ${fmt(x - y, true)}  ${name}` : `${fmt(x)}  ${name}`
  const totals = new Map()
  for (const key of keys) {
    const category = categoryOf(key)
    const [x, y] = totals.get(category) ?? [0, 0]
    totals.set(category, [x + us(a, key), y + us(b, key)])
  }
  console.log(`\nCPU per request by kind (${header}):`)
  let all = [0, 0]
  for (const [category, [x, y]] of totals) {
    console.log(row(x, y, category))
    all = [all[0] + x, all[1] + y]
  }
  console.log(row(all[0], all[1], 'total'))
  const weight = b ? (k) => Math.abs(us(a, k) - us(b, k)) : (k) => us(a, k)
  const top = [...keys].sort((k1, k2) => weight(k2) - weight(k1)).slice(0, Number(values.top))
  console.log(`\nsymbols (${header}):`)
  for (const key of top) console.log(row(us(a, key), us(b, key), key.slice(0, 140)))
}

function fmt(value, signed = false) {
  return `${signed && value >= 0 ? '+' : ''}${value.toFixed(2)}`.padStart(7)
}
