import diagnostics from 'node:diagnostics_channel'
import { describe, expect, it } from 'vitest'
import {
  createTenantResolver,
  fromHeader,
  fromJwt,
  fromQuery,
  openRequestScope,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TEXTS,
  problemDetails,
  problemResponse,
  requireTenant,
  TENANT_CHANNELS,
  TenantError,
  type TenantErrorCode,
  TraciumOptionsError,
  type TraciumTenantOptions,
} from '../../src/index.js'
import { req, resolve } from './helpers.js'

const header = fromHeader()
const query = fromQuery('tenant')
const both = req({ url: '/?tenant=from-query', headers: { 'x-tenant-id': 'from-header' } })

describe('R2: sources in order, first wins; consensus', () => {
  it.each([
    ['header first', [header, query], both, 'from-header'],
    ['query first', [query, header], both, 'from-query'],
    [
      'falls through a source without a value',
      [query, header],
      req({ headers: { 'x-tenant-id': 'h' } }),
      'h',
    ],
    ['async custom source', [async () => undefined, async () => 'async-one'], req(), 'async-one'],
  ] as const)('%s', async (_name, sources, request, expected) => {
    const { tenant } = await resolve({ resolve: [...sources] }, request)
    expect(tenant?.id).toBe(expected)
  })

  it('the first value wins without reading later sources', async () => {
    let laterRead = false
    const later = () => {
      laterRead = true
      return 'later'
    }
    await resolve({ resolve: [async () => 'first', later] }, req())
    expect(laterRead).toBe(false)
  })

  it('consensus: agreeing sources resolve, disagreeing ones are TENANT_CONFLICT (403)', async () => {
    const agree = req({ url: '/?tenant=a', headers: { 'x-tenant-id': 'a' } })
    expect((await resolve({ resolve: [header, query], consensus: true }, agree)).tenant?.id).toBe(
      'a',
    )
    const { code, error } = await resolve({ resolve: [header, query], consensus: true }, both)
    expect(code).toBe('TENANT_CONFLICT')
    expect((error as TenantError).status).toBe(403)
    const one = req({ headers: { 'x-tenant-id': 'only' } })
    expect((await resolve({ resolve: [header, query], consensus: true }, one)).tenant?.id).toBe(
      'only',
    )
  })

  it('an invalid value never falls through to the next source', async () => {
    const bad = req({ url: '/?tenant=good', headers: { 'x-tenant-id': 'a,b' } })
    expect((await resolve({ resolve: [header, query] }, bad)).code).toBe('TENANT_INVALID')
  })

  it('a custom source returning a non-string is TENANT_INVALID', async () => {
    const { code } = await resolve({ resolve: () => 42 as unknown as string }, req())
    expect(code).toBe('TENANT_INVALID')
  })
})

describe('R4: missing tenant', () => {
  it('by default the request proceeds with null', async () => {
    const { tenant, scopeTenant } = await resolve({}, req())
    expect(tenant).toEqual({ id: null, source: null })
    expect(scopeTenant).toBeNull()
  })

  it('required: TENANT_MISSING (401) naming where it looked', async () => {
    const { code, error } = await resolve({ required: true, resolve: [header, query] }, req())
    expect(code).toBe('TENANT_MISSING')
    expect((error as TenantError).status).toBe(401)
    expect((error as Error).message).toMatch(/header:x-tenant-id, query:tenant/)
  })

  it('defaultTenant substitutes', async () => {
    const { tenant, scopeTenant } = await resolve({ defaultTenant: 'anonymous' }, req())
    expect(tenant).toEqual({ id: 'anonymous', source: 'default' })
    expect(scopeTenant).toBe('anonymous')
  })

  it('the resolved tenant is set on the scope', async () => {
    const { scopeTenant } = await resolve({}, req({ headers: { 'x-tenant-id': 'acme' } }))
    expect(scopeTenant).toBe('acme')
  })
})

describe('R5: authorize', () => {
  const acme = req({ headers: { 'x-tenant-id': 'acme' } })
  type Authorize = () => boolean | Promise<boolean>
  it.each<[string, Authorize, string]>([
    ['true allows', () => true, 'acme'],
    ['false refuses', () => false, 'TENANT_FORBIDDEN'],
    ['async true allows', async () => true, 'acme'],
    ['async false refuses', async () => false, 'TENANT_FORBIDDEN'],
    [
      'undefined refuses (only true allows)',
      () => undefined as unknown as boolean,
      'TENANT_FORBIDDEN',
    ],
    [
      'a thrown TenantError is answered as such',
      () => {
        throw new TenantError('TENANT_MISSING', 'no')
      },
      'TENANT_MISSING',
    ],
  ])('%s', async (_name, authorize, expected) => {
    const { tenant, code } = await resolve({ authorize }, acme)
    expect(code ?? tenant?.id).toBe(expected)
  })

  it('any other error passes through unchanged (a server error, not a 403)', async () => {
    const outage = new Error('database down')
    const { code, error } = await resolve(
      {
        authorize: async () => {
          throw outage
        },
      },
      acme,
    )
    expect(code).toBeUndefined()
    expect(error).toBe(outage)
  })

  it('gets the tenant, the request and the source; the default tenant is not authorized', async () => {
    const calls: unknown[] = []
    const authorize = (id: string, request: { url: string }, details: { source: string }) => {
      calls.push([id, request.url, details.source])
      return true
    }
    await resolve({ authorize }, acme)
    await resolve({ authorize, defaultTenant: 'anonymous' }, req())
    expect(calls).toEqual([['acme', '/', 'header:x-tenant-id']])
  })
})

