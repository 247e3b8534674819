/**
 * The scenario: 1,000 jobs enqueued from HTTP requests (Express + @tracium/express on
 * 127.0.0.1) over 50 tenants, processed by two worker processes (BullMQ Workers with
 * concurrency 8, wrapped with withJobTenant) on a real redis-server. Zero mismatches.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import type { Server } from 'node:http'
import { Agent, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { traciumTenant } from '@tracium/express'
import { Queue } from 'bullmq'
import express from 'express'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { tenantQueue } from '../src/index.js'
import { connection, queueName } from './helpers.js'

const JOBS = 1_000
const TENANTS = 50
const CLIENT_CONCURRENCY = 50
// Generous: CI shares two cores between every package's suite.
const DEADLINE_MS = 120_000

interface Report {
  type: 'job'
  id: string
  before: string | null
  after: string | null
  traced: string | null | undefined
  pid: number
}

const name = queueName('scenario')
const raw = new Queue(name, { connection: connection() })
const queue = tenantQueue(raw)
const workers: ChildProcess[] = []
const reports = new Map<string, Report>()
let server: Server
let port: number
// Keep-alive connections, as a real client (and the load on a real app) would have.
const agent = new Agent({ keepAlive: true, maxSockets: CLIENT_CONCURRENCY })
let allReported: () => void = () => {}
const everyJobReported = new Promise<void>((resolve) => {
  allReported = resolve
})

function startWorker(): Promise<void> {
  const child = fork(new URL('./fixtures/scenario-worker.mjs', import.meta.url), {
    env: { ...process.env, QUEUE_NAME: name, REDIS_PORT: String(inject('redisPort')) },
  })
  workers.push(child)
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)))
    child.on(
      'message',
      (message: Report | { type: 'ready' } | { type: 'error'; message: string }) => {
        if (message.type === 'ready') resolve()
        else if (message.type === 'error') reject(new Error(message.message))
        else {
          reports.set(message.id, message)
          if (reports.size === JOBS) allReported()
        }
      },
    )
  })
}

beforeAll(async () => {
  const app = express()
  app.use(traciumTenant({ required: true }))
  app.post('/jobs', async (req, res) => {
    // The route knows nothing about tenants: the wrapped queue stamps the request's.
    const job = await queue.add('scenario', { seq: Number(req.query.seq) })
    res.json({ id: job.id })
  })
  server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as AddressInfo).port
  await withDeadline('both workers ready', Promise.all([startWorker(), startWorker()]), 30_000)
}, 40_000)

afterAll(async () => {
  await Promise.all(
    workers.map(async (child) => {
      if (child.exitCode !== null || !child.connected) return
      const exited = once(child, 'exit')
      child.send('close')
      await withDeadline('worker exit', exited, 10_000).catch(() => child.kill('SIGKILL'))
    }),
  )
  agent.destroy()
  server?.close()
  await raw.obliterate({ force: true })
  await raw.close()
})

describe('1,000 jobs from HTTP requests over 50 tenants, two worker processes', () => {
  it('every job runs under the tenant of the request that enqueued it', {
    timeout: 2 * DEADLINE_MS + 10_000,
  }, async () => {
    const sent = new Map<string, string>()
    let next = 0
    async function client(): Promise<void> {
      while (next < JOBS) {
        const seq = next++
        const tenant = `tenant-${seq % TENANTS}`
        const { status, body } = await post(`/jobs?seq=${seq}`, tenant)
        expect(status).toBe(200)
        sent.set((JSON.parse(body) as { id: string }).id, tenant)
      }
    }
    await withDeadline(
      'all requests answered',
      Promise.all(Array.from({ length: CLIENT_CONCURRENCY }, client)),
      DEADLINE_MS,
    )
    expect(sent.size).toBe(JOBS)
    await withDeadline(`${JOBS} job reports`, everyJobReported, DEADLINE_MS)

    const mismatches = [...sent]
      .map(([id, tenant]) => ({ id, tenant, report: reports.get(id) }))
      .filter(({ tenant, report }) => {
        return report?.before !== tenant || report.after !== tenant || report.traced !== tenant
      })
    expect(mismatches).toEqual([])
    expect(new Set(sent.values()).size).toBe(TENANTS)
    // Both processes took part (each runs 8 jobs at once).
    const perWorker = new Map<number, number>()
    for (const report of reports.values()) {
      perWorker.set(report.pid, (perWorker.get(report.pid) ?? 0) + 1)
    }
    expect([...perWorker.keys()].sort()).toEqual(workers.map((child) => child.pid).sort())
  })
})

function post(path: string, tenant: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'x-tenant-id': tenant } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

function withDeadline<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
