#!/usr/bin/env node
/**
 * Benchmark of `tracium report` on a large segmented local store, beside DuckDB's `read_json`
 * on the same files. Not a test: run it by hand after a build (README: "Report benchmark").
 *
 *   cd packages/sdk && npx tsdown
 *   node bench/report.bench.mjs                 # 1,000,000 then 10,000,000 traces
 *   node bench/report.bench.mjs --traces=1000000 --no-duckdb --keep
 *   node bench/report.bench.mjs --smoke         # 20,000 traces, seconds (the test suite runs it)
 *
 * 1. Makes one real trace with the built SDK (2 spans, tokens, cost) and writes copies of it
 *    through the real writer (`localStore()`: segments, rotation, rollup sidecars), varied in
 *    id, tenant (20), agent (4), model (2), status (3 % failed, 2 % answered 4xx), duration and
 *    tokens, one trace every 60 ms of start time (10M traces span ~7 days). The store grows to
 *    each size in turn; each size is measured on the same store.
 * 2. Runs the built CLI (`node dist/cli.mjs report --dir <store>`: the first report after the
 *    store grew, the next one, and one of a tenant since an instant inside an hour) as a child
 *    process: wall time and the child's peak RSS (process.resourceUsage() at exit).
 * 3. Runs the same per-tenant aggregation with DuckDB (`read_json` over the segments, explicit
 *    columns, spans not read) in a child process: wall time and peak RSS.
 * 4. At 1M or fewer, also the report on the same segments without sidecars: it reads every
 *    line (what the single-file store did each time) and rebuilds the sidecars.
 */
import { spawn } from 'node:child_process'
import { link, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tracium from '../dist/index.mjs'

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [key, value] = a.replace(/^--/, '').split('=')
    return [key, value ?? 'true']
  }),
)
const smoke = args.has('smoke')
const sizes = (args.get('traces') ?? (smoke ? '20000' : '1000000,10000000'))
  .split(',')
  .map(Number)
  .sort((a, b) => a - b)
const withDuckDb = !args.has('no-duckdb')
const keep = args.has('keep')
const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url))
const here = fileURLToPath(new URL('.', import.meta.url))

