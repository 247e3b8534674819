/**
 * BullMQ 6 on a real redis-server: each job keeps its own tenant through retries, delays, job
 * schedulers (BullMQ 6's repeatable jobs), flows, addBulk; forged carriers fail the job before the processor
 * runs; a worker's @tracium/sdk traces carry the job's tenant.
 */

import { flush, init, memoryExporter, startTrace } from '@tracium/sdk'
import { FlowProducer, type Job, Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  getCurrentTenant,
  readJobCarrier,
  TraciumOptionsError,
  tenantFlowProducer,
  tenantJob,
  tenantQueue,
  withJobTenant,
  withTenant,
} from '../src/index.js'
import { connection, Outcomes, queueName } from './helpers.js'

interface Seen {
  tenant: string | null
  afterAwait: string | null
  attempt: number
}

const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

/** A queue (wrapped), its raw self, a worker wrapped with withJobTenant, and its outcomes. */
function setup(
  topic: string,
  processor: (job: Job) => Promise<unknown> = async () => undefined,
  options: { required?: boolean; concurrency?: number } = {},
) {
  const name = queueName(topic)
  const raw = new Queue(name, { connection: connection() })
  const seen = new Map<string, Seen[]>()
  const worker = new Worker(
    name,
    withJobTenant(
      async (job: Job) => {
        const tenant = getCurrentTenant()
        await new Promise((resolve) => setImmediate(resolve))
        const entry = { tenant, afterAwait: getCurrentTenant(), attempt: job.attemptsMade + 1 }
        seen.set(job.id as string, [...(seen.get(job.id as string) ?? []), entry])
        return processor(job)
      },
      { required: options.required ?? false },
    ),
    { connection: connection(), concurrency: options.concurrency ?? 4 },
  )
  const outcomes = new Outcomes(worker)
  closers.push(
    () => worker.close(),
    () => raw.obliterate({ force: true }).then(() => raw.close()),
  )
  return { name, raw, queue: tenantQueue(raw), worker, outcomes, seen }
}

describe('enqueue and process', () => {
  it('runs each job under the tenant current at add(); none runs with null', async () => {
    const { queue, outcomes, seen } = setup('basic')
    const jobs = await Promise.all(
      ['acme', 'globex', null, 'initech'].map((tenant) =>
        tenant === null
          ? queue.add('job', { tenant })
          : withTenant(tenant, () => queue.add('job', { tenant })),
      ),
    )
    for (const job of jobs) {
      expect((await outcomes.of(job.id)).state).toBe('completed')
      const expected = (job.data as { tenant: string | null }).tenant
      expect(seen.get(job.id as string)).toEqual([
        { tenant: expected, afterAwait: expected, attempt: 1 },
      ])
    }
  })

  it('replaces a __tracium key that arrived in client input with the current tenant', async () => {
    const { queue, outcomes, seen } = setup('client-input')
    const body = JSON.parse('{"q":1,"__tracium":{"x-tenant-id":"victim"}}')
    const job = await withTenant('acme', () => queue.add('job', body))
    expect((await outcomes.of(job.id)).state).toBe('completed')
    expect(seen.get(job.id as string)?.[0]?.tenant).toBe('acme')
  })

  it('a job enqueued without the helpers runs with null by default', async () => {
    const { raw, outcomes, seen } = setup('no-carrier')
    const job = await withTenant('acme', () => raw.add('job', { plain: true }))
    expect((await outcomes.of(job.id)).state).toBe('completed')
    expect(seen.get(job.id as string)?.[0]?.tenant).toBe(null)
  })

  it('required: true fails jobs without a carrier or tenant with TENANT_MISSING', async () => {
    const { raw, queue, outcomes, seen } = setup('required', undefined, { required: true })
    const plain = await raw.add('job', { plain: true })
    const none = await queue.add('job', { none: true })
    const ok = await withTenant('acme', () => queue.add('job', { ok: true }))
    for (const job of [plain, none]) {
      const outcome = await outcomes.of(job.id)
      expect(outcome.state).toBe('failed')
      expect(outcome.error).toMatchObject({ name: 'TenantError', code: 'TENANT_MISSING' })
      expect((await raw.getJob(job.id as string))?.failedReason).toBe(outcome.error?.message)
      expect(seen.has(job.id as string)).toBe(false)
    }
    expect((await outcomes.of(ok.id)).state).toBe('completed')
  })
})

