/**
 * The processor in an OpenTelemetry 3.x provider (sdk-trace 3.1, api 1.10), which needs
 * Node >= 22.15: the app runs in a child process on such a binary (see `newer-node.ts`), from
 * its own fixture package. vitest.config.ts includes this file only when one is found.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChildApp, otlpEnv, startChildApp } from './child-app.js'
import { nodeForOtel3 } from './newer-node.js'
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js'
import { mismatches, sendInterleaved, spansOf } from './request-spans.js'

describe('express with an OpenTelemetry 3.x TracerProvider', () => {
  let receiver: OtlpReceiver
  let app: ChildApp

  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    app = await startChildApp({
      node: nodeForOtel3()!,
      cwd: fileURLToPath(new URL('./otel3/', import.meta.url)),
      setup: './setup.mjs',
      app: './app.mjs',
      env: otlpEnv(receiver.url),
    })
  })
  afterAll(async () => {
    await app?.stop()
    await receiver?.close()
  })

  it('runs 3.x on api 1.10', () => {
    expect(app.ready.api).toBe('1.10.0')
  })

  it('550 interleaved requests (500 over 50 tenants, 50 without): every span has its own', async () => {
    const sent = await sendInterleaved(app, 550, 50, 11)
    const byTrace = await spansOf(receiver, sent)
    expect(mismatches(sent, byTrace, 'tenant.id')).toEqual([])
  }, 120_000)

  it('setTenant() later in the route reaches the spans started before it (onEnding)', async () => {
    const res = await app.get('/late')
    const sent = [{ tenant: 'late-x', traceId: res.body.traceId as string }]
    expect(mismatches(sent, await spansOf(receiver, sent), 'tenant.id')).toEqual([])
  })

  it('background spans: withTenant carries its tenant, no tenant carries none', async () => {
    const names = ['background-tenant', 'background-none']
    await receiver.waitFor((spans) => names.every((n) => spans.some((s) => s.name === n)))
    const named = (name: string) => receiver.spans.find((s) => s.name === name)!
    expect(named('background-tenant').attributes['tracium.user.id']).toBe('x')
    expect(named('background-none').attributes).toEqual({})
  })
})
