/**
 * A Node binary that can run OpenTelemetry 3.x (engines `>=22.15.0`), for the 3.x suite: the
 * one running the tests when it is new enough (CI's Node 22 and 24 passes), else one that
 * `.ci/run` installed under the repository's `.cache/node-<version>` (the Node 20 pass, once CI
 * or a developer has installed it). `null` when there is none.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const MINIMUM = [22, 15] as const

function newEnough(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number)
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])
}

export function nodeForOtel3(): string | null {
  if (newEnough(process.version)) return process.execPath
  const cache = fileURLToPath(new URL('../../../.cache/', import.meta.url))
  if (!existsSync(cache)) return null
  for (const entry of readdirSync(cache).sort().reverse()) {
    const node = `${cache}${entry}/node_modules/.bin/node`
    if (!entry.startsWith('node-') || !existsSync(node)) continue
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
    if (newEnough(version)) return node
  }
  return null
}