describe('what keeps the tenant', () => {
  it('retries: a job failing twice then succeeding sees its tenant on every attempt', async () => {
    const { queue, outcomes, seen } = setup('retry', async (job) => {
      if (job.attemptsMade < 2) throw new Error(`attempt ${job.attemptsMade + 1} fails`)
      return 'done'
    })
    const tenants = ['acme', 'globex', 'initech', 'umbrella']
    const jobs = await Promise.all(
      tenants.map((tenant) =>
        withTenant(tenant, () =>
          queue.add('job', {}, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }),
        ),
      ),
    )
    for (const [index, job] of jobs.entries()) {
      const outcome = await outcomes.of(job.id)
      expect(outcome.state).toBe('completed')
      const tenant = tenants[index] as string
      expect(seen.get(job.id as string)).toEqual(
        [1, 2, 3].map((attempt) => ({
          tenant,
          afterAwait: tenant,
          attempt,
        })),
      )
    }
  })

  it('delayed jobs keep their tenant', async () => {
    const { raw, queue, outcomes, seen } = setup('delay')
    const job = await withTenant('acme', () => queue.add('job', {}, { delay: 300 }))
    expect(await raw.getJobState(job.id as string)).toBe('delayed')
    const outcome = await outcomes.of(job.id)
    expect(outcome.state).toBe('completed')
    expect((outcome.job.processedOn ?? 0) - outcome.job.timestamp).toBeGreaterThanOrEqual(300)
    expect(seen.get(job.id as string)?.[0]?.tenant).toBe('acme')
  })

  it('addBulk stamps each job with the tenant of the call, or its own tenantJob', async () => {
    const { queue, outcomes, seen } = setup('bulk')
    const jobs = await withTenant('acme', () =>
      queue.addBulk([
        { name: 'a', data: { expected: 'acme' } },
        { name: 'b', data: tenantJob({ expected: 'globex' }, 'globex') },
        { name: 'c', data: tenantJob({ expected: null }, null) },
        { name: 'd', data: { expected: 'acme' }, opts: { priority: 1 } },
      ]),
    )
    for (const job of jobs) {
      expect((await outcomes.of(job.id)).state).toBe('completed')
      expect(seen.get(job.id as string)?.[0]?.tenant).toBe(job.data.expected)
    }
  })

  it('a job scheduler (upsertJobScheduler) keeps the tenant of the call in every job', async () => {
    const { raw, queue, outcomes, seen } = setup('scheduler')
    await withTenant('acme', () =>
      queue.upsertJobScheduler('every-50ms', { every: 50 }, { name: 'tick', data: { n: 1 } }),
    )
    const done = await outcomes.until(
      'three scheduled jobs',
      (outcome) => outcome.job.name === 'tick',
      3,
    )
    await raw.removeJobScheduler('every-50ms')
    for (const outcome of done) {
      expect(outcome.state).toBe('completed')
      expect(seen.get(outcome.job.id as string)?.[0]?.tenant).toBe('acme')
    }
    expect(new Set(done.map((outcome) => outcome.job.id)).size).toBe(3)
  })

  it('a job scheduler without a template still carries the tenant', async () => {
    const { raw, queue, outcomes, seen } = setup('scheduler-bare')
    await withTenant('globex', () => queue.upsertJobScheduler('bare', { every: 50 }))
    const done = await outcomes.until('two scheduled jobs', () => true, 2)
    await raw.removeJobScheduler('bare')
    for (const outcome of done) {
      expect(seen.get(outcome.job.id as string)?.[0]?.tenant).toBe('globex')
    }
  })

  it('flows: the parent and each child run for their own tenant', async () => {
    const parent = setup('flow-parent')
    const child = setup('flow-child')
    const flows = tenantFlowProducer(new FlowProducer({ connection: connection() }))
    closers.push(() => flows.close())
    const tree = await withTenant('acme', () =>
      flows.add({
        name: 'report',
        queueName: parent.name,
        data: { expected: 'acme' },
        children: [
          { name: 'part', queueName: child.name, data: { expected: 'acme' } },
          {
            name: 'part',
            queueName: child.name,
            data: tenantJob({ expected: 'globex' }, 'globex'),
          },
          {
            name: 'part',
            queueName: child.name,
            data: tenantJob({ expected: 'initech' }, 'initech'),
            children: [{ name: 'leaf', queueName: child.name, data: { expected: 'acme' } }],
          },
        ],
      }),
    )
    const parentOutcome = await parent.outcomes.of(tree.job.id)
    expect(parentOutcome.state).toBe('completed')
    expect(parent.seen.get(tree.job.id as string)?.[0]?.tenant).toBe('acme')
    const children = await child.outcomes.until('four children', () => true, 4)
    for (const outcome of children) {
      expect(outcome.state).toBe('completed')
      expect(child.seen.get(outcome.job.id as string)?.[0]?.tenant).toBe(outcome.job.data.expected)
    }
    expect(children.map((outcome) => outcome.job.data.expected).sort()).toEqual([
      'acme',
      'acme',
      'globex',
      'initech',
    ])
  })

  it('FlowProducer.addBulk stamps every flow', async () => {
    const target = setup('flow-bulk')
    const flows = tenantFlowProducer(new FlowProducer({ connection: connection() }))
    closers.push(() => flows.close())
    const trees = await withTenant('umbrella', () =>
      flows.addBulk([
        { name: 'one', queueName: target.name, data: {} },
        { name: 'two', queueName: target.name, data: tenantJob({}, 'acme') },
      ]),
    )
    expect((await target.outcomes.of(trees[0]?.job.id)).state).toBe('completed')
    expect((await target.outcomes.of(trees[1]?.job.id)).state).toBe('completed')
    expect(target.seen.get(trees[0]?.job.id as string)?.[0]?.tenant).toBe('umbrella')
    expect(target.seen.get(trees[1]?.job.id as string)?.[0]?.tenant).toBe('acme')
  })
})

