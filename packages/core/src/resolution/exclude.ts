/** R6: decides once per request whether resolution is skipped. */
import type { ExcludeOption } from './options.js'
import { comparable, EXACT_PATH_RULES, type PathRules, withoutTrailingSlash } from './path-rules.js'
import { pathOf, type TenantRequest } from './request.js'

/** The compiled `exclude` option; `usesPathRules` when it lists paths the router's rule applies to. */
export interface ExcludeMatcher {
  (request: TenantRequest, rules?: PathRules): boolean
  readonly usesPathRules: boolean
}

interface PathEntries {
  readonly exact: ReadonlySet<string>
  readonly prefixes: readonly string[]
}

/** Compiles the `exclude` option into one predicate; `undefined` when nothing is excluded. */
export function compileExclude(exclude: ExcludeOption | undefined): ExcludeMatcher | undefined {
  if (exclude === undefined) return undefined
  if (typeof exclude === 'function') {
    const custom = (request: TenantRequest) => exclude(request)
    return Object.assign(custom, { usesPathRules: false })
  }
  if (exclude.length === 0) return undefined
  const paths: string[] = []
  const patterns: RegExp[] = []
  for (const entry of exclude) {
    if (entry instanceof RegExp) patterns.push(entry)
    else paths.push(entry)
  }
  // The entries as each case and trailing-slash rule compares them (decoding applies to the
  // request path only: entries are written decoded).
  const compiled = [false, true].flatMap((caseSensitive) =>
    [false, true].map((strict) => compilePaths(paths, caseSensitive, strict)),
  )
  const entriesFor = (rules: PathRules) =>
    compiled[(rules.caseSensitive ? 2 : 0) + (rules.strict ? 1 : 0)]!

  const matcher = (request: TenantRequest, rules: PathRules = EXACT_PATH_RULES) => {
    if (paths.length > 0) {
      const { exact, prefixes } = entriesFor(rules)
      let path = comparable(pathOf(request.url), rules)
      for (const prefix of prefixes) {
        if (path.startsWith(prefix)) return true
      }
      if (!rules.strict) path = withoutTrailingSlash(path)
      if (exact.has(path)) return true
    }
    if (patterns.length > 0) {
      // RegExps are the user's own: they see the path as received, with their own flags.
      const path = pathOf(request.url)
      for (const pattern of patterns) {
        pattern.lastIndex = 0
        if (pattern.test(path)) return true
      }
    }
    return false
  }
  return Object.assign(matcher, { usesPathRules: paths.length > 0 })
}

function compilePaths(
  paths: readonly string[],
  caseSensitive: boolean,
  strict: boolean,
): PathEntries {
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const entry of paths) {
    const path = caseSensitive ? entry : entry.toLowerCase()
    if (path.endsWith('/*')) {
      prefixes.push(path.slice(0, -1)) // '/public/' matches below it…
      exact.add(path.slice(0, -2)) // …and '/public' itself
    } else exact.add(strict ? path : withoutTrailingSlash(path))
  }
  return { exact, prefixes }
}