const template = await oneRealTrace()
const dir = await mkdtemp(join(tmpdir(), 'tracium-report-bench-'))
const BASE = Date.parse('2025-01-01T00:00:00.000Z')
const STEP_MS = 60
const results = []
console.log(
  `node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} CPUs ` +
    `(${cpus()[0]?.model ?? '?'}), load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
)

const store = tracium.localStore({ dir, maxQueueSize: 100_000, lingerMs: 0 })
let written = 0
let writeMs = 0
for (const size of sizes) {
  const started = performance.now()
  await writeTraces(written, size)
  writeMs += performance.now() - started
  written = size
  // The open segment stays open, as in a running app: the report reads its lines.
  await store.flush(60_000)
  const files = await storeFiles(dir)
  console.log(
    `\nstore: ${size.toLocaleString('en-US')} traces, ${mb(files.segmentBytes)} MB in ` +
      `${files.segments} segments (${(files.segmentBytes / size).toFixed(0)} B/trace), sidecars ` +
      `${mb(files.sidecarBytes)} MB (${(files.sidecarBytes / size).toFixed(1)} B/trace); ` +
      `written by localStore() in ${(writeMs / 1000).toFixed(1)} s so far`,
  )
  const mid = new Date(BASE + Math.floor(size / 2) * STEP_MS + 1_234).toISOString()
  const runs = [
    // The first report after the store grew adds the new segments to the day cache and rolls
    // up the open segment's lines; the second is what every later report costs.
    ['report (first after growth)', ['report']],
    ['report', ['report']],
    ['report --tenant --since (mid-hour)', ['report', '--tenant', 'tenant-03', '--since', mid]],
  ]
  for (const [label, argv] of runs) {
    const run = await runNode([cli, ...argv, '--dir', dir])
    if (run.code !== 0) throw new Error(`${label} exited ${run.code}: ${run.stdout}`)
    record(size, label, run)
    if (label === 'report') console.log(run.stdout.split('\n').slice(0, 5).join('\n'))
  }
  if (size <= 1_000_000) {
    // The same segments without sidecars (hard links): the report reads every line, as the
    // single-file store did, and writes the sidecars it rebuilt.
    const bare = await mkdtemp(join(tmpdir(), 'tracium-report-bench-bare-'))
    await mkdir(join(bare, 'segments'))
    for (const name of await readdir(join(dir, 'segments'))) {
      if (name.endsWith('.jsonl'))
        await link(join(dir, 'segments', name), join(bare, 'segments', name))
    }
    const lines = await runNode([cli, 'report', '--dir', bare])
    record(size, 'report, no sidecars (reads every line)', lines)
    await rm(bare, { recursive: true, force: true })
  }
  if (withDuckDb) {
    const duck = await runNode([join(here, 'duckdb-report.mjs'), join(dir, 'segments')])
    if (duck.code !== 0) throw new Error(`duckdb exited ${duck.code}`)
    record(size, 'DuckDB read_json', duck)
    console.log(duck.stdout.split('\n').slice(0, 3).join('\n'))
  }
}
await store.shutdown(60_000)

console.log('\n| traces | what | wall time | peak RSS |\n| --- | --- | --- | --- |')
for (const r of results) {
  console.log(
    `| ${r.size.toLocaleString('en-US')} | ${r.label} | ${(r.ms / 1000).toFixed(2)} s | ${(r.maxRssKb / 1024).toFixed(0)} MB |`,
  )
}
if (keep) console.log(`store kept at ${dir}`)
else await rm(dir, { recursive: true, force: true })

function record(size, label, run) {
  results.push({ size, label, ms: run.ms, maxRssKb: run.maxRssKb })
  console.log(
    `${label}: ${(run.ms / 1000).toFixed(2)} s, peak RSS ${(run.maxRssKb / 1024).toFixed(0)} MB`,
  )
}

async function oneRealTrace() {
  const memory = tracium.memoryExporter()
  tracium.init({
    exporter: memory,
    defaultModelId: 'gpt-4o-mini',
    prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
  })
  tracium.withTenant('tenant-00', () =>
    tracium.startTrace({ agentName: 'support-bot', tags: ['prod'] }, (trace) => {
      trace.span({ spanType: 'retrieval', name: 'kb', input: { q: 'Where is my order?' } }).end()
      trace
        .span({ spanType: 'llm', name: 'answer', input: 'Where is my order?' })
        .recordOutput('It ships today.')
        .setTokenUsage({ inputTokens: 420, outputTokens: 60 })
        .end()
    }),
  )
  await tracium.shutdown()
  return memory.traces[0]
}

async function writeTraces(from, to) {
  const agents = ['support-bot', 'router', 'summarizer', 'index']
  const models = ['gpt-4o-mini', 'claude-haiku']
  for (let i = from; i < to; i++) {
    const inputTokens = 100 + (i % 900)
    const outputTokens = 20 + (i % 200)
    // A skewed duration distribution: most fast, a long tail.
    const durationMs = Math.round(50 * Math.exp(((i * 7919) % 1000) / 250) * 1000) / 1000
    const failed = i % 33 === 0
    const startedAt = BASE + i * STEP_MS
    store.export({
      ...template,
      id: `trace-${i}`,
      tenantId: `tenant-${String(i % 20).padStart(2, '0')}`,
      agentName: agents[i % agents.length],
      status: failed ? 'failed' : 'completed',
      error: failed ? 'HTTP 503' : null,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(startedAt + durationMs).toISOString(),
      durationMs,
      inputTokens,
      outputTokens,
      costUsd: (inputTokens * 0.15 + outputTokens * 0.6) / 1e6,
      modelId: models[(i >> 2) % models.length],
      metadata: i % 50 === 7 ? { http: { statusCode: i % 100 === 7 ? 401 : 404 } } : {},
    })
    if (i % 10_000 === 9_999) await store.flush(60_000)
  }
}

async function storeFiles(storeDir) {
  const folder = join(storeDir, 'segments')
  let segments = 0
  let segmentBytes = 0
  let sidecarBytes = 0
  for (const name of await readdir(folder)) {
    const { size } = await stat(join(folder, name))
    if (name.endsWith('.jsonl')) {
      segments++
      segmentBytes += size
    } else if (name.endsWith('.rollup.json')) sidecarBytes += size
  }
  return { segments, segmentBytes, sidecarBytes }
}

function mb(bytes) {
  return (bytes / 1e6).toFixed(0)
}

function runNode(argv) {
  // Preloaded into the child: report its own peak RSS on fd 3 when it exits.
  const probe =
    'data:text/javascript,import{writeSync}from"node:fs";' +
    'process.on("exit",()=>writeSync(3,String(process.resourceUsage().maxRSS)))'
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', probe, ...argv], {
      stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
    })
    let stdout = ''
    let rss = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stdio[3].on('data', (d) => {
      rss += d
    })
    child.once('error', reject)
    child.once('close', (code) =>
      resolve({ code, stdout, ms: performance.now() - started, maxRssKb: Number(rss) }),
    )
  })
}
