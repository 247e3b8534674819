// fromBaggage: the tenant from W3C baggage, read only from callers a trust rule accepts. Over
// HTTP through an adapter in test/propagation/inbound-baggage.test.ts.
import { describe, expect, it } from 'vitest'
import { fromBaggage, type TenantRequest, TraciumOptionsError } from '../../src/index.js'
import { read, req } from './helpers.js'

const trusted = fromBaggage({ trust: () => true })

describe('fromBaggage', () => {
  it.each([
    ['tenant.id=acme', 'acme'],
    ['userId=1, tenant.id = acme ;prop=1 ,x=2', 'acme'],
    [`tenant.id=${encodeURIComponent('org 1:é,x')}`, 'org 1:é,x'],
    ['userId=1', null],
    ['tenant.idx=acme', null],
    ['tenant.id=a,tenant.id=b', 'TENANT_INVALID'],
    ['tenant.id=%E0%A4%A', 'TENANT_INVALID'],
    ['tenant.id=', 'TENANT_INVALID'],
    ['tenant.id=%20acme', 'TENANT_INVALID'],
  ])('%s → %s', async (baggage, expected) => {
    expect(await read(trusted, req({ headers: { baggage } }))).toBe(expected)
  })

  it('several baggage headers are one list; the key twice across them is TENANT_INVALID', async () => {
    expect(await read(trusted, req({ headers: { baggage: ['a=1', 'tenant.id=acme'] } }))).toBe(
      'acme',
    )
    expect(await read(trusted, req({ headers: { baggage: ['tenant.id=a', 'tenant.id=a'] } }))).toBe(
      'TENANT_INVALID',
    )
  })

  it('an untrusted caller is ignored (null: the next source is tried), sync or async', async () => {
    const headers = { baggage: 'tenant.id=acme', 'x-internal': 'yes' }
    const byHeader = (r: TenantRequest) => r.headers['x-internal'] === 'yes'
    expect(await read(fromBaggage({ trust: () => false }), req({ headers }))).toBeNull()
    expect(await read(fromBaggage({ trust: async () => false }), req({ headers }))).toBeNull()
    expect(await read(fromBaggage({ trust: async () => true }), req({ headers }))).toBe('acme')
    // only `true` trusts
    expect(await read(fromBaggage({ trust: () => 1 as never }), req({ headers }))).toBeNull()
    expect(await read(fromBaggage({ trust: byHeader }), req({ headers }))).toBe('acme')
  })

  it('a custom key', async () => {
    const source = fromBaggage({ trust: () => true, key: 'org' })
    expect(source.name).toBe('baggage:org')
    expect(await read(source, req({ headers: { baggage: 'tenant.id=x,org=acme' } }))).toBe('acme')
  })

  it('needs a trust rule', () => {
    expect(() => fromBaggage(undefined as never)).toThrow(TraciumOptionsError)
    expect(() => fromBaggage({} as never)).toThrow(/needs a trust rule/)
    expect(() => fromBaggage({ trust: () => true, key: '' })).toThrow(/"key"/)
  })
})
