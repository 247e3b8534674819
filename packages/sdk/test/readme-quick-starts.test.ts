/**
 * The README's quick starts, run verbatim: each code block after a `<!-- quick-start:NAME -->`
 * marker is extracted and run in a child process with the built SDK (a file inside this package
 * imports `@tracium/sdk` by its own name). `npx tracium report` runs as the built CLI.
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { onCleanup, storedTraces } from './helpers.js'
import { receiver } from './otlp.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist/cli.mjs')

async function block(name: string): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const marker = `<!-- quick-start:${name} -->\n`
  const at = readme.indexOf(marker)
  if (at === -1) throw new Error(`README.md has no ${marker}`)
  const fence = readme.indexOf('\n', at + marker.length) + 1
  return readme.slice(fence, readme.indexOf('\n```', fence) + 1)
}

/** A fresh working directory inside the package, so `@tracium/sdk` resolves to itself. */
async function workDir(): Promise<string> {
  const dir = join(root, `.quick-start-${process.pid}-${Math.random().toString(36).slice(2)}`)
  await mkdir(dir)
  onCleanup(() => rm(dir, { recursive: true, force: true }))
  return dir
}

function run(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<{ stdout: string; stderr: string }> {
  const clean = { ...process.env }
  for (const key of Object.keys(clean)) if (/^(OTEL_|TRACIUM_)/.test(key)) delete clean[key]
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, env: { ...clean, ...env } }, (error, stdout, stderr) =>
      error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr }),
    )
  })
}

/** `export A=b` lines of a shell block, as an environment. */
function exportsOf(shell: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of shell.split('\n')) {
    const match = /^export ([A-Z_]+)=(.*)$/.exec(line)
    if (match) env[match[1]!] = match[2]!
  }
  return env
}

describe("the README's quick starts, verbatim", () => {
  it('no OpenTelemetry: init, the local store, then `npx tracium report`', async () => {
    const cwd = await workDir()
    await writeFile(join(cwd, 'app.mjs'), await block('local'))
    const { stderr } = await run(['app.mjs'], cwd, {})
    expect(stderr).toContain('local store')
    const stored = await storedTraces(join(cwd, '.tracium'))
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({
      tenantId: 'tenant-123',
      agentName: 'my-agent',
      inputTokens: 12,
      outputTokens: 5,
      spans: [{ name: 'answer', output: 'echo: What is my plan?', tenantId: 'tenant-123' }],
    })
    expect((await block('report')).trim()).toBe('npx tracium report')
    const { stdout } = await run([cli, 'report'], cwd, {})
    expect(stdout).toContain('tenant-123')
  })

  it('to a Tracium backend: three environment variables, spans over OTLP with the Bearer key', async () => {
    const otlp = await receiver()
    const cwd = await workDir()
    await writeFile(join(cwd, 'app.mjs'), await block('backend'))
    const env = exportsOf(await block('backend-env'))
    expect(Object.keys(env)).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'TRACIUM_API_KEY',
      'OTEL_SERVICE_NAME',
    ])
    // The one substitution: the receiver listens where the README says localhost:4318.
    await run(['app.mjs'], cwd, { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url })
    // The process exited: beforeExit flushed the batch.
    expect(otlp.spans.map((s) => s.name).sort()).toEqual(['answer', 'invoke_agent my-agent'])
    expect(otlp.requests[0]?.headers.authorization).toBe(`Bearer ${env.TRACIUM_API_KEY}`)
    for (const span of otlp.spans) {
      expect(span.attributes['tracium.user.id']).toBe('tenant-123')
      expect(span.resource['service.name']).toBe('my-agent')
    }
    expect(otlp.spans.find((s) => s.name === 'answer')?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
    })
    await expect(stat(join(cwd, '.tracium'))).rejects.toThrow(/ENOENT/) // no local store
  })
})