describe('R6: exclude', () => {
  it.each([
    [['/health'], '/health', true],
    [['/health'], '/health?probe=1', true],
    [['/health'], '/healthz', false],
    [['/public/*'], '/public/a/b', true],
    [['/public/*'], '/public', true],
    [['/public/*'], '/publicity', false],
    [[/^\/metrics/], '/metrics/x', true],
  ] as const)('%j excludes %s: %s', async (exclude, url, excluded) => {
    const { code } = await resolve({ exclude: [...exclude], required: true }, req({ url }))
    expect(code === undefined).toBe(excluded)
  })

  it('a predicate works too, and an excluded request has no tenant even with a header', async () => {
    const { tenant } = await resolve(
      { exclude: (r) => r.method === 'OPTIONS' },
      req({ method: 'OPTIONS', headers: { 'x-tenant-id': 'acme' } }),
    )
    expect(tenant?.id).toBeNull()
  })
})

describe('synchronous when every step is', () => {
  it('the header source resolves without a promise; an async source returns one', () => {
    const scope = openRequestScope()
    const sync = createTenantResolver().resolve(req({ headers: { 'x-tenant-id': 'a' } }), scope)
    expect(sync).toEqual({ id: 'a', source: 'header:x-tenant-id' })
    const async = createTenantResolver({ resolve: async () => 'b' }).resolve(req(), scope)
    expect(async).toBeInstanceOf(Promise)
    return async
  })

  it('a synchronous rejection throws', () => {
    const scope = openRequestScope()
    expect(() => createTenantResolver({ required: true }).resolve(req(), scope)).toThrow(
      TenantError,
    )
  })
})

describe('events: resolved and rejected', () => {
  it('publishes { scope, tenantId, source } and { scope, code }', async () => {
    const seen: unknown[] = []
    const onResolved = (m: unknown) => {
      const { tenantId, source } = m as { tenantId: string; source: string }
      seen.push(['resolved', tenantId, source])
    }
    const onRejected = (m: unknown) => seen.push(['rejected', (m as { code: string }).code])
    diagnostics.subscribe(TENANT_CHANNELS.resolved, onResolved)
    diagnostics.subscribe(TENANT_CHANNELS.rejected, onRejected)
    try {
      await resolve({}, req({ headers: { 'x-tenant-id': 'acme' } }))
      await resolve({ required: true }, req())
      await resolve({ resolve: async () => 'bad\n' }, req())
    } finally {
      diagnostics.unsubscribe(TENANT_CHANNELS.resolved, onResolved)
      diagnostics.unsubscribe(TENANT_CHANNELS.rejected, onRejected)
    }
    expect(seen).toEqual([
      ['resolved', 'acme', 'header:x-tenant-id'],
      ['rejected', 'TENANT_MISSING'],
      ['rejected', 'TENANT_INVALID'],
    ])
  })
})

describe('E3: options are checked once, with a message that says how to fix them', () => {
  it.each([
    ['an unknown option', { header: 'x' }, /unknown option "header"/],
    ['required not boolean', { required: 'yes' }, /"required" must be true or false/],
    [
      'an invalid defaultTenant',
      { defaultTenant: ' x' },
      /"defaultTenant" is not a valid tenant id/,
    ],
    ['required with defaultTenant', { required: true, defaultTenant: 'a' }, /contradict/],
    ['an empty resolve list', { resolve: [] }, /empty list/],
    ['a non-source', { resolve: ['x-tenant-id'] }, /"resolve"\[0\] is not a source/],
    ['a bad rejections', { rejections: 'throw' }, /"rejections" must be/],
    ['the old name onError', { onError: 'forward' }, /"onError" is now "rejections"/],
    [
      'a source factory that was not called',
      { resolve: [fromQuery('t'), fromJwt] },
      /"resolve"\[1\] is the source factory itself; call it .* fromJwt\(\{ secret \}\)/,
    ],
    [
      'a request instead of options (app.use(traciumTenant))',
      { method: 'GET', url: '/', headers: {} },
      /mounted without being called.* app\.use\(traciumTenant\(\)\)/,
    ],
    ['an exclude path without slash', { exclude: ['health'] }, /use paths starting with "\/"/],
    ['authorize not a function', { authorize: true }, /"authorize" must be a function/],
  ])('%s', (_name, options, message) => {
    const create = () => createTenantResolver(options as TraciumTenantOptions, '@tracium/express')
    expect(create).toThrow(TraciumOptionsError)
    expect(create).toThrow(message)
    expect(create).toThrow(/^@tracium\/express: /)
  })
})

describe('E2: problem details', () => {
  it('an RFC 9457 body with the code, no stack', () => {
    const err = new TenantError('TENANT_MISSING', 'Mount the middleware before this route.')
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json')
    expect(problemDetails(err)).toEqual({
      type: 'urn:tracium:problem:tenant-missing',
      title: 'Tenant required',
      status: 401,
      detail: 'This request needs a tenant and none was given.',
      code: 'TENANT_MISSING',
    })
  })

  it.each(Object.keys(PROBLEM_TEXTS) as TenantErrorCode[])(
    '%s: the client gets the table text, never the developer message (issue 9, defect 5)',
    (code) => {
      const advice = 'Mount the Tracium tenant middleware for this route (how-to-fix).'
      const { body } = problemResponse(new TenantError(code, advice))
      expect(body).not.toContain('Mount')
      expect(JSON.parse(body)).toMatchObject({ code, ...PROBLEM_TEXTS[code] })
    },
  )

  it("requireTenant()'s how-to-fix advice stays in the message", () => {
    let error: unknown
    try {
      requireTenant()
    } catch (caught) {
      error = caught
    }
    expect((error as TenantError).message).toMatch(/Mount the Tracium tenant middleware/)
    expect(problemResponse(error as TenantError).body).not.toMatch(/middleware|withTenant/)
  })
})
