/**
 * The `tenantId` option (issue 9, "Also"): an id policy stricter than S6, and opt-in NFC.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ASCII_TENANT_ID,
  createTenantIdCheck,
  createTenantResolver,
  fromHeader,
  fromQuery,
  openRequestScope,
  problemResponse,
  SLUG_TENANT_ID,
  TenantError,
  type TenantIdPolicy,
  type TraciumTenantOptions,
  UUID_TENANT_ID,
  validateTenantId,
} from '../src/index.js'
import { req } from './resolution/helpers.js'

/** Resolves one request with the header `x-tenant-id: value`; the id, or the error. */
function resolveHeader(options: TraciumTenantOptions, value: string): string | null | TenantError {
  const resolver = createTenantResolver(options)
  const scope = openRequestScope()
  try {
    const tenant = scope.run(() =>
      resolver.resolve(
        req({ url: `/?tenant=${encodeURIComponent(value)}`, headers: { 'x-tenant-id': value } }),
        scope,
      ),
    )
    if (tenant instanceof Promise) throw new Error('expected a synchronous resolution')
    return tenant.id
  } catch (error) {
    if (error instanceof TenantError) return error
    throw error
  }
}

const HOSTILE = ['../etc/passwd', '..\\windows', '<script>alert(1)</script>', 'аcme', 'Acme', 'a b']

describe('without a policy (S6 only)', () => {
  it('accepts what S6 accepts, hostile-looking ids included: that is what the policy is for', () => {
    for (const id of HOSTILE) expect(resolveHeader({}, id)).toBe(id)
  })
})

describe('ready-made policies', () => {
  it.each([
    [
      'SLUG_TENANT_ID',
      SLUG_TENANT_ID,
      ['acme', 'acme-eu-1', 'a', '0'],
      ['Acme', '-acme', 'acme-', 'a_b', 'x'.repeat(64)],
    ],
    [
      'UUID_TENANT_ID',
      UUID_TENANT_ID,
      ['0b6f3c1e-8d6a-4c1e-9f3a-2b7d9e4a1c5f'],
      [
        '0B6F3C1E-8D6A-4C1E-9F3A-2B7D9E4A1C5F',
        '0b6f3c1e8d6a4c1e9f3a2b7d9e4a1c5f',
        'x0b6f3c1e-8d6a-4c1e-9f3a-2b7d9e4a1c5f',
      ],
    ],
    [
      'ASCII_TENANT_ID',
      ASCII_TENANT_ID,
      ['org_123:workspace_456', 'Acme', 'tenant-123', 'a.b'],
      ['.hidden', 'a/b', 'a%2Fb', 'é', 'a&b', '"a"'],
    ],
  ])('%s', (_name, policy, accepted, refused) => {
    for (const id of accepted)
      expect([id, resolveHeader({ tenantId: policy }, id)]).toEqual([id, id])
    for (const id of [
      ...refused,
      ...HOSTILE.filter((h) => h !== 'Acme' || policy !== ASCII_TENANT_ID),
    ]) {
      expect([id, resolveHeader({ tenantId: policy }, id)]).toEqual([
        id,
        expect.objectContaining({ code: 'TENANT_INVALID', status: 400 }),
      ])
    }
  })
})

describe('pattern', () => {
  it('is anchored: a match inside a longer id does not pass', () => {
    const policy = { pattern: /[a-z]+/ }
    expect(resolveHeader({ tenantId: policy }, 'acme')).toBe('acme')
    expect(resolveHeader({ tenantId: policy }, 'acme/../x')).toMatchObject({
      code: 'TENANT_INVALID',
    })
    expect(resolveHeader({ tenantId: policy }, '1acme')).toMatchObject({ code: 'TENANT_INVALID' })
  })

  it('an alternation is anchored as a whole', () => {
    const check = createTenantIdCheck({ pattern: /a|b/ })
    expect(check('a')).toBe('a')
    expect(() => check('ab')).toThrow(TenantError)
    expect(() => check('xb')).toThrow(TenantError)
  })

  it('g, y and m flags do not make it stateful or line-based; i and u are kept', () => {
    const check = createTenantIdCheck({ pattern: /acme/gimy })
    for (let i = 0; i < 3; i++) expect(check('ACME')).toBe('ACME')
    expect(createTenantIdCheck({ pattern: /\p{L}+/u })('café')).toBe('café')
  })
})

