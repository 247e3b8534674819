import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_TENANT_ID_LENGTH, TenantError, validateTenantId } from '../src/index.js'

/** S6 written independently of the implementation, as the oracle for the property tests. */
function isValidPerS6(value: unknown): boolean {
  if (typeof value !== 'string' || !value.isWellFormed()) return false
  const length = [...value].length
  if (length < 1 || length > 255) return false
  if ([...value].some((ch) => /\p{Cc}/u.test(ch))) return false
  return value.trim() === value && value.replace(/^\uFEFF|\uFEFF$/g, '') === value
}

function rejects(value: unknown): TenantError {
  try {
    validateTenantId(value)
  } catch (err) {
    expect(err).toBeInstanceOf(TenantError)
    return err as TenantError
  }
  throw new Error(`accepted ${JSON.stringify(value)}`)
}

describe('S6: tenant id format', () => {
  it.each([
    '550e8400-e29b-41d4-a716-446655440000',
    'acme-corp',
    'org_123456',
    'customer_abc123',
    'org_123:workspace_456',
    'a',
    'Ünïcödé-テナント',
    '😀'.repeat(255),
    'x'.repeat(MAX_TENANT_ID_LENGTH),
    'inner space is fine',
  ])('accepts %s', (id) => {
    expect(validateTenantId(id)).toBe(id)
  })

  it.each([
    ['empty', ''],
    ['256 characters', 'x'.repeat(256)],
    ['256 emoji', '😀'.repeat(256)],
    ['a newline', 'acme\nadmin'],
    ['a NUL', 'acme\0'],
    ['DEL', 'acme\x7f'],
    ['a C1 control', 'acme\x85'],
    ['leading space', ' acme'],
    ['trailing tab', 'acme\t'],
    ['trailing no-break space', 'acme\u00a0'],
    ['leading BOM', '\ufeffacme'],
    ['a lone surrogate', 'acme\ud800'],
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an array', ['acme']],
    ['an object', { id: 'acme' }],
  ])('rejects %s with TENANT_INVALID (400)', (_name, value) => {
    const err = rejects(value)
    expect(err.code).toBe('TENANT_INVALID')
    expect(err.status).toBe(400)
  })

  it('does not echo the rejected value in the message', () => {
    expect(rejects('secret-token\n').message).not.toContain('secret-token')
  })

  const anyValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ maxLength: 600 }),
    fc.anything(),
  )

  it('S6 property: never accepts an invalid id, never throws anything but TenantError', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        let accepted = false
        try {
          accepted = validateTenantId(value) === value
        } catch (err) {
          if (!(err instanceof TenantError) || err.code !== 'TENANT_INVALID') throw err
        }
        expect(accepted).toBe(isValidPerS6(value))
      }),
      { numRuns: 2000 },
    )
  })

  it('S6 property: accepts every id of S6', () => {
    const printable = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 255 })
      .map((s) => s.replace(/\p{Cc}/gu, '_'))
      .map((s) => s.replace(/^\s+|\s+$/gu, '').replace(/^\uFEFF+|\uFEFF+$/g, ''))
      .filter((s) => s.length > 0 && isValidPerS6(s))
    fc.assert(
      fc.property(printable, (id) => {
        expect(validateTenantId(id)).toBe(id)
      }),
      { numRuns: 2000 },
    )
  })
})
