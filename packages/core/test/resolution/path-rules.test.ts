/**
 * `exclude` paths and `fromPath` patterns under a router's rule (issue 9, "Also"). The contract
 * suite proves each adapter states its framework's rule over real HTTP; this file pins the
 * matching itself and its cost: no rule is asked for unless something matches paths.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createTenantResolver,
  EXACT_PATH_RULES,
  expressPathRules,
  fastifyPathRules,
  fromHeader,
  fromPath,
  KOA_ROUTER_PATH_RULES,
  openRequestScope,
  type PathRules,
  type TenantRequest,
  type TraciumTenantOptions,
} from '../../src/index.js'
import { req } from './helpers.js'

const EXPRESS: PathRules = { caseSensitive: false, strict: false, decode: false }
const FASTIFY: PathRules = { caseSensitive: true, strict: true, decode: true }

function resolveWith(
  options: TraciumTenantOptions,
  pathRules: PathRules | ((request: TenantRequest) => PathRules),
  url: string,
  headers: Record<string, string> = {},
) {
  const resolver = createTenantResolver(options, { packageName: '@tracium/test', pathRules })
  const scope = openRequestScope()
  try {
    return scope.run(() => resolver.resolve(req({ url, headers }), scope))
  } catch (error) {
    return error
  }
}

/** Whether `url` skips resolution under `rules` (a required tenant would otherwise reject). */
function excluded(exclude: TraciumTenantOptions['exclude'], rules: PathRules, url: string) {
  const outcome = resolveWith({ required: true, exclude }, rules, url)
  return !(outcome instanceof Error)
}

describe('exclude under a router rule', () => {
  it.each([
    ['/health', true, true],
    ['/HEALTH', true, false],
    ['/health/', true, false],
    ['/HEALTH/?x=1', true, false],
    ['/health//', false, false],
    ['/%68ealth', false, true],
    ['/%48EALTH', false, false],
    ['/healthz', false, false],
  ])('%s: Express-like %s, Fastify-like %s', (url, express, fastify) => {
    expect(excluded(['/health'], EXPRESS, url)).toBe(express)
    expect(excluded(['/health'], FASTIFY, url)).toBe(fastify)
  })

  it('prefixes follow the case rule; an entry with a trailing slash follows the strict rule', () => {
    expect(excluded(['/public/*'], EXPRESS, '/PUBLIC/app.js')).toBe(true)
    expect(excluded(['/public/*'], FASTIFY, '/PUBLIC/app.js')).toBe(false)
    expect(excluded(['/public/*'], FASTIFY, '/%70ublic/app.js')).toBe(true)
    expect(excluded(['/docs/'], EXPRESS, '/docs')).toBe(true)
    expect(excluded(['/docs/'], FASTIFY, '/docs')).toBe(false)
  })

  it('RegExps and predicates see the path as received, with their own flags', () => {
    expect(excluded([/^\/health$/], EXPRESS, '/HEALTH')).toBe(false)
    expect(excluded([/^\/health$/i], FASTIFY, '/HEALTH')).toBe(true)
    expect(excluded((r) => r.url === '/%68ealth', FASTIFY, '/%68ealth')).toBe(true)
  })

  it('without an adapter rule, paths match exactly as received (the former behaviour)', () => {
    expect(excluded(['/health'], EXACT_PATH_RULES, '/HEALTH')).toBe(false)
    expect(excluded(['/health'], EXACT_PATH_RULES, '/health/')).toBe(false)
    expect(excluded(['/health'], EXACT_PATH_RULES, '/%68ealth')).toBe(false)
  })
})

describe('fromPath under a router rule', () => {
  const read = (rules: PathRules, url: string) => fromPath('/t/:tenant').read(req({ url }), rules)

  it('static segments follow the case and decoding rules; the tenant keeps its case', () => {
    expect(read(EXPRESS, '/T/Acme/chat')).toBe('Acme')
    expect(read(FASTIFY, '/T/Acme/chat')).toBeNull()
    expect(read(FASTIFY, '/%74/Acme/chat')).toBe('Acme')
    expect(read(EXPRESS, '/%74/Acme/chat')).toBeNull()
    expect(read(FASTIFY, '/t/ac%2Fme')).toBe('ac/me')
  })

  it('read without a rule (outside a resolver) matches exactly', () => {
    expect(fromPath('/t/:tenant').read(req({ url: '/T/acme' }))).toBeNull()
    expect(fromPath('/t/:tenant').read(req({ url: '/t/acme' }))).toBe('acme')
  })

  it('property: a case-insensitive rule matches every casing of the prefix, with the same tenant', () => {
    const source = fromPath('/tenants/:tenant')
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/),
        (upper, tenant) => {
          const prefix = [...'tenants'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')
          const url = `/${prefix}/${tenant}/x`
          expect(source.read(req({ url }), EXPRESS)).toBe(tenant)
          const exact = prefix === 'tenants' ? tenant : null
          expect(source.read(req({ url }), FASTIFY)).toBe(exact)
        },
      ),
    )
  })
})

