/**
 * Fresh apps on the packed packages, installed the way a user installs them: `pnpm pack` of each
 * package (which turns `workspace:` ranges into versions, as publishing does), then `npm install`
 * of the tarballs in a directory outside the workspace, so nothing resolves through the
 * workspace's links or hoisting. Each app is compiled with its own `tsc` and run with this Node.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname
const fixtures = new URL('./apps/', import.meta.url).pathname

/** The workspace's own packages, by npm name → directory. */
const PACKAGES: ReadonlyMap<string, string> = new Map(
  readdirSync(join(root, 'packages')).map((dir) => [
    `@tracium/${dir}`,
    join(root, 'packages', dir),
  ]),
)

/** Packs every package into `into` with the workspace's pnpm; npm name → tarball path. */
export async function packAll(into: string): Promise<Map<string, string>> {
  const { packageManager } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
  const tarballs = new Map<string, string>()
  await Promise.all(
    [...PACKAGES].map(async ([name, dir]) => {
      const { stdout } = await run(
        'npx',
        ['-y', packageManager, 'pack', '--json', '--pack-destination', into],
        { cwd: dir },
      )
      tarballs.set(name, JSON.parse(stdout).filename)
    }),
  )
  return tarballs
}

/**
 * The version the workspace tests with, for a third-party dependency of a fixture app: what
 * pnpm installed for the test suites or for one of the packages, so the packed apps and the
 * suites use the same frameworks.
 */
async function workspaceVersion(name: string): Promise<string> {
  for (const dir of [join(root, 'test'), ...PACKAGES.values()]) {
    const manifest = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(manifest)) return JSON.parse(await readFile(manifest, 'utf8')).version
  }
  throw new Error(`packed apps: no workspace package installs ${name}; add it to test/package.json`)
}

/** One installed and compiled fixture app. */
export interface PackedApp {
  readonly dir: string
  /** The workspace packages it installed from tarballs. */
  readonly packages: readonly string[]
  /** `tsc -p .` of the app: its exit code and what it printed. */
  readonly compiled: { readonly code: number; readonly output: string }
}

/** Copies fixture `name` to a fresh directory, installs the tarballs and its frameworks, compiles. */
export async function installApp(
  name: string,
  tarballs: Map<string, string>,
  under: string,
): Promise<PackedApp> {
  const dir = join(under, name)
  await cp(join(fixtures, name), dir, { recursive: true })
  const manifestPath = join(dir, 'package.json')
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'))
  const packages = Object.keys(manifest.dependencies).filter((dep) => tarballs.has(dep))
  for (const dep of Object.keys(manifest.dependencies)) {
    const tarball = tarballs.get(dep)
    manifest.dependencies[dep] = tarball ? `file:${tarball}` : await workspaceVersion(dep)
  }
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2))
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    maxBuffer: 16 << 20,
  })
  const compiled = await run(join(dir, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: dir }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  )
  return { dir, packages, compiled }
}

/** A fresh directory outside the workspace for one run's tarballs and apps. */
export function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tracium-packed-'))
}

/** A started app server: its ports by name (from its `READY {...}` line) and how to stop it. */
export interface RunningApp {
  readonly ports: Record<string, number>
  /** Sends SIGTERM and resolves with the exit code and the output once the process has ended. */
  stop(): Promise<{ code: number | null; signal: string | null; output: string }>
}

/** Runs `dist/<script>` of `app` with this Node until it prints its READY line. */
export function startApp(app: PackedApp, script: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [join(app.dir, 'dist', script)], {
    cwd: app.dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  return new Promise<RunningApp>((resolve, reject) => {
    const stop = async () => {
      child.kill('SIGTERM')
      return { ...(await exited), output }
    }
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      const ready = /^READY (.*)$/m.exec(output)
      if (ready) resolve({ ports: JSON.parse(ready[1]!), stop }) // later calls do nothing
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    exited.then(({ code, signal }) =>
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${output}`)),
    )
  })
}
