import nodeHttp from 'node:http'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { spanRecord, traceRecord } from './fixtures.js'
import { onCleanup } from './helpers.js'
import { type Recorded, type Responder, recordingServer } from './helpers-http.js'

const okWithId: Responder = (r) =>
  r.path === '/agents/traces'
    ? { status: 201, body: '{"id":"srv-1"}' }
    : { status: 200, body: '{}' }

function exporter(url: string, options: tracium.TraciumHttpExporterOptions = {}) {
  const http = tracium.traciumHttpExporter({
    apiKey: 'sk_test_123',
    baseUrl: url,
    initialRetryDelayMs: 1,
    ...options,
  })
  onCleanup(() => http.shutdown(5_000))
  return http
}

/** Our headers, exactly: the server sees them as raw name/value pairs. */
function sentHeaders(request: Recorded): Record<string, string> {
  const ours = ['content-type', 'x-api-key', 'user-agent', 'x-tenant-id']
  const headers: Record<string, string> = {}
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!
    if (ours.includes(name.toLowerCase())) headers[name] = request.rawHeaders[i + 1]!
  }
  return headers
}

describe('traciumHttpExporter(): the Python SDK wire format, byte for byte', () => {
  it('creates the trace, posts its spans under the returned id, then completes it', async () => {
    const server = await recordingServer(okWithId)
    const http = exporter(server.url)
    http.export(
      traceRecord({
        modelId: 'gpt-4o-mini',
        version: '1.2.0',
        tags: ['prod', 'beta'],
        summary: { answered: true },
        spans: [
          spanRecord(),
          spanRecord({
            id: 'span-2',
            parentSpanId: 'span-1',
            spanType: 'tool',
            name: 'crm',
            status: 'failed',
            completedAt: null,
            latencyMs: null,
            modelId: null,
            inputTokens: null,
            outputTokens: null,
            cachedInputTokens: null,
            input: null,
            output: null,
            error: 'Error: 404',
          }),
        ],
      }),
    )
    expect(await http.flush(5_000)).toBe(true)

    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/agents/traces'],
      ['POST', '/agents/traces/srv-1/spans'],
      ['POST', '/agents/traces/srv-1/complete'],
    ])
    expect(server.requests.map((r) => r.body)).toEqual([
      '{"agent_name":"support-bot","model_id":"gpt-4o-mini","tags":["prod","beta"],' +
        '"trace_id":"trace-1","version":"1.2.0","tenant_id":"acme"}',
      '{"spans":[' +
        '{"id":"span-1","span_type":"llm","status":"completed",' +
        '"started_at":"2025-03-01T10:00:00.100Z","completed_at":"2025-03-01T10:00:00.900Z",' +
        '"name":"answer","parent_span_id":null,"model_id":"gpt-4o-mini","tenant_id":"acme",' +
        '"input":{"prompt":"Where is my order?"},"output":"It ships today.","error":null,' +
        '"latency_ms":800,"input_tokens":120,"output_tokens":45,"cached_input_tokens":20},' +
        '{"id":"span-2","span_type":"tool","status":"failed",' +
        '"started_at":"2025-03-01T10:00:00.100Z","completed_at":null,' +
        '"name":"crm","parent_span_id":"span-1","model_id":null,"tenant_id":"acme",' +
        '"input":null,"output":null,"error":"Error: 404",' +
        '"latency_ms":null,"input_tokens":null,"output_tokens":null,"cached_input_tokens":null}' +
        ']}',
      '{"summary":{"answered":true},"tags":["prod","beta"]}',
    ])
    for (const request of server.requests) {
      expect(sentHeaders(request)).toEqual({
        'Content-Type': 'application/json',
        'X-API-Key': 'sk_test_123',
        'User-Agent': 'tracium-js/0.1.0',
        'X-Tenant-ID': 'acme',
      })
    }
  })

  it('a failed trace ends with /fail and its error; optional fields and X-Tenant-ID are left out when unset', async () => {
    const server = await recordingServer() // answers {} without an id: the local id is used
    const http = exporter(server.url)
    http.export(traceRecord({ tenantId: null, status: 'failed', error: 'TimeoutError: model' }))
    http.export(traceRecord({ id: 'trace-2', tenantId: null }))
    await http.flush(5_000)
    // The two traces go out in parallel (concurrency), each in order.
    const calls = server.requests.map((r) => [r.path, r.body])
    const callsOf = (id: string) =>
      calls.filter(([path, body]) => path!.includes(`/${id}/`) || body!.includes(`"${id}"`))
    expect(calls).toHaveLength(4)
    expect(callsOf('trace-1')).toEqual([
      ['/agents/traces', '{"agent_name":"support-bot","trace_id":"trace-1"}'],
      ['/agents/traces/trace-1/fail', '{"error":"TimeoutError: model"}'],
    ])
    expect(callsOf('trace-2')).toEqual([
      ['/agents/traces', '{"agent_name":"support-bot","trace_id":"trace-2"}'],
      ['/agents/traces/trace-2/complete', '{}'],
    ])
    expect(server.requests.every((r) => !('x-tenant-id' in r.headers))).toBe(true)
  })

  it('posts at most 1000 spans per call, in order', async () => {
    const server = await recordingServer(okWithId)
    const http = exporter(server.url)
    const spans = Array.from({ length: 2500 }, (_, i) => spanRecord({ id: `s${i}` }))
    http.export(traceRecord({ spans }))
    await http.flush(5_000)
    const batches = server.requests
      .filter((r) => r.path.endsWith('/spans'))
      .map((r) => (JSON.parse(r.body).spans as Array<{ id: string }>).map((s) => s.id))
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500])
    expect(batches.flat()).toEqual(spans.map((s) => s.id))
  })

  it('sends a non-ASCII tenant id as its UTF-8 bytes', async () => {
    const server = await recordingServer()
    const http = exporter(server.url)
    http.export(traceRecord({ tenantId: 'müller-gmbh:東京' }))
    await http.flush(5_000)
    const raw = server.requests[0]!.headers['x-tenant-id'] as string
    expect(Buffer.from(raw, 'latin1').toString('utf8')).toBe('müller-gmbh:東京')
    expect(JSON.parse(server.requests[0]!.body).tenant_id).toBe('müller-gmbh:東京')
  })

  it('speaks the same format for traces made through the API', async () => {
    const server = await recordingServer(okWithId)
    const memory = tracium.memoryExporter()
    tracium.init({
      exporter: [memory, exporter(server.url)],
      defaultTags: ['prod'],
      defaultModelId: 'gpt-4o',
    })
    onCleanup(() => tracium.shutdown())
    tracium.withTenant('acme', () =>
      tracium.startTrace({ agentName: 'bot', version: '2' }, (trace) => {
        trace.span({ spanType: 'llm', input: 'q' }).setTokenUsage({ inputTokens: 3 }).end()
      }),
    )
    await tracium.flush()
    const trace = memory.traces[0]!
    const span = trace.spans[0]!
    expect(server.requests.map((r) => r.body)).toEqual([
      `{"agent_name":"bot","model_id":"gpt-4o","tags":["prod"],"trace_id":"${trace.id}","version":"2","tenant_id":"acme"}`,
      `{"spans":[{"id":"${span.id}","span_type":"llm","status":"completed","started_at":"${span.startedAt}","completed_at":"${span.completedAt}","name":"llm","parent_span_id":null,"model_id":"gpt-4o","tenant_id":"acme","input":"q","output":null,"error":null,"latency_ms":${Math.round(span.latencyMs!)},"input_tokens":3,"output_tokens":null,"cached_input_tokens":null}]}`,
      '{"tags":["prod"]}',
    ])
  })
})

