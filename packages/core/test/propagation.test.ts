import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import {
  bindEmitter,
  extractTenant,
  getCurrentTenant,
  injectTenant,
  restoreWorkerTenant,
  TenantError,
  tenantWorkerData,
  withTenant,
} from '../src/index.js'

describe('bindEmitter', () => {
  it('listeners run with the tenant current when they were added, whoever emits', async () => {
    const emitter = bindEmitter(new EventEmitter())
    const seen: string[] = []
    withTenant('a', () => emitter.on('tick', () => seen.push(`on:${getCurrentTenant()}`)))
    withTenant('b', () => emitter.once('tick', () => seen.push(`once:${getCurrentTenant()}`)))
    withTenant('c', () =>
      emitter.prependListener('tick', () => seen.push(`prepend:${getCurrentTenant()}`)),
    )
    await withTenant('emitter', async () => {
      await sleep(1)
      emitter.emit('tick')
      emitter.emit('tick')
    })
    expect(seen).toEqual(['prepend:c', 'on:a', 'once:b', 'prepend:c', 'on:a'])
  })

  it('removeListener and off work with the original function, once listeners too', () => {
    const emitter = bindEmitter(new EventEmitter())
    const listener = () => {}
    withTenant('a', () => {
      emitter.on('x', listener)
      emitter.once('y', listener)
      emitter.prependOnceListener('z', listener)
    })
    expect(emitter.listeners('x')).toEqual([listener])
    emitter.off('x', listener)
    emitter.removeListener('y', listener)
    emitter.removeListener('z', listener)
    expect(
      emitter.listenerCount('x') + emitter.listenerCount('y') + emitter.listenerCount('z'),
    ).toBe(0)
  })

  it('binding twice does not wrap twice', () => {
    const emitter = bindEmitter(bindEmitter(new EventEmitter()))
    const seen: Array<string | null> = []
    withTenant('a', () => emitter.on('x', () => seen.push(getCurrentTenant())))
    emitter.emit('x')
    expect(seen).toEqual(['a'])
  })
})

describe('carriers: injectTenant / extractTenant', () => {
  it('round-trips the current tenant through a header map', () => {
    const headers = withTenant('acme', () => injectTenant({ accept: 'application/json' }))
    expect(headers).toEqual({ accept: 'application/json', 'x-tenant-id': 'acme' })
    expect(extractTenant(headers)).toBe('acme')
  })

  it('without a tenant removes a stale key, in any letter case', () => {
    expect(injectTenant({ 'X-Tenant-ID': 'old', a: 1 })).toEqual({ a: 1 })
  })

  it('reads Headers and Map carriers and any letter case', () => {
    expect(extractTenant(new Headers({ 'X-Tenant-Id': 'acme' }))).toBe('acme')
    expect(extractTenant(new Map([['x-tenant-id', 'acme']]))).toBe('acme')
    expect(extractTenant({ 'X-TENANT-ID': 'acme' })).toBe('acme')
    expect(extractTenant({})).toBeNull()
    expect(extractTenant(undefined)).toBeNull()
  })

  it.each([
    ['an array', { 'x-tenant-id': ['a', 'b'] }],
    ['a comma list', { 'x-tenant-id': 'a,b' }],
    ['a control character', { 'x-tenant-id': 'a\nb' }],
    ['an empty value', { 'x-tenant-id': '' }],
  ])('rejects %s with TENANT_INVALID', (_name, carrier) => {
    expect(() => extractTenant(carrier)).toThrow(TenantError)
  })
})

describe('worker_threads', () => {
  const script = new URL('./fixtures/tenant-worker.mjs', import.meta.url)

  it('a real worker restores the tenant handed over in workerData and serves per-message tenants', async () => {
    const worker = withTenant(
      'acme',
      () => new Worker(script, { workerData: tenantWorkerData({ job: 1 }) }),
    )
    try {
      const messages: Array<Record<string, unknown>> = []
      const done = new Promise<void>((resolve, reject) => {
        worker.on('error', reject)
        worker.on('message', (message) => {
          messages.push(message)
          if (messages.length === 21) resolve()
        })
      })
      for (let job = 0; job < 20; job++) {
        withTenant(`t-${job % 4}`, () => worker.postMessage(injectTenant({ job })))
      }
      await done
      expect(messages[0]).toEqual({ kind: 'start', restored: 'acme', current: 'acme' })
      const replies = messages.filter((m) => m.kind === 'reply')
      expect(replies).toHaveLength(20)
      for (const reply of replies) expect(reply.tenant).toBe(`t-${(reply.job as number) % 4}`)
    } finally {
      await worker.terminate()
    }
  })

  it('tenantWorkerData carries no tenant when none is set, and restore needs a worker', () => {
    expect(tenantWorkerData({ a: 1 })).toEqual({ data: { a: 1 } })
    expect(() => restoreWorkerTenant()).toThrow(/must run inside a worker/)
  })
})
