import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import * as tracium from '@tracium/sdk'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createApp } from './app.js'
import { startWorker } from './worker.js'

describe('examples/bullmq', () => {
  const queueName = `follow-ups-${process.pid}-${Date.now()}`
  let dir
  let server
  let base
  let queue
  let worker
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tracium-bullmq-example-'))
    tracium.trace({ dir })
    const connection = { host: '127.0.0.1', port: inject('redisPort') }
    const created = createApp({ connection, queueName })
    queue = created.queue
    worker = startWorker({ connection, queueName })
    server = created.app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = `http://127.0.0.1:${server.address().port}`
  })
  afterAll(async () => {
    await worker?.close()
    server?.close()
    await queue?.obliterate({ force: true })
    await queue?.close()
    await tracium.shutdown()
    await rm(dir, { recursive: true, force: true })
  })

  const chat = (tenant, message) =>
    fetch(`${base}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(tenant && { 'x-tenant-id': tenant }) },
      body: JSON.stringify({ message }),
    })

  it("a job enqueued from /chat runs under the request's tenant and its trace is that tenant's", async () => {
    const finished = new Map()
    const allDone = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('jobs did not finish in 20 s')), 20_000)
      worker.on('completed', (job, result) => {
        finished.set(job.id, result)
        if (finished.size === 2) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const replies = await Promise.all([chat('acme', 'Hello from acme'), chat('globex', 'Hi')])
    const bodies = await Promise.all(replies.map((reply) => reply.json()))
    expect(bodies.map((body) => body.tenant)).toEqual(['acme', 'globex'])
    await allDone
    expect(finished.get(bodies[0].followUpJob)).toEqual({
      tenant: 'acme',
      summary: 'Hello from acme',
    })
    expect(finished.get(bodies[1].followUpJob)).toEqual({ tenant: 'globex', summary: 'Hi' })

    await tracium.flush()
    const cli = join(
      dirname(createRequire(import.meta.url).resolve('@tracium/sdk/package.json')),
      'dist/cli.mjs',
    )
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'traces', '--dir', dir, '--tenant', 'acme'],
      { timeout: 20_000, encoding: 'utf8' },
    )
    // The request's trace (named by route) and the job's, both under acme; nothing of globex's.
    expect(stdout).toMatch(/acme\s+chat\s+completed/)
    expect(stdout).toMatch(/acme\s+follow-up\s+completed/)
    expect(stdout).not.toMatch(/globex/)
    // And in `tracium report` for acme: both agents, one trace each.
    const report = await promisify(execFile)(
      process.execPath,
      [cli, 'report', '--dir', dir, '--tenant', 'acme', '--format', 'json'],
      { timeout: 20_000, encoding: 'utf8' },
    )
    const agents = JSON.parse(report.stdout).agents.map((row) => [row.agentName, row.traces])
    expect(agents.sort()).toEqual([
      ['chat', 1],
      ['follow-up', 1],
    ])
  })

  it('a chat without a tenant is a 401 and enqueues nothing', async () => {
    const before = await queue.count()
    const reply = await chat(undefined, 'no tenant')
    expect(reply.status).toBe(401)
    expect(await queue.count()).toBe(before)
  })
})