describe('validate', () => {
  it('only true accepts; the message does not echo the id', () => {
    const known = new Set(['acme'])
    const options = { tenantId: { validate: (id: string) => known.has(id) } }
    expect(resolveHeader(options, 'acme')).toBe('acme')
    const error = resolveHeader(options, '<script>evil</script>') as TenantError
    expect(error).toMatchObject({ code: 'TENANT_INVALID', status: 400 })
    const { status, body } = problemResponse(error)
    expect(status).toBe(400)
    expect(body).not.toMatch(/script|evil/)
    const truthy = { tenantId: { validate: () => 1 as unknown as boolean } }
    expect(resolveHeader(truthy, 'acme')).toMatchObject({ code: 'TENANT_INVALID' })
  })

  it('runs after S6 and the pattern, on the normalized id', () => {
    const seen: string[] = []
    const policy: TenantIdPolicy = {
      normalize: 'NFC',
      pattern: /\p{L}+/u,
      validate: (id) => {
        seen.push(id)
        return true
      },
    }
    resolveHeader({ tenantId: policy }, ' acme') // S6 refuses: validate never sees it
    resolveHeader({ tenantId: policy }, 'acme1') // the pattern refuses
    resolveHeader({ tenantId: policy }, 'cafe\u0301')
    expect(seen).toEqual(['caf\u00e9'])
  })

  it('an error it throws passes through, as with authorize', () => {
    const boom = new Error('db down')
    const policy = {
      validate: () => {
        throw boom
      },
    }
    expect(() => resolveHeader({ tenantId: policy }, 'acme')).toThrow(boom)
  })
})

describe("normalize: 'NFC'", () => {
  it('two spellings of one id are one tenant, also under consensus', () => {
    const nfd = 'cafe\u0301'
    const nfc = 'caf\u00e9'
    expect(resolveHeader({}, nfd)).toBe(nfd) // without it: two tenants
    expect(resolveHeader({ tenantId: { normalize: 'NFC' } }, nfd)).toBe(nfc)
    const resolver = createTenantResolver({
      resolve: [fromHeader(), fromQuery('tenant')],
      consensus: true,
      tenantId: { normalize: 'NFC' },
    })
    const scope = openRequestScope()
    const request = req({
      url: `/?tenant=${encodeURIComponent(nfc)}`,
      headers: { 'x-tenant-id': nfd },
    })
    expect(scope.run(() => resolver.resolve(request, scope))).toMatchObject({ id: nfc })
  })

  it('applies to defaultTenant', () => {
    const options = { defaultTenant: 'cafe\u0301', tenantId: { normalize: 'NFC' as const } }
    const resolver = createTenantResolver(options)
    const scope = openRequestScope()
    expect(scope.run(() => resolver.resolve(req(), scope))).toMatchObject({ id: 'caf\u00e9' })
  })

  it('property: idempotent, and the same tenant for every canonically equivalent spelling', () => {
    const check = createTenantIdCheck({ normalize: 'NFC' })
    const accepts = (v: string) => {
      try {
        return check(v)
      } catch {
        return undefined
      }
    }
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 40 }),
        (value) => {
          const id = accepts(value)
          if (id === undefined) return
          expect(accepts(id)).toBe(id)
          expect(accepts(value.normalize('NFD'))).toBe(id)
        },
      ),
    )
  })
})

describe('properties', () => {
  const permissive: TenantIdPolicy[] = [
    { pattern: /.*/su },
    { validate: () => true },
    { pattern: /[\s\S]*/, validate: () => true, normalize: 'NFC' },
    ASCII_TENANT_ID,
    SLUG_TENANT_ID,
  ]
  const anyValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.constantFrom(...HOSTILE, '', ' ', '\n', 'a\u0000b', '\ud800', 'x'.repeat(256)),
  )

  it('a policy never accepts what S6 rejects', () => {
    fc.assert(
      fc.property(anyValue, fc.constantFrom(...permissive), (value, policy) => {
        let accepted: string | undefined
        try {
          accepted = createTenantIdCheck(policy)(value)
        } catch (error) {
          expect(error).toMatchObject({ code: 'TENANT_INVALID' })
          return
        }
        expect(validateTenantId(accepted)).toBe(accepted)
      }),
    )
  })
})

describe('options (E3)', () => {
  it.each([
    ['not an object', 'slug', /option "tenantId" must be an object/],
    ['an unknown field', { regex: /a/ }, /option "tenantId" has unknown field "regex"/],
    ['a string pattern', { pattern: '[a-z]+' }, /option "tenantId.pattern" must be a RegExp/],
    [
      'a non-function validate',
      { validate: true },
      /option "tenantId.validate" must be a function/,
    ],
    ['NFKC', { normalize: 'NFKC' }, /option "tenantId.normalize" must be 'NFC'/],
  ])('%s is refused at creation', (_name, tenantId, message) => {
    expect(() =>
      createTenantResolver({ tenantId } as unknown as TraciumTenantOptions, '@tracium/koa'),
    ).toThrow(message)
    expect(() =>
      createTenantResolver({ tenantId } as unknown as TraciumTenantOptions, '@tracium/koa'),
    ).toThrow(/^@tracium\/koa: /)
  })

  it('a defaultTenant the policy refuses is refused at creation', () => {
    expect(() =>
      createTenantResolver(
        { defaultTenant: 'Anonymous', tenantId: SLUG_TENANT_ID },
        '@tracium/express',
      ),
    ).toThrow(/^@tracium\/express: option "defaultTenant" is not a valid tenant id/)
  })
})
