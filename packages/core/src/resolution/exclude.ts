/** R6: decides once per request whether resolution is skipped. */
import type { ExcludeOption } from './options.js'
import { pathOf, type TenantRequest } from './request.js'

/** Compiles the `exclude` option into one predicate; `undefined` when nothing is excluded. */
export function compileExclude(
  exclude: ExcludeOption | undefined,
): ((request: TenantRequest) => boolean) | undefined {
  if (exclude === undefined) return undefined
  if (typeof exclude === 'function') return exclude
  if (exclude.length === 0) return undefined
  const exact = new Set<string>()
  const prefixes: string[] = []
  const patterns: RegExp[] = []
  for (const entry of exclude) {
    if (entry instanceof RegExp) patterns.push(entry)
    else if (entry.endsWith('/*')) {
      prefixes.push(entry.slice(0, -1)) // '/public/' matches below it…
      exact.add(entry.slice(0, -2)) // …and '/public' itself
    } else exact.add(entry)
  }
  return (request) => {
    const path = pathOf(request.url)
    if (exact.has(path)) return true
    for (const prefix of prefixes) {
      if (path.startsWith(prefix)) return true
    }
    for (const pattern of patterns) {
      pattern.lastIndex = 0
      if (pattern.test(path)) return true
    }
    return false
  }
}
