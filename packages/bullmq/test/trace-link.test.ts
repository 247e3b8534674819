/**
 * The worker's spans and traces of a job join the trace of the HTTP request that enqueued it:
 * Express + @tracium/express on 127.0.0.1, the request inside an @tracium/sdk trace, a real
 * redis-server. In the processor, an app's own OpenTelemetry span (its own provider, with
 * @tracium/otel's processor) and an @tracium/sdk trace both have the request's trace id, with
 * the enqueuing span as parent, and the job's tenant; on every retry too.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { context, trace as otelTrace, ROOT_CONTEXT } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { traciumTenant } from '@tracium/express'
import { TraciumSpanProcessor } from '@tracium/otel'
import { flush, init, memoryExporter, startTrace } from '@tracium/sdk'
import { type Job, Queue, Worker } from 'bullmq'
import express from 'express'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { getCurrentTenant, TraciumOptionsError, tenantQueue, withJobTenant } from '../src/index.js'
import { connection, Outcomes, queueName } from './helpers.js'

const JOBS = 50
const TENANTS = 10

interface Enqueued {
  id: string
  traceId: string
  spanId: string
}

interface Attempt {
  attempt: number
  tenant: string | null
  appSpanId: string
  traciumTraceId: string
}

const memory = memoryExporter()
init({ exporter: memory })
const appSpans = new InMemorySpanExporter()
const provider = new BasicTracerProvider({
  spanProcessors: [new TraciumSpanProcessor(), new SimpleSpanProcessor(appSpans)],
})
const appTracer = provider.getTracer('app')

const name = queueName('trace-link')
const raw = new Queue(name, { connection: connection() })
const queue = tenantQueue(raw)
const childName = queueName('trace-link-child')
const childRaw = new Queue(childName, { connection: connection() })
const childQueue = tenantQueue(childRaw)
const attempts = new Map<string, Attempt[]>()
let worker: Worker
let outcomes: Outcomes
let server: Server
let base: string

async function processJob(job: Job): Promise<void> {
  const appSpan = appTracer.startSpan('work')
  const traciumTraceId = await startTrace({ agentName: 'job' }, async (trace) => {
    // Yield to the other jobs this worker runs at the same time.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    return trace.id
  })
  appSpan.end()
  const entry: Attempt = {
    attempt: job.attemptsMade + 1,
    tenant: getCurrentTenant(),
    appSpanId: appSpan.spanContext().spanId,
    traciumTraceId,
  }
  attempts.set(job.id as string, [...(attempts.get(job.id as string) ?? []), entry])
  if (job.attemptsMade < (job.data as { failures: number }).failures) {
    throw new Error(`attempt ${entry.attempt} fails`)
  }
}

beforeAll(async () => {
  worker = new Worker(name, withJobTenant(processJob), { connection: connection(), concurrency: 8 })
  outcomes = new Outcomes(worker)
  const app = express()
  app.use(traciumTenant({ required: true }))
  app.post('/jobs', async (req, res) => {
    const failures = Number(req.query.failures)
    const target = req.query.child === '1' ? childQueue : queue
    const enqueued = await startTrace({ agentName: 'request' }, async () => {
      const job = await target.add(
        'job',
        { failures },
        { attempts: failures + 1, backoff: { type: 'fixed', delay: 10 } },
      )
      const span = otelTrace.getActiveSpan()?.spanContext()
      return { id: job.id, traceId: span?.traceId, spanId: span?.spanId }
    })
    res.json(enqueued)
  })
  server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await worker.waitUntilReady()
})

afterAll(async () => {
  await worker?.close()
  await raw.obliterate({ force: true }).then(() => raw.close())
  await childRaw.obliterate({ force: true }).then(() => childRaw.close())
  server?.close()
  await provider.shutdown()
})

async function enqueue(tenant: string, failures: number, child = false): Promise<Enqueued> {
  const response = await fetch(`${base}/jobs?failures=${failures}&child=${child ? 1 : 0}`, {
    method: 'POST',
    headers: { 'x-tenant-id': tenant },
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Enqueued
}

describe('a job joins the trace of the request that enqueued it', () => {
  it('50 interleaved jobs over 10 tenants, some retried: every attempt links, 0 mismatches', async () => {
    const sent = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => {
        const tenant = `tenant-${i % TENANTS}`
        const failures = i % 5 === 0 ? 2 : 0 // every fifth job fails twice, then succeeds
        return enqueue(tenant, failures).then((job) => ({ ...job, tenant, failures }))
      }),
    )
    await outcomes.until('every job', () => true, JOBS, 60_000)
    await flush()
    const spans = new Map(
      appSpans.getFinishedSpans().map((span) => [span.spanContext().spanId, span]),
    )
    const records = new Map(memory.traces.map((record) => [record.id, record]))

    const mismatches: string[] = []
    for (const job of sent) {
      const outcome = await outcomes.of(job.id)
      if (outcome.state !== 'completed') mismatches.push(`${job.id}: ${outcome.state}`)
      const seen = attempts.get(job.id) ?? []
      if (seen.length !== job.failures + 1) mismatches.push(`${job.id}: ${seen.length} attempts`)
      for (const attempt of seen) {
        const where = `${job.id} attempt ${attempt.attempt}`
        const span = spans.get(attempt.appSpanId)
        const record = records.get(attempt.traciumTraceId)
        if (attempt.tenant !== job.tenant) mismatches.push(`${where}: tenant ${attempt.tenant}`)
        if (span?.spanContext().traceId !== job.traceId) mismatches.push(`${where}: app trace`)
        if (span?.parentSpanContext?.spanId !== job.spanId) mismatches.push(`${where}: app parent`)
        if (span?.attributes['tracium.user.id'] !== job.tenant)
          mismatches.push(`${where}: app tenant`)
        // Under a parent span, a Tracium trace's id is `<otel trace id>-<root span id>`.
        if (!attempt.traciumTraceId.startsWith(`${job.traceId}-`)) {
          mismatches.push(`${where}: tracium trace ${attempt.traciumTraceId}`)
        }
        if (record?.tenantId !== job.tenant) mismatches.push(`${where}: tracium tenant`)
      }
    }
    expect(mismatches).toEqual([])
    // The jobs really interleaved across tenants and trace ids.
    expect(new Set(sent.map((job) => job.traceId)).size).toBe(JOBS)
  })

  it('a malformed or all-zero traceparent is ignored: the job runs under its tenant, unlinked', async () => {
    const zero = `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`
    const jobs = await Promise.all(
      ['00-xyz', zero, 42].map((traceparent) =>
        raw.add('job', { failures: 0, __tracium: { 'x-tenant-id': 'acme', traceparent } }),
      ),
    )
    for (const job of jobs) {
      expect((await outcomes.of(job.id)).state).toBe('completed')
      const [attempt] = attempts.get(job.id as string) ?? []
      expect(attempt?.tenant).toBe('acme')
      const span = appSpans
        .getFinishedSpans()
        .find((each) => each.spanContext().spanId === attempt?.appSpanId)
      expect(span?.parentSpanContext).toBeUndefined()
      expect(span?.spanContext().traceId).not.toBe('0'.repeat(32))
    }
  })

  it('traceContext: false leaves the OpenTelemetry context alone; a non-boolean is refused', async () => {
    expect(() => withJobTenant(processJob, { traceContext: 'yes' as never })).toThrow(
      TraciumOptionsError,
    )
    const carried = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`
    const job = { data: { __tracium: { 'x-tenant-id': 'acme', traceparent: carried } } }
    const outer = appTracer.startSpan('outer')
    const activeTraceId = () => otelTrace.getActiveSpan()?.spanContext().traceId
    const run = (traceContext: boolean) =>
      context.with(otelTrace.setSpan(ROOT_CONTEXT, outer), () =>
        withJobTenant(async () => activeTraceId(), { traceContext })(job),
      )
    expect(await run(true)).toBe('a'.repeat(32))
    expect(await run(false)).toBe(outer.spanContext().traceId)
    outer.end()
  })

  it('a worker in a child process: its @tracium/sdk traces join the request trace, with the tenant', async () => {
    const child = fork(new URL('./fixtures/trace-link-worker.mjs', import.meta.url), {
      env: { ...process.env, QUEUE_NAME: childName, REDIS_PORT: String(inject('redisPort')) },
    })
    const reports = new Map<string, { tenant: string; traceId: string; traced: string }>()
    const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'acme', 'globex', 'initech']
    try {
      const done = new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)))
        child.on('message', (message: { type: string; id: string; message?: string }) => {
          if (message.type === 'error') reject(new Error(message.message))
          if (message.type !== 'job') return
          reports.set(message.id, message as never)
          if (reports.size === tenants.length) resolve()
        })
      })
      const sent = await Promise.all(
        tenants.map((tenant) => enqueue(tenant, 0, true).then((job) => ({ ...job, tenant }))),
      )
      await done
      for (const job of sent) {
        expect(reports.get(job.id)).toEqual({
          type: 'job',
          id: job.id,
          tenant: job.tenant,
          traced: job.tenant,
          traceId: expect.stringMatching(new RegExp(`^${job.traceId}-[0-9a-f]{16}$`)),
        })
      }
    } finally {
      const exited = once(child, 'exit')
      if (child.connected) child.send('close')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
      child.kill('SIGKILL')
    }
  })
})
