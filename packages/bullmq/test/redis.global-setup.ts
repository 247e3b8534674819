/**
 * Starts a real `redis-server` (Debian's package, 7.x) on 127.0.0.1 for the suite: a free port,
 * no persistence, its own temp dir. The port reaches the tests through `inject('redisPort')`.
 * Nothing is installed here: when redis-server is missing the suite fails with the command that
 * installs it. It never skips.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    redisPort: number
  }
}

const INSTALL = 'apt-get update && apt-get install -y redis-server'
const START_DEADLINE_MS = 15_000

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'tracium-bullmq-redis-'))
  const port = await freePort()
  const server = spawn(
    process.env.REDIS_SERVER ?? 'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  try {
    await ready(server, port)
  } catch (error) {
    server.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  project.provide('redisPort', port)
  return async () => {
    await stop(server)
    await rm(dir, { recursive: true, force: true })
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

/** Resolves once the server logged that it accepts connections and answered PING. */
function ready(server: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    const fail = (message: string) => {
      clearTimeout(timer)
      reject(new Error(`@tracium/bullmq tests: ${message}\n${output.slice(-2000)}`))
    }
    const timer = setTimeout(
      () => fail(`redis-server did not become ready within ${START_DEADLINE_MS} ms.`),
      START_DEADLINE_MS,
    )
    server.once('error', (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'ENOENT'
          ? `redis-server was not found on PATH. These tests need a real Redis (>= 6.2); ` +
              `install it with: ${INSTALL}`
          : `redis-server could not be started (${error.message}). Install it with: ${INSTALL}`,
      )
    })
    server.once('exit', (code, signal) => {
      fail(`redis-server exited before it was ready (code ${code}, signal ${signal}).`)
    })
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString()
      if (!output.includes('Ready to accept connections')) return
      server.stdout?.off('data', onOutput)
      server.stdout?.resume() // keep draining its log, or a full pipe would block the server
      ping(port).then(
        () => {
          clearTimeout(timer)
          server.removeAllListeners('exit')
          resolve()
        },
        (error: Error) => fail(`redis-server did not answer PING: ${error.message}`),
      )
    }
    server.stdout?.on('data', onOutput)
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
  })
}

function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    let reply = ''
    socket.setTimeout(5_000, () => socket.destroy(new Error('PING timed out')))
    socket.once('error', reject)
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (!reply.includes('\r\n')) return
      socket.end()
      if (reply.startsWith('+PONG')) resolve()
      else reject(new Error(`unexpected reply ${JSON.stringify(reply)}`))
    })
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}

function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => server.kill('SIGKILL'), 5_000)
    server.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    server.kill('SIGTERM')
  })
}
