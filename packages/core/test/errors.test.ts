import { describe, expect, it } from 'vitest'
import { isTenantError, TENANT_ERROR_STATUS, TenantError } from '../src/index.js'

describe('E1: TenantError', () => {
  it.each([
    ['TENANT_MISSING', 401],
    ['TOKEN_INVALID', 401],
    ['TENANT_INVALID', 400],
    ['TENANT_FORBIDDEN', 403],
    ['TENANT_CONFLICT', 403],
    ['TENANT_SCOPE_CLOSED', 500],
  ] as const)('%s has status %i, expose and cause', (code, status) => {
    const cause = new Error('inner')
    const err = new TenantError(code, 'message', { cause })
    expect(err).toBeInstanceOf(Error)
    expect(err).toMatchObject({
      name: 'TenantError',
      code,
      status,
      statusCode: status,
      expose: true,
      cause,
    })
    expect(TENANT_ERROR_STATUS[code]).toBe(status)
  })

  it('isTenantError recognises errors of another copy of core by shape', () => {
    const foreign = Object.assign(new Error('x'), { name: 'TenantError', code: 'TENANT_MISSING' })
    expect(isTenantError(foreign)).toBe(true)
    expect(isTenantError(new TenantError('TENANT_INVALID', 'x'))).toBe(true)
    expect(
      isTenantError(Object.assign(new Error('x'), { name: 'TenantError', code: 'NOPE' })),
    ).toBe(false)
    expect(isTenantError({ name: 'TenantError', code: 'TENANT_MISSING' })).toBe(false)
  })
})
