/**
 * A Worker created lazily inside an HTTP request (a common pattern: start the worker on first
 * use) runs its jobs in that request's async context. withJobTenant must neither leak the
 * request's tenant into jobs nor let the job's tenant end when that request's scope closes (S2).
 */
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { traciumTenant } from '@tracium/express'
import { type Job, Queue, Worker } from 'bullmq'
import express from 'express'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { getCurrentTenant, tenantJob, withJobTenant } from '../src/index.js'
import { connection, Outcomes, queueName } from './helpers.js'

const name = queueName('lazy')
const queue = new Queue(name, { connection: connection() })
let worker: Worker | undefined
let outcomes: Outcomes | undefined
let server: Server
let base: string

interface Seen {
  whileRequestOpen: string | null
  afterRequestClosed: string | null
}
const seen = new Map<string, Seen>()
const started = new Map<string, () => void>()
let requestClosed: Promise<void> = Promise.resolve()

beforeAll(async () => {
  const app = express()
  app.use(traciumTenant())
  app.post('/start', async (req, res) => {
    let closed: () => void = () => {}
    requestClosed = new Promise((resolve) => {
      closed = resolve
    })
    res.on('close', () => setImmediate(closed))
    // Lazily created: its run loop starts in this request's async context.
    worker ??= new Worker(
      name,
      withJobTenant(async (job: Job) => {
        const whileRequestOpen = getCurrentTenant()
        started.get(job.id as string)?.()
        await requestClosed
        seen.set(job.id as string, { whileRequestOpen, afterRequestClosed: getCurrentTenant() })
      }),
      { connection: connection(), concurrency: 2 },
    )
    outcomes ??= new Outcomes(worker)
    const data = req.query.carrier === 'none' ? { n: 1 } : tenantJob({ n: 1 }, 'job-tenant')
    const job = await queue.add('lazy', data)
    // Answer only once the job runs, so it starts while this request's scope is still open.
    await new Promise<void>((resolve) => started.set(job.id as string, resolve))
    res.json({ id: job.id })
  })
  server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await worker?.close()
  server?.close()
  await queue.obliterate({ force: true })
  await queue.close()
})

async function start(query = ''): Promise<string> {
  const response = await fetch(`${base}/start${query}`, {
    method: 'POST',
    headers: { 'x-tenant-id': 'request-tenant' },
    signal: AbortSignal.timeout(20_000),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { id: string }).id
}

it('a job keeps its own tenant after the request that created the worker has ended', async () => {
  const id = await start()
  expect((await (outcomes as Outcomes).of(id)).state).toBe('completed')
  expect(seen.get(id)).toEqual({ whileRequestOpen: 'job-tenant', afterRequestClosed: 'job-tenant' })
})

it("a job without a carrier does not see the worker creator's tenant", async () => {
  const id = await start('?carrier=none')
  expect((await (outcomes as Outcomes).of(id)).state).toBe('completed')
  expect(seen.get(id)).toEqual({ whileRequestOpen: null, afterRequestClosed: null })
})