describe('forged carriers', () => {
  const forged: [string, unknown][] = [
    ['a number tenant', { 'x-tenant-id': 42 }],
    ['an array tenant', { 'x-tenant-id': ['acme', 'globex'] }],
    ['a comma list', { 'x-tenant-id': 'acme,globex' }],
    ['a control character', { 'x-tenant-id': 'acme\r\nx' }],
    ['an over-long tenant', { 'x-tenant-id': 'a'.repeat(256) }],
    ['a string carrier', 'acme'],
    ['an array carrier', [{ 'x-tenant-id': 'acme' }]],
    ['a null carrier', null],
  ]

  it.each(forged)(
    '%s fails the job with TENANT_INVALID; the processor never runs',
    async (_, carrier) => {
      const { raw, outcomes, seen } = setup('forged')
      const data = { __tracium: carrier }
      const expected = (() => {
        try {
          readJobCarrier({ data })
        } catch (error) {
          return error as Error
        }
        throw new Error('the carrier was accepted')
      })()
      const job = await raw.add('job', data, { attempts: 2 })
      const outcome = await outcomes.of(job.id)
      expect(outcome.state).toBe('failed')
      expect(outcome.error).toMatchObject({ name: 'TenantError', code: 'TENANT_INVALID' })
      expect((await raw.getJob(job.id as string))?.failedReason).toBe(expected.message)
      expect(seen.has(job.id as string)).toBe(false)
    },
  )

  it('job data edited in Redis to an invalid tenant fails with TENANT_INVALID', async () => {
    const { raw, queue, outcomes, seen } = setup('edited')
    const job = await withTenant('acme', () => queue.add('job', { n: 1 }, { delay: 60_000 }))
    // Edit the stored job as someone with access to Redis would, then release it.
    const redis = new Redis(connection())
    closers.push(() => redis.quit())
    const key = `bull:${raw.name}:${job.id}`
    const stored = JSON.parse((await redis.hget(key, 'data')) as string)
    expect(stored.__tracium).toEqual({ 'x-tenant-id': 'acme' })
    stored.__tracium['x-tenant-id'] = 'acme\u0000'
    await redis.hset(key, 'data', JSON.stringify(stored))
    await job.promote()
    const outcome = await outcomes.of(job.id)
    expect(outcome.state).toBe('failed')
    expect(outcome.error).toMatchObject({ code: 'TENANT_INVALID' })
    expect((await raw.getJob(job.id as string))?.failedReason).toMatch(/control characters/)
    expect(seen.has(job.id as string)).toBe(false)
  })

  it('updateData() to a comma list fails the job with TENANT_INVALID', async () => {
    const { raw, queue, outcomes, seen } = setup('updated')
    const job = await withTenant('acme', () => queue.add('job', { n: 1 }, { delay: 60_000 }))
    await job.updateData({ n: 1, __tracium: { 'x-tenant-id': 'acme,globex' } })
    await job.promote()
    const outcome = await outcomes.of(job.id)
    expect(outcome.state).toBe('failed')
    expect((await raw.getJob(job.id as string))?.failedReason).toMatch(/more than one tenant/)
    expect(seen.has(job.id as string)).toBe(false)
  })
})

describe('@tracium/sdk traces in a worker', () => {
  const memory = memoryExporter()
  beforeAll(() => {
    init({ exporter: memory })
  })

  it('a trace started in the processor carries the job tenant', async () => {
    const { queue, outcomes } = setup('sdk', (job) =>
      startTrace({ agentName: 'job', metadata: { jobId: job.id } }, async (trace) => {
        await new Promise((resolve) => setImmediate(resolve))
        return trace.id
      }),
    )
    const tenants = ['acme', 'globex', null, 'initech', 'acme']
    const jobs = await Promise.all(
      tenants.map((tenant) => withTenant(tenant, () => queue.add('job', {}))),
    )
    for (const job of jobs) expect((await outcomes.of(job.id)).state).toBe('completed')
    await flush()
    for (const [index, job] of jobs.entries()) {
      const record = memory.traces.find((trace) => trace.metadata?.jobId === job.id)
      expect(record?.tenantId).toBe(tenants[index])
    }
  })
})

describe('the wrappers', () => {
  it('are the queue and producer themselves for everything they do not stamp', async () => {
    const { raw, queue } = setup('passthrough')
    expect(queue).toBeInstanceOf(Queue)
    expect(queue.name).toBe(raw.name)
    await withTenant('acme', () => queue.add('job', {}, { delay: 60_000 }))
    expect(await queue.getJobCounts('delayed')).toEqual({ delayed: 1 })
    expect(queue.add).toBe(queue.add) // made once, not per access
  })

  it('throw a TraciumOptionsError for something that is not a Queue or FlowProducer', () => {
    expect(() => tenantQueue({} as never)).toThrow(TraciumOptionsError)
    expect(() => tenantFlowProducer(null as never)).toThrow(
      /^@tracium\/bullmq: tenantFlowProducer\(producer\) needs a BullMQ FlowProducer/,
    )
  })
})
