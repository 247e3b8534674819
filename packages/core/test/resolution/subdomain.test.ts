import { describe, expect, it } from 'vitest'
import { fromSubdomain } from '../../src/index.js'
import { read, req } from './helpers.js'

describe('R8: fromSubdomain', () => {
  const source = fromSubdomain({ baseDomain: ['app.example.com', 'example.eu'] })

  it.each([
    ['acme.app.example.com', 'acme'],
    ['ACME.App.Example.COM', 'acme'],
    ['acme.app.example.com:8443', 'acme'],
    ['acme.app.example.com.', 'acme'],
    ['acme.app.example.com.:3000', 'acme'],
    ['beta.example.eu', 'beta'],
    ['xn--bcher-kva.app.example.com', 'xn--bcher-kva'],
    ['app.example.com', null], // the apex
    ['www.app.example.com', null], // reserved
    ['WWW.app.example.com', null],
    ['deep.acme.app.example.com', null], // more labels than configured
    ['acme.app.example.com.evil.io', null], // another domain
    ['acmeapp.example.com', null], // not a label boundary
    ['evilapp.example.com', null],
    ['127.0.0.1', null],
    ['127.0.0.1:8080', null],
    ['[::1]', null],
    ['[::1]:3000', null],
    ['::1', null],
    ['', null],
    ['-bad.app.example.com', 'TENANT_INVALID'],
    ['under_score.app.example.com', 'TENANT_INVALID'],
    ['bücher.app.example.com', 'TENANT_INVALID'], // raw Unicode: clients send punycode
  ])('Host: %s → %s', async (host, expected) => {
    expect(await read(source, req({ headers: { host } }))).toBe(expected)
  })

  it('nested base domains: the most specific one wins', async () => {
    const nested = fromSubdomain({ baseDomain: ['example.com', 'app.example.com'] })
    expect(await read(nested, req({ headers: { host: 'acme.app.example.com' } }))).toBe('acme')
    expect(await read(nested, req({ headers: { host: 'beta.example.com' } }))).toBe('beta')
  })

  it('no Host at all yields no tenant; HTTP/2 :authority is read', async () => {
    expect(await read(source, req())).toBeNull()
    expect(await read(source, req({ headers: { ':authority': 'acme.example.eu' } }))).toBe('acme')
  })

  it('ignores X-Forwarded-Host unless trustProxy', async () => {
    const headers = { host: 'acme.app.example.com', 'x-forwarded-host': 'evil.app.example.com' }
    expect(await read(source, req({ headers }))).toBe('acme')
    const proxied = fromSubdomain({ baseDomain: 'app.example.com', trustProxy: true })
    expect(await read(proxied, req({ headers }))).toBe('evil')
    const list = { host: 'internal', 'x-forwarded-host': 'first.app.example.com, proxy.local' }
    expect(await read(proxied, req({ headers: list }))).toBe('first')
  })

  it('labels: 2 takes two labels; custom reserved labels', async () => {
    const two = fromSubdomain({ baseDomain: 'example.com', labels: 2, reserved: ['api', 'www'] })
    expect(await read(two, req({ headers: { host: 'eu.acme.example.com' } }))).toBe('eu.acme')
    expect(await read(two, req({ headers: { host: 'acme.example.com' } }))).toBeNull()
    expect(await read(two, req({ headers: { host: 'api.acme.example.com' } }))).toBeNull()
  })

  it.each([
    ['no base domain', {}],
    ['an IP as base domain', { baseDomain: '10.0.0.1' }],
    ['an invalid base domain', { baseDomain: 'exa mple.com' }],
    ['zero labels', { baseDomain: 'example.com', labels: 0 }],
  ])('E3: refuses %s', (_name, options) => {
    expect(() => fromSubdomain(options as never)).toThrow(/^@tracium\/core: fromSubdomain/)
  })
})
