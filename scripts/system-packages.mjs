// The first step of `pnpm test`: the system programs the suites start themselves (Debian
// packages, since the npm registry has none of them). Each one missing is installed with
// apt-get when this machine can (root on Debian or Ubuntu); otherwise the run stops here with
// the exact command to run, instead of failing later inside a suite. It never starts anything:
// each suite starts and stops its own server on 127.0.0.1.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** program → the Debian package that provides it, and which suite needs it. */
const NEEDED = [
  { program: 'redis-server', pkg: 'redis-server', for: '@tracium/bullmq' },
  // The `tracium ui` browser tests drive Debian's chromium with playwright-core (a test tool's
  // own browser download does not work on these machines).
  { program: 'chromium', pkg: 'chromium', for: '@tracium/sdk (tracium ui browser tests)' },
]

const has = (program) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0
const missing = NEEDED.filter(({ program }) => !has(program))
if (missing.length === 0) process.exit(0)

const packages = missing.map((m) => m.pkg)
const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`
const canInstall = process.getuid?.() === 0 && existsSync('/etc/debian_version') && has('apt-get')
if (!canInstall) {
  console.error(
    `The test suites need ${missing.map((m) => `${m.program} (for ${m.for})`).join(', ')}, ` +
      `which ${missing.length === 1 ? 'is' : 'are'} not installed. Install, then run the tests again:\n\n` +
      `  sudo sh -c '${command}'\n`,
  )
  process.exit(1)
}
console.error(`Installing ${packages.join(', ')} for the test suites (apt-get)...`)
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env })
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env,
})
for (const { program } of missing) {
  if (!has(program)) {
    console.error(`apt-get ran, but ${program} is still missing. Run: ${command}`)
    process.exit(1)
  }
}
