import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createTenantResolver,
  fromCookie,
  fromHeader,
  fromPath,
  fromQuery,
  fromSubdomain,
  openRequestScope,
  TenantError,
  type TenantRequest,
  validateTenantId,
} from '../../src/index.js'

const resolver = createTenantResolver({
  resolve: [
    fromSubdomain({ baseDomain: ['app.example.com', 'example.eu'], labels: 1 }),
    fromHeader(),
    fromPath('/t/:tenant'),
    fromQuery('tenant'),
    fromCookie('tenant'),
  ],
})

const label = fc.stringMatching(/^[a-zA-Z0-9_-]{0,70}$/)
const host = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .tuple(
      label,
      fc.constantFrom('.app.example.com', '.example.eu', '.evil.io', ''),
      fc.constantFrom('', '.', ':80', ':x'),
    )
    .map((p) => p.join('')),
  fc.ipV4(),
  fc.ipV6().map((ip) => `[${ip}]:443`),
)
const headerValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
)

describe('property: the resolver returns a valid tenant or a TenantError, nothing else', () => {
  it('for arbitrary headers, hosts, paths, queries and cookies', async () => {
    await fc.assert(
      fc.asyncProperty(
        host,
        headerValue,
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.string({ maxLength: 100 }),
        async (hostValue, tenantHeader, path, cookie) => {
          const request: TenantRequest = {
            method: 'GET',
            url: `/t/${path}?tenant=${encodeURIComponent(path)}`,
            headers: { host: hostValue, 'x-tenant-id': tenantHeader, cookie },
          }
          const scope = openRequestScope()
          try {
            const { id } = await scope.run(() => resolver.resolve(request, scope))
            if (id !== null) expect(validateTenantId(id)).toBe(id)
          } catch (error) {
            if (!(error instanceof TenantError)) throw error
          }
        },
      ),
      { numRuns: 3000 },
    )
  })
})