describe('the rule is asked for only when something matches paths', () => {
  it('the default header source never calls the adapter rule', () => {
    let calls = 0
    const rule = () => {
      calls++
      return EXPRESS
    }
    const resolver = createTenantResolver(
      { resolve: fromHeader(), exclude: [/^\/x$/] },
      {
        pathRules: rule,
      },
    )
    const scope = openRequestScope()
    scope.run(() =>
      resolver.resolve(req({ url: '/HEALTH', headers: { 'x-tenant-id': 'a' } }), scope),
    )
    expect(calls).toBe(0)
  })

  it('once per request when exclude lists paths or fromPath is used', () => {
    for (const options of [{ exclude: ['/health'] }, { resolve: fromPath('/t/:tenant') }]) {
      let calls = 0
      const rule = () => {
        calls++
        return EXPRESS
      }
      const resolver = createTenantResolver(options, { pathRules: rule })
      for (let i = 0; i < 3; i++) {
        const scope = openRequestScope()
        scope.run(() => resolver.resolve(req({ url: '/t/acme' }), scope))
      }
      expect(calls).toBe(3)
    }
  })

  it('a complete pathMatching override never asks the adapter', () => {
    let calls = 0
    const outcome = resolveWith(
      {
        required: true,
        exclude: ['/health'],
        pathMatching: { caseSensitive: true, strict: true, decode: false },
      },
      () => {
        calls++
        return EXPRESS
      },
      '/HEALTH',
    )
    expect(outcome).toMatchObject({ code: 'TENANT_MISSING' })
    expect(calls).toBe(0)
  })

  it('a partial override is merged over the adapter rule', () => {
    const options = { required: true, exclude: ['/health'], pathMatching: { strict: true } }
    expect(resolveWith(options, EXPRESS, '/HEALTH')).toMatchObject({ id: null })
    expect(resolveWith(options, EXPRESS, '/health/')).toMatchObject({ code: 'TENANT_MISSING' })
  })
})

describe('framework rules', () => {
  it('Express: the app settings, read once per app', () => {
    let reads = 0
    const settings = new Map([['case sensitive routing', true]])
    const app = {
      enabled(name: string) {
        reads++
        return settings.get(name) === true
      },
    }
    const rules = expressPathRules(app)
    expect(rules).toEqual({ caseSensitive: true, strict: false, decode: false })
    expect(expressPathRules(app)).toBe(rules)
    expect(reads).toBe(2)
  })

  it('Express without an app (a bare router): the defaults', () => {
    expect(expressPathRules(undefined)).toEqual(EXPRESS)
    expect(expressPathRules({} as never)).toEqual(EXPRESS)
  })

  it("Fastify: routerOptions over the deprecated top-level names over Fastify's defaults", () => {
    expect(fastifyPathRules({})).toEqual(FASTIFY)
    expect(fastifyPathRules({ caseSensitive: false })).toMatchObject({ caseSensitive: false })
    expect(
      fastifyPathRules({
        caseSensitive: true,
        ignoreTrailingSlash: false,
        routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
      }),
    ).toEqual({ caseSensitive: false, strict: false, decode: true })
  })

  it("Koa: @koa/router's defaults", () => {
    expect(KOA_ROUTER_PATH_RULES).toEqual(EXPRESS)
  })
})

describe('options', () => {
  it.each([
    ['not an object', 'strict'],
    ['an unknown field', { caseSensitve: true }],
    ['a non-boolean field', { strict: 'yes' }],
  ])('pathMatching: %s is refused at creation', (_name, pathMatching) => {
    expect(() =>
      createTenantResolver({ pathMatching } as unknown as TraciumTenantOptions, '@tracium/express'),
    ).toThrow(/^@tracium\/express: option "pathMatching"/)
  })

  it('the second argument may still be the package name alone', () => {
    expect(() => createTenantResolver({ required: 1 } as never, '@tracium/koa')).toThrow(
      /^@tracium\/koa: option "required"/,
    )
  })
})
