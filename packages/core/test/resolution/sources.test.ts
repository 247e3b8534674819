import { describe, expect, it } from 'vitest'
import {
  fromCookie,
  fromHeader,
  fromPath,
  fromQuery,
  TraciumOptionsError,
} from '../../src/index.js'
import { read, req } from './helpers.js'

describe('R1/R7: fromHeader', () => {
  const source = fromHeader()
  it.each([
    ['the default header', { 'x-tenant-id': 'tenant-123' }, 'tenant-123'],
    ['no header', {}, null],
    ['a header sent twice (array)', { 'x-tenant-id': ['a', 'b'] }, 'TENANT_INVALID'],
    ['a header sent twice (joined by Node)', { 'x-tenant-id': 'a, b' }, 'TENANT_INVALID'],
    ['a comma list', { 'x-tenant-id': 'a,b' }, 'TENANT_INVALID'],
    ['an empty value', { 'x-tenant-id': '' }, 'TENANT_INVALID'],
    ['a control character', { 'x-tenant-id': 'a\u0007' }, 'TENANT_INVALID'],
    ['too long', { 'x-tenant-id': 'x'.repeat(256) }, 'TENANT_INVALID'],
    ['leading white space', { 'x-tenant-id': ' a' }, 'TENANT_INVALID'],
  ])('%s', async (_name, headers, expected) => {
    expect(await read(source, req({ headers }))).toBe(expected)
  })

  it('reads a custom header case-insensitively and names itself', async () => {
    const custom = fromHeader('X-Org-ID')
    expect(custom.name).toBe('header:x-org-id')
    expect(await read(custom, req({ headers: { 'x-org-id': 'org_1' } }))).toBe('org_1')
  })

  it('E3: refuses an invalid header name', () => {
    expect(() => fromHeader('bad header')).toThrow(TraciumOptionsError)
    expect(() => fromHeader('bad header')).toThrow(/^@tracium\/core: fromHeader/)
  })
})

describe('R1: fromQuery', () => {
  const source = fromQuery('tenant')
  it.each([
    ['/chat?tenant=acme', 'acme'],
    ['/chat?x=1&tenant=acme%3Aws', 'acme:ws'],
    ['/chat', null],
    ['/chat?other=1', null],
    ['/chat?tenant=a&tenant=b', 'TENANT_INVALID'],
    ['/chat?tenant=a,b', 'TENANT_INVALID'],
  ])('%s → %s', async (url, expected) => {
    expect(await read(source, req({ url }))).toBe(expected)
  })
})

describe('R1: fromCookie', () => {
  const source = fromCookie('tenant')
  it.each([
    ['tenant=acme', 'acme'],
    ['a=1; tenant=acme%20corp; b=2', 'acme corp'],
    ['tenant="quoted"', 'quoted'],
    ['other=1', null],
    ['tenant=a; tenant=b', 'TENANT_INVALID'],
    ['tenant=%E0%A4%A', 'TENANT_INVALID'],
  ])('Cookie: %s → %s', async (cookie, expected) => {
    expect(await read(source, req({ headers: { cookie } }))).toBe(expected)
  })

  it('uses cookies the framework parsed when there is no Cookie header', async () => {
    expect(await read(source, req({ cookies: { tenant: 'parsed' } }))).toBe('parsed')
  })
})

describe('R1: fromPath', () => {
  const source = fromPath('/t/:tenant')
  it.each([
    ['/t/acme/chat', 'acme'],
    ['/t/acme', 'acme'],
    ['/t/acme?x=1', 'acme'],
    ['/t/org%3A1/chat', 'org:1'],
    ['/t//chat', null],
    ['/t', null],
    ['/x/acme', null],
    ['/t/%E0%A4%A/chat', 'TENANT_INVALID'],
  ])('%s → %s', async (url, expected) => {
    expect(await read(source, req({ url }))).toBe(expected)
  })

  it('a deeper pattern matches its literal segments', async () => {
    const deep = fromPath('/api/v1/orgs/:org')
    expect(deep.name).toBe('path:org')
    expect(await read(deep, req({ url: '/api/v1/orgs/o1/users' }))).toBe('o1')
    expect(await read(deep, req({ url: '/api/v2/orgs/o1/users' }))).toBeNull()
  })

  it('reads a route parameter the framework parsed', async () => {
    expect(await read(fromPath({ param: 'org' }), req({ params: { org: 'o2' } }))).toBe('o2')
    expect(await read(fromPath({ param: 'org' }), req())).toBeNull()
  })

  it.each([
    ['no named segment', '/t/tenant'],
    ['two named segments', '/:a/:b'],
    ['no leading slash', 't/:tenant'],
  ])('E3: refuses a pattern with %s', (_name, pattern) => {
    expect(() => fromPath(pattern)).toThrow(/^@tracium\/core: fromPath/)
  })
})

describe('review fixes', () => {
  it('an absolute-form target is matched by its path', async () => {
    expect(
      await read(fromPath('/t/:tenant'), req({ url: 'http://x.example/t/acme/chat?q=1' })),
    ).toBe('acme')
  })
})
