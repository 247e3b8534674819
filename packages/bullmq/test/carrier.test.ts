/**
 * The job carrier without Redis: what tenantJob writes, what readJobCarrier and withJobTenant
 * accept and reject, and the OpenTelemetry traceparent (with the real api and context manager).
 */
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  getCurrentTenant,
  JOB_CARRIER_KEY,
  readJobCarrier,
  TenantError,
  TraciumOptionsError,
  tenantJob,
  withJobTenant,
  withTenant,
} from '../src/index.js'

describe('tenantJob', () => {
  it('adds the current tenant under the reserved key, leaving the input untouched', () => {
    const input = { format: 'csv' }
    const data = withTenant('acme', () => tenantJob(input))
    expect(data).toEqual({ format: 'csv', [JOB_CARRIER_KEY]: { 'x-tenant-id': 'acme' } })
    expect(input).toEqual({ format: 'csv' })
  })

  it('takes an explicit tenant, and null for none', () => {
    expect(withTenant('acme', () => tenantJob({}, 'globex'))).toEqual({
      __tracium: { 'x-tenant-id': 'globex' },
    })
    expect(withTenant('acme', () => tenantJob({}, null))).toEqual({ __tracium: {} })
  })

  it('accepts undefined data', () => {
    expect(withTenant('acme', () => tenantJob(undefined))).toEqual({
      __tracium: { 'x-tenant-id': 'acme' },
    })
  })

  it('replaces a carrier that came in with the data (client input cannot pick the tenant)', () => {
    const body = { q: 1, __tracium: { 'x-tenant-id': 'victim' } }
    expect(withTenant('acme', () => tenantJob(body))).toEqual({
      q: 1,
      __tracium: { 'x-tenant-id': 'acme' },
    })
  })

  it.each([
    ['an array', [1, 2]],
    ['a string', 'hello'],
    ['null', null],
    ['a class instance', new Date(0)],
  ])('rejects %s as data with a TypeError that says how to fix it', (_, data) => {
    expect(() => tenantJob(data as object)).toThrow(TypeError)
    expect(() => tenantJob(data as object)).toThrow(/^@tracium\/bullmq: .*Wrap the value/)
  })

  it('rejects an invalid explicit tenant with TENANT_INVALID', () => {
    expect(() => tenantJob({}, ' acme')).toThrow(
      expect.objectContaining({ code: 'TENANT_INVALID' }),
    )
  })
})

describe('readJobCarrier', () => {
  it('reads the tenant; no carrier and an empty carrier are null', () => {
    expect(readJobCarrier({ data: { __tracium: { 'x-tenant-id': 'acme' } } })).toEqual({
      tenantId: 'acme',
      traceparent: undefined,
      hasCarrier: true,
    })
    expect(readJobCarrier({ data: { __tracium: {} } })).toMatchObject({
      tenantId: null,
      hasCarrier: true,
    })
    for (const data of [undefined, null, 'text', [1], { other: 1 }]) {
      expect(readJobCarrier({ data })).toEqual({
        tenantId: null,
        traceparent: undefined,
        hasCarrier: false,
      })
    }
  })

  it.each([
    ['a number', 42],
    ['an array', ['acme', 'globex']],
    ['a comma list', 'acme,globex'],
    ['a control character', 'ac\u0000me'],
    ['leading white space', ' acme'],
    ['an empty string', ''],
    ['256 characters', 'a'.repeat(256)],
    ['an object', { id: 'acme' }],
  ])('rejects a tenant that is %s with TENANT_INVALID', (_, tenant) => {
    expect(() => readJobCarrier({ data: { __tracium: { 'x-tenant-id': tenant } } })).toThrow(
      expect.objectContaining({ name: 'TenantError', code: 'TENANT_INVALID' }),
    )
  })

  it.each([
    ['a string', 'acme'],
    ['an array', [{ 'x-tenant-id': 'acme' }]],
    ['null', null],
    ['a number', 1],
  ])('rejects a carrier that is %s with TENANT_INVALID', (_, carrier) => {
    expect(() => readJobCarrier({ data: { __tracium: carrier } })).toThrow(
      expect.objectContaining({ code: 'TENANT_INVALID' }),
    )
  })

  it('keeps a well-formed traceparent and drops a malformed one', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    expect(readJobCarrier({ data: { __tracium: { traceparent } } }).traceparent).toBe(traceparent)
    for (const bad of ['00-xyz', 42, `${traceparent}\n`, `x${traceparent}`]) {
      expect(readJobCarrier({ data: { __tracium: { traceparent: bad } } }).traceparent).toBe(
        undefined,
      )
    }
  })
})

describe('withJobTenant options', () => {
  it('throws a TraciumOptionsError for a missing processor or a bad option', () => {
    expect(() => withJobTenant(undefined as never)).toThrow(TraciumOptionsError)
    expect(() => withJobTenant(async () => 1, { required: 'yes' as never })).toThrow(
      /^@tracium\/bullmq: the required option must be true or false/,
    )
  })

  it('rejects with TENANT_MISSING under required: true, naming the fix', async () => {
    const run = withJobTenant(async () => 'ran', { required: true })
    await expect(run({ data: { n: 1 } })).rejects.toMatchObject({
      code: 'TENANT_MISSING',
      message: expect.stringContaining('tenantJob(data)'),
    })
    await expect(run({ data: { __tracium: {} } })).rejects.toBeInstanceOf(TenantError)
    await expect(run({ data: tenantJob({}, 'acme') })).resolves.toBe('ran')
  })

  it('runs detached from the context it is called in', async () => {
    const run = withJobTenant(async () => {
      await new Promise((resolve) => setImmediate(resolve))
      return getCurrentTenant()
    })
    const seen = await withTenant('outer', () => run({ data: tenantJob({}, 'inner') }))
    expect(seen).toBe('inner')
    expect(await withTenant('outer', () => run({ data: { n: 1 } }))).toBe(null)
  })
})

describe('traceparent with OpenTelemetry', () => {
  const manager = new AsyncLocalStorageContextManager()
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable())
  })
  afterAll(() => {
    context.disable()
  })

  it('carries the active span as a W3C traceparent, and nothing without a span', () => {
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    })
    const data = context.with(trace.setSpan(context.active(), span), () =>
      tenantJob({ n: 1 }, 'acme'),
    )
    expect(data.__tracium).toEqual({
      'x-tenant-id': 'acme',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    })
    expect(tenantJob({ n: 1 }, 'acme').__tracium).toEqual({ 'x-tenant-id': 'acme' })
    expect(readJobCarrier({ data }).traceparent).toBe(data.__tracium.traceparent)
  })
})
