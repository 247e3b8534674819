/**
 * A user's own OpenTelemetry 2.x set-up (instrumentation-http, the OTLP/proto exporter, our
 * processor) on Express and Fastify, exported to a real OTLP receiver: every span of every
 * request carries its request's tenant, the HTTP server span included.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChildApp, otlpEnv, startChildApp } from './child-app.js'
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js'
import { mismatches, sendInterleaved, spansOf } from './request-spans.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))

describe.each([
  { framework: 'express', setup: 'NodeSDK', file: './sdk-node-setup.mjs', duplicate: 'tenant.id' },
  {
    framework: 'fastify',
    setup: 'NodeTracerProvider',
    file: './provider-setup.mjs',
    duplicate: null,
  },
] as const)('$framework with $setup (OpenTelemetry 2.x)', ({ framework, file, duplicate }) => {
  let receiver: OtlpReceiver
  let app: ChildApp

  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    app = await startChildApp({
      cwd: fixtures,
      setup: file,
      app: './app.mjs',
      args: [framework],
      env: otlpEnv(receiver.url),
    })
  })
  afterAll(async () => {
    await app?.stop()
    await receiver?.close()
  })

  it('1,000 interleaved requests over 50 tenants: every span carries its own tenant', async () => {
    // 1,100 requests: 1,000 with a tenant (50 tenants, 20 each), every 11th with none.
    const sent = await sendInterleaved(app, 1100, 50, 11)
    expect(sent.filter((r) => r.tenant !== null)).toHaveLength(1000)
    expect(new Set(sent.map((r) => r.tenant)).size).toBe(51)
    const byTrace = await spansOf(receiver, sent)
    expect(mismatches(sent, byTrace, duplicate)).toEqual([])
  }, 120_000)

  it('a tenant set later by setTenant() in the route reaches the spans started before it', async () => {
    const res = await app.get('/late')
    expect(res.body.tenant).toBe('late-x')
    const byTrace = await spansOf(receiver, [{ tenant: 'late-x', traceId: res.body.traceId }])
    expect(
      mismatches([{ tenant: 'late-x', traceId: res.body.traceId }], byTrace, duplicate),
    ).toEqual([])
  })

  it('a background span under withTenant carries its tenant; one with no tenant carries none', async () => {
    await receiver.waitFor((spans) =>
      ['background-tenant', 'background-none'].every((n) => spans.some((s) => s.name === n)),
    )
    const named = (name: string) => receiver.spans.find((s) => s.name === name)!
    expect(named('background-tenant').attributes['tracium.user.id']).toBe('x')
    expect(named('background-none').attributes).not.toHaveProperty('tracium.user.id')
    expect(named('background-none').attributes).not.toHaveProperty('tenant.id')
    expect(app.stderr()).not.toMatch(/Error|TRACIUM_OTEL/)
  })
})
