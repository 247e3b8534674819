import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as tracium from '@tracium/sdk'
import OpenAI from 'openai'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { startMockModel } from './mock-model.js'

describe('examples/complete', () => {
  let model
  let app
  const exporter = tracium.memoryExporter()
  beforeAll(async () => {
    model = await startMockModel()
    tracium.trace({ exporter })
    app = createApp({ openai: new OpenAI({ apiKey: 'mock-key', baseURL: model.baseURL }) })
  })
  afterAll(async () => {
    await tracium.shutdown()
    await model.close()
  })

  it('/chat answers through the mock model; the openai call is the trace’s llm span, with the tenant and tokens', async () => {
    const res = await request(app)
      .post('/chat')
      .set('x-tenant-id', 'acme')
      .send({ message: 'Hi there' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ tenant: 'acme', response: 'Hello! You asked: Hi there' })
    await tracium.flush()
    const trace = exporter.traces.find((t) => t.tenantId === 'acme')
    expect(trace).toBeDefined()
    const llm = trace.spans.find((s) => s.spanType === 'llm')
    expect(llm).toMatchObject({
      name: 'chat gpt-4', // the OpenAI instrumentation's span: the app made none
      tenantId: 'acme',
      inputTokens: 2,
      outputTokens: 7,
      modelId: 'gpt-4',
    })
  })

  it('a missing tenant is a 401 problem, as in the Python example', async () => {
    const res = await request(app).post('/chat').send({ message: 'Hi' })
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('TENANT_MISSING')
  })

  it('the demo sends traffic for several tenants and prints the per-tenant report', async () => {
    const server = fileURLToPath(new URL('./server.js', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, [server, '--demo'], {
      timeout: 30_000,
      // The demo reports from the local store: an API key in the environment would send the
      // traces to the Tracium API instead.
      env: { ...process.env, TRACIUM_API_KEY: '', TRACIUM_BASE_URL: '' },
    })
    expect(stdout).toMatch(
      /Sent 22 chats for 3 tenants \(22 answered\) and one without a tenant \(401\)/,
    )
    for (const tenant of ['acme', 'globex', 'initech'])
      expect(stdout).toMatch(new RegExp(`^${tenant}\\b`, 'm'))
    expect(stdout).toMatch(/\$/) // cost column, from the prices
    // It ends with the command that opens the dashboard on the demo's store, which it kept.
    const command = /tracium ui --dir (\S+)\n/.exec(stdout)
    expect(command).not.toBeNull()
    const dir = command[1]
    try {
      // Its traces are still there for the dashboard to read (one file or segments).
      expect(readdirSync(dir).length).toBeGreaterThan(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 40_000)

  it('--demo --ui serves the dashboard on the demo store until stopped, then removes the store', async () => {
    const server = fileURLToPath(new URL('./server.js', import.meta.url))
    const demo = spawn(process.execPath, [server, '--demo', '--ui', '--port', '0'], {
      env: { ...process.env, TRACIUM_API_KEY: '', TRACIUM_BASE_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise((resolve) => demo.once('exit', resolve))
    let output = ''
    const url = await new Promise((resolve, reject) => {
      demo.stdout.on('data', (chunk) => {
        output += chunk
        const found = /Tracium dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)
        if (found) resolve(found[1])
      })
      exited.then(() => reject(new Error(`the demo exited: ${output}`)))
    })
    const { report } = await (await fetch(`${url}api/tenants`)).json()
    expect(report.total.traces).toBe(23) // 22 chats and the request without a tenant
    const dir = /Tracium report: (\S+)\n/.exec(output)[1]
    demo.kill('SIGTERM')
    await exited
    expect(existsSync(dir)).toBe(false)
  }, 40_000)
})
