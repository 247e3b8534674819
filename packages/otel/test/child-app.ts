/**
 * Runs a fixture app in a child process: `node --import <setup> <app> <framework>`. A child,
 * because OpenTelemetry's instrumentation must be registered before `http`, express and fastify
 * are loaded (require-in-the-middle patches modules as they load), exactly as a user's
 * `node --import ./otel.mjs server.mjs` does; inside vitest's worker they are loaded already.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import { createInterface } from 'node:readline'

/** What the fixture routes answer. */
export interface Answer {
  readonly tenant: string | null
  readonly traceId: string
}

export interface ChildApp {
  readonly port: number
  /** The JSON line the app printed once listening. */
  readonly ready: Readonly<Record<string, unknown>>
  /** Everything the child wrote to stderr so far (warnings, crashes). */
  stderr(): string
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: Answer }>
  stop(): Promise<void>
}

export interface ChildAppOptions {
  /** The Node binary. Default: the one running the tests. */
  node?: string
  cwd: string
  setup: string
  app: string
  args?: string[]
  env: Record<string, string>
}

export async function startChildApp(options: ChildAppOptions): Promise<ChildApp> {
  const child: ChildProcess = spawn(
    options.node ?? process.execPath,
    ['--import', options.setup, options.app, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the app exited (${code}) before listening:\n${stderr}`)
  })
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string]
  const ready = JSON.parse(line) as { port: number }
  const { port } = ready
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 })
  return {
    port,
    ready,
    stderr: () => stderr,
    get(path, headers = {}) {
      return new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => {
              text += chunk
            })
            res.on('end', () =>
              resolve({ status: res.statusCode!, body: JSON.parse(text) as Answer }),
            )
          })
          .on('error', reject)
      })
    },
    async stop() {
      agent.destroy()
      if (child.exitCode !== null) return
      const exit = once(child, 'exit')
      child.kill('SIGKILL')
      await exit
    },
  }
}

/** The environment a user's app gets to export to `endpoint` (standard OTEL_* variables). */
export function otlpEnv(endpoint: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    // Deliver promptly (the test waits for the spans, it does not sleep) and keep every span
    // of the burst: the default queue of 2,048 is smaller than 1,100 requests x 3 spans.
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_BSP_MAX_QUEUE_SIZE: '20000',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  }
}
