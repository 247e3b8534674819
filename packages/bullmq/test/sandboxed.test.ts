/**
 * Sandboxed processors (a processor file that BullMQ runs in a child process or a worker thread)
 * get the same job data, so a wrapped default export runs each job under its own tenant.
 */
import { fileURLToPath } from 'node:url'
import { Queue, Worker } from 'bullmq'
import { afterAll, describe, expect, it } from 'vitest'
import { tenantQueue, withTenant } from '../src/index.js'
import { connection, Outcomes, queueName } from './helpers.js'

const processorFile = fileURLToPath(new URL('./fixtures/sandboxed-processor.mjs', import.meta.url))
const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

describe.each([
  ['a child process', false],
  ['a worker thread', true],
])('a sandboxed processor in %s', (_, useWorkerThreads) => {
  it('runs each job under the tenant it was enqueued with', async () => {
    const name = queueName('sandboxed')
    const raw = new Queue(name, { connection: connection() })
    const worker = new Worker(name, processorFile, {
      connection: connection(),
      concurrency: 2,
      useWorkerThreads,
    })
    const outcomes = new Outcomes(worker)
    closers.push(
      () => worker.close(),
      () => raw.obliterate({ force: true }).then(() => raw.close()),
    )
    const queue = tenantQueue(raw)
    const tenants = ['acme', 'globex', null, 'initech']
    const jobs = await Promise.all(
      tenants.map((tenant) => withTenant(tenant, () => queue.add('job', { tenant }))),
    )
    for (const [index, job] of jobs.entries()) {
      const outcome = await outcomes.of(job.id, 30_000)
      expect(outcome.state).toBe('completed')
      expect(outcome.result).toEqual({ before: tenants[index], after: tenants[index] })
    }
  }, 40_000)
})