describe('delivery: bounded queue, retries with backoff, fail-open', () => {
  it('retries 503 and 429 until the server recovers; nothing is lost', async () => {
    const answers = [503, 429, 500, 201, 200]
    const server = await recordingServer((r, i) =>
      i < answers.length ? { status: answers[i]!, body: '{"id":"srv-9"}' } : okWithId(r, i),
    )
    const http = exporter(server.url)
    http.export(traceRecord())
    expect(await http.flush(5_000)).toBe(true)
    expect(server.requests.map((r) => r.path)).toEqual([
      '/agents/traces',
      '/agents/traces',
      '/agents/traces',
      '/agents/traces',
      '/agents/traces/srv-9/complete',
    ])
    // Retries resend the same bytes.
    expect(new Set(server.requests.slice(0, 4).map((r) => r.body)).size).toBe(1)
    expect(http.stats()).toMatchObject({ enqueued: 2, sent: 2, failed: 0, successRate: 1 })
  })

  it('retries network errors: a server that drops the connection, then recovers', async () => {
    const server = await recordingServer((r, i) => (i < 2 ? 'destroy' : okWithId(r, i)))
    const http = exporter(server.url)
    http.export(traceRecord())
    await http.flush(5_000)
    expect(server.requests.map((r) => r.path)).toEqual([
      '/agents/traces',
      '/agents/traces',
      '/agents/traces',
      '/agents/traces/srv-1/complete',
    ])
    expect(http.stats()).toMatchObject({ sent: 2, failed: 0 })
  })

  it('gives up after maxRetries, counts the failure, and keeps delivering the rest', async () => {
    const errors: unknown[] = []
    const server = await recordingServer((r) =>
      r.path === '/agents/traces' ? { status: 502 } : { status: 200 },
    )
    const http = exporter(server.url, { maxRetries: 2, onError: (e) => errors.push(e) })
    http.export(traceRecord())
    expect(await http.flush(5_000)).toBe(true)
    // 1 try + 2 retries of the create; the completion still goes out under the local id.
    expect(server.requests.map((r) => r.path)).toEqual([
      '/agents/traces',
      '/agents/traces',
      '/agents/traces',
      '/agents/traces/trace-1/complete',
    ])
    expect(http.stats()).toMatchObject({ enqueued: 2, sent: 1, failed: 1, successRate: 0.5 })
    expect(errors[0]).toBeInstanceOf(tracium.TraciumHttpError)
    expect((errors[0] as tracium.TraciumHttpError).status).toBe(502)
  })

  it.each([401, 501])('does not retry a %i (only 429, 500, 502, 503, 504)', async (status) => {
    const server = await recordingServer(() => ({ status }))
    const http = exporter(server.url, { onError: () => {} })
    http.export(traceRecord())
    await http.flush(5_000)
    expect(server.requests).toHaveLength(2)
    expect(http.stats()).toMatchObject({ sent: 0, failed: 2 })
  })

  it('with no server at all, the app sees nothing and flush() still returns', async () => {
    const errors: unknown[] = []
    const http = exporter(`http://127.0.0.1:${await closedPort()}`, {
      maxRetries: 1,
      onError: (e) => errors.push(e),
    })
    expect(() => http.export(traceRecord())).not.toThrow()
    expect(await http.flush(5_000)).toBe(true)
    expect(http.stats()).toMatchObject({ enqueued: 2, sent: 0, failed: 2 })
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(TypeError) // fetch's network error
  })

  it('drops a whole trace when its calls do not fit in the queue', async () => {
    const server = await recordingServer(okWithId)
    const http = exporter(server.url, { maxQueueSize: 3 })
    http.export(traceRecord({ id: 'fits', spans: [spanRecord()] })) // 3 calls
    http.export(traceRecord({ id: 'dropped' })) // 2 more: no room
    await http.flush(5_000)
    expect(http.stats()).toMatchObject({ enqueued: 3, sent: 3, dropped: 2, capacity: 3 })
    expect(server.requests.some((r) => r.body.includes('dropped'))).toBe(false)
  })

  it('needs an API key and an http(s) base URL', () => {
    const saved = process.env.TRACIUM_API_KEY
    delete process.env.TRACIUM_API_KEY
    onCleanup(() => {
      if (saved !== undefined) process.env.TRACIUM_API_KEY = saved
    })
    expect(() => tracium.traciumHttpExporter()).toThrow(/TRACIUM_API_KEY/)
    expect(() => tracium.traciumHttpExporter({ apiKey: 'k', baseUrl: 'ftp://x' })).toThrow(
      tracium.TraciumError,
    )
    expect(() => tracium.traciumHttpExporter({ apiKey: 'k', baseUrl: 'not a url' })).toThrow(
      /baseUrl/,
    )
    for (const concurrency of [0, 1.5, Number.NaN]) {
      expect(() => tracium.traciumHttpExporter({ apiKey: 'k', concurrency })).toThrow(/concurrency/)
    }
  })
})

