#!/usr/bin/env node
/**
 * Benchmark of `tracium report` on a large local store. Not a test: run it by hand after a build.
 *
 *   cd packages/sdk && npx tsdown && node bench/report.bench.mjs [traces=1000000] [--keep]
 *
 * 1. Makes one real trace with the built SDK (2 spans, tokens, cost) and writes `traces` copies
 *    of it, varied in id, tenant (20), agent (4), status (3 % failed), duration and tokens, to
 *    a temp store.
 * 2. Runs the built CLI (`node dist/cli.mjs report --dir <store>`) as a child process and prints
 *    its wall time and peak RSS (read with process.resourceUsage() in the child at exit).
 */
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tracium from '../dist/index.mjs'

const count = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000)
const keep = process.argv.includes('--keep')
const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url))

const template = await oneRealTrace()
const dir = await mkdtemp(join(tmpdir(), 'tracium-bench-'))
const file = join(dir, 'traces.jsonl')

let started = performance.now()
await writeStore(file, count)
const written = performance.now() - started
const { size } = await stat(file)
console.log(
  `store: ${count.toLocaleString('en-US')} traces, ${(size / 1e6).toFixed(0)} MB, written in ${(written / 1000).toFixed(1)} s`,
)

started = performance.now()
const { code, stdout, maxRssKb } = await runReport(dir)
const elapsed = performance.now() - started
if (code !== 0) throw new Error(`tracium report exited ${code}`)
console.log(stdout.split('\n').slice(0, 6).join('\n'))
console.log(
  `...\ntracium report: ${(elapsed / 1000).toFixed(2)} s, peak RSS ${(maxRssKb / 1024).toFixed(0)} MB`,
)
console.log(`node ${process.version}, ${process.platform} ${process.arch}`)

if (keep) console.log(`store kept at ${dir}`)
else await rm(dir, { recursive: true, force: true })

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

async function writeStore(path, n) {
  const out = createWriteStream(path)
  const agents = ['support-bot', 'router', 'summarizer', 'index']
  const base = Date.parse('2025-01-01T00:00:00.000Z')
  let chunk = []
  for (let i = 0; i < n; i++) {
    const inputTokens = 100 + (i % 900)
    const outputTokens = 20 + (i % 200)
    // A skewed duration distribution: most fast, a long tail.
    const durationMs = Math.round(50 * Math.exp(((i * 7919) % 1000) / 250) * 1000) / 1000
    const record = {
      ...template,
      id: `trace-${i}`,
      tenantId: `tenant-${String(i % 20).padStart(2, '0')}`,
      agentName: agents[i % agents.length],
      status: i % 33 === 0 ? 'failed' : 'completed',
      error: i % 33 === 0 ? 'HTTP 503' : null,
      startedAt: new Date(base + i * 1000).toISOString(),
      endedAt: new Date(base + i * 1000 + durationMs).toISOString(),
      durationMs,
      inputTokens,
      outputTokens,
      costUsd: (inputTokens * 0.15 + outputTokens * 0.6) / 1e6,
    }
    chunk.push(JSON.stringify(record))
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise((r) => out.once('drain', r))
      chunk = []
    }
  }
  if (chunk.length > 0) out.write(`${chunk.join('\n')}\n`)
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())))
}

function runReport(storeDir) {
  // Preloaded into the child: report its own peak RSS on fd 3 when it exits.
  const probe =
    'data:text/javascript,import{writeSync}from"node:fs";' +
    'process.on("exit",()=>writeSync(3,String(process.resourceUsage().maxRSS)))'
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', probe, cli, 'report', '--dir', storeDir], {
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
    child.once('close', (code) => resolve({ code, stdout, maxRssKb: Number(rss) }))
  })
}
