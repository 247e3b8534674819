// Starts one benchmark server (server.js) in its own process and talks to it over IPC: shared by
// run.js, perf-cell.js and paired.js, so every tool measures the same server the same way.
import { fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** This bench folder: the default `bench` of {@link startServer}. */
export const here = dirname(fileURLToPath(import.meta.url))

/**
 * Forks `<bench>/server.js <framework> <variant>` and resolves once it listens.
 *
 * @param {string} framework an app in `apps/`
 * @param {string} variant a cell's server variant (see server.js)
 * @param {{ bench?: string, execArgv?: string[], env?: object, cwd?: string }} [options]
 *   `bench`: the bench folder to run it from (a baseline checkout's); default this one.
 *   `execArgv`: Node flags; default `--expose-gc` (the memory soak forces GCs).
 *   `env`: added to this process's environment, with `NODE_ENV` `production` unless given.
 */
export function startServer(framework, variant, options = {}) {
  const { bench = here, execArgv = ['--expose-gc'], env = {}, cwd } = options
  const child = fork(join(bench, 'server.js'), [framework, variant], {
    execArgv,
    cwd,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${framework}/${variant} did not start`)),
      30_000,
    )
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${framework}/${variant} exited with ${code}`)))
    child.once('message', ({ port }) => {
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({
        port,
        child,
        /** Sends SIGTERM (server.js exits on it, writing any profile); resolves once it exited. */
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
        /** Asks the server for `'heap'` (after GC), `'cpu'` (time used) or `'exported'`. */
        ask: (what) =>
          new Promise((done) => {
            child.once('message', done)
            child.send(what)
          }),
      })
    })
  })
}

/**
 * A server must answer `GET /bench` with the tenant it was sent before it is timed: a broken app
 * is not a fast one. Throws otherwise.
 *
 * @param {number} port the server's port on 127.0.0.1
 * @param {Record<string, string>} headers what identifies the tenant (a header or a token)
 * @param {string} expected the tenant the answer must name
 */
export async function expectTenantAnswer(port, headers, expected) {
  const res = await fetch(`http://127.0.0.1:${port}/bench`, { headers })
  const body = await res.json()
  if (res.status !== 200 || body.tenant !== expected) {
    throw new Error(`expected tenant ${expected}, got ${res.status} ${JSON.stringify(body)}`)
  }
}