describe('concurrency: several traces at once, each trace in order', () => {
  it('sends up to `concurrency` traces at once; a trace is completed only after its creation', async () => {
    // The server answers in rounds of four held requests (or after 1 s, so nothing hangs): a
    // queue that sent one call at a time would show one request in flight, never four.
    const seen: string[] = []
    const held: Array<() => void> = []
    let inFlight = 0
    let most = 0
    let fallback: NodeJS.Timeout | undefined
    const releaseAll = () => {
      clearTimeout(fallback)
      for (const answer of held.splice(0)) answer()
    }
    const server = nodeHttp.createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      req.on('end', () => {
        most = Math.max(most, ++inFlight)
        const path = req.url ?? ''
        const id = path === '/agents/traces' ? JSON.parse(body).trace_id : path.split('/')[3]
        seen.push(`${id} ${path.split('/').at(-1)}`)
        held.push(() => {
          inFlight--
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
        })
        if (held.length === 4) return releaseAll()
        clearTimeout(fallback)
        fallback = setTimeout(releaseAll, 1_000)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.address() as net.AddressInfo

    const http = exporter(`http://127.0.0.1:${port}`, { concurrency: 4 })
    const ids = Array.from({ length: 8 }, (_, i) => `t${i}`)
    for (const id of ids) http.export(traceRecord({ id }))
    expect(await http.flush(10_000)).toBe(true)

    expect(most).toBe(4)
    expect(seen).toHaveLength(16)
    for (const id of ids) {
      expect(seen.indexOf(`${id} traces`)).toBeGreaterThanOrEqual(0)
      expect(seen.indexOf(`${id} complete`)).toBeGreaterThan(seen.indexOf(`${id} traces`))
    }
    expect(http.stats()).toMatchObject({ enqueued: 16, sent: 16, failed: 0 })
  })
})

/** A loopback port nobody listens on: taken from a server that is closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
