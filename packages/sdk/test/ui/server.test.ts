/**
 * The dashboard's server over real HTTP on 127.0.0.1: read-only, strict headers, honest
 * statuses for bad queries, and no crash on a torn or hostile store.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { startUiServer } from '../../src/ui/server.js'
import { spanRecord, traceRecord } from '../fixtures.js'
import { onCleanup, tempDir } from '../helpers.js'
import { cli } from './harness.js'

const pageDir = fileURLToPath(new URL('../../dist/ui/', import.meta.url))

async function serve(dir: string) {
  const ui = await startUiServer({ dir, port: 0, pageDir })
  onCleanup(() => ui.close())
  return ui
}

/** A raw request, so the method and the Host header are exactly what the test says. */
function call(
  url: string,
  options: { method?: string; host?: string } = {},
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? target.host },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('tracium ui server', () => {
  it('is read-only: every method but GET and HEAD is 405 with Allow', async () => {
    const { url } = await serve(await tempDir())
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of ['', 'api/tenants']) {
        const res = await call(`${url}${path}`, { method })
        expect(res.status, `${method} /${path}`).toBe(405)
        expect(res.headers.allow).toBe('GET, HEAD')
        expect(res.headers['content-type']).toBe('application/problem+json')
      }
    }
    const head = await call(url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
  })

  it('serves the page with a strict CSP and answers only to its own Host (DNS rebinding)', async () => {
    const { url } = await serve(await tempDir())
    const page = await call(url)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    // The page names only its own files: no CDN.
    expect(page.body).not.toMatch(/https?:\/\//)
    const port = new URL(url).port
    expect((await call(url, { host: `localhost:${port}` })).status).toBe(200)
    expect((await call(url, { host: 'attacker.example' })).status).toBe(421)
    expect((await call(`${url}api/meta`, { host: `attacker.example:${port}` })).status).toBe(421)
  })

  it('bad queries are 400 with what is wrong; unknown paths and traces 404; no file outside the page', async () => {
    const { url } = await serve(await tempDir())
    const bad = {
      'api/tenants?from=yesterday-ish': '"from" is not a date/time',
      'api/tenants?status=broken': '"status" is one of ok, client-error, failed',
      'api/tenants?from=2025-03-02&to=2025-03-01': '"from" must be before "to"',
      'api/tenants?tenant=a&tenant=b': '"tenant" is given more than once',
      'api/series?bucket=week': '"bucket" is hour or day',
      'api/trace': '"id" is required',
    }
    for (const [path, detail] of Object.entries(bad)) {
      const res = await call(`${url}${path}`)
      expect(res.status, path).toBe(400)
      expect(JSON.parse(res.body)).toMatchObject({ status: 400, detail })
    }
    expect((await call(`${url}api/trace?id=nope`)).status).toBe(404)
    for (const path of [
      'nope',
      'api/nope',
      '..%2Fpackage.json',
      'assets/..%2F..%2Fcli.mjs',
      '%2e%2e/%2e%2e/package.json',
    ]) {
      expect((await call(`${url}${path}`)).status, path).toBe(404)
    }
  })

  it('before the app wrote its first trace, every view answers, empty', async () => {
    const { url } = await serve(join(await tempDir(), 'not-yet'))
    const tenants = JSON.parse((await call(`${url}api/tenants?from=2025-03-01`)).body)
    expect(tenants.report.total.traces).toBe(0)
    expect(JSON.parse((await call(`${url}api/meta`)).body).tenants).toEqual([])
    expect((await call(`${url}api/series`)).status).toBe(200)
    expect((await call(`${url}api/tenant?id=acme`)).status).toBe(200)
  })

  it('a torn or hostile store: lines skipped and counted, sums intact, the server keeps answering', async () => {
    const dir = await tempDir()
    const good = traceRecord({
      id: 'good',
      inputTokens: 10,
      spans: [
        spanRecord({ traceId: 'good', name: '<script>x</script>', input: '<img onerror=1>' }),
      ],
    })
    const lines = [
      JSON.stringify(good),
      JSON.stringify({ ...good, id: 'number-tenant', tenantId: 123 }),
      JSON.stringify({ ...good, id: 'string-tokens', inputTokens: 'lots' }),
      JSON.stringify({ ...good, id: 'bad-time', startedAt: 'yesterday' }),
      JSON.stringify({ ...good, id: 'spans-not-array', spans: 'nope' }),
      'null',
      '[]',
      '"a string"',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      '\u0000\u0001garbage',
      JSON.stringify(good).slice(0, 40), // torn by a crash
    ]
    await writeFile(join(dir, 'traces.jsonl'), `${lines.join('\n')}\n`)
    const { url } = await serve(dir)
    const tenants = JSON.parse((await call(`${url}api/tenants`)).body)
    // The report reads no spans, so a line whose spans are wrong still counts there (as in
    // `tracium report`); the full reader behind the trace view refuses it.
    expect(tenants.report.total.traces).toBe(2)
    expect(tenants.report.total.inputTokens).toBe(20)
    expect(tenants.report.skippedLines).toBe(lines.length - 2)
    for (const path of ['api/meta', 'api/series', 'api/tenant?id=acme', 'api/stamp']) {
      expect((await call(`${url}${path}`)).status, path).toBe(200)
    }
    const trace = await call(`${url}api/trace?id=good`)
    expect(trace.status).toBe(200)
    expect(JSON.parse(trace.body).spans[0].name).toBe('<script>x</script>')
    expect(trace.headers['content-type']).toBe('application/json; charset=utf-8')
    expect((await call(`${url}api/trace?id=spans-not-array`)).status).toBe(404)
  })

  it('a missing page is a start-up error that says how to fix it', async () => {
    await expect(startUiServer({ port: 0, pageDir: await tempDir() })).rejects.toThrow(
      /dashboard's page is missing from .*build @tracium\/sdk/,
    )
  })

  it('a port in use is exit 1 with what to do', async () => {
    const { url } = await serve(await tempDir())
    const port = new URL(url).port
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, 'ui', '--port', port], (error, _out, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stderr }),
      )
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `tracium: port ${port} is in use (another tracium ui?): pass --port <n>, or --port 0 for a free one\n`,
    )
  })

  it('the CLI rejects a bad --port as a usage error (exit 2)', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, 'ui', '--port', 'eighty'], (error, _out, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stderr }),
      )
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--port takes 0-65535, got "eighty"')
  })
})
