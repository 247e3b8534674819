/**
 * Option names are checked at `init()` / `trace()`: a misspelt option (most often the Python
 * SDK's snake_case, `api_key`) used to be ignored without a word, so the app ran with the
 * defaults. Now it fails at boot with the name to use (DESIGN.md E3).
 */
import { invalidArgument } from './errors.js'

/** The names `init()` takes; `trace()` adds its own (see request-traces.ts). */
export const INIT_OPTION_NAMES: readonly string[] = [
  'apiKey',
  'baseUrl',
  'endpoint',
  'headers',
  'dir',
  'defaultAgentName',
  'defaultModelId',
  'defaultVersion',
  'defaultTags',
  'defaultMetadata',
  'exporter',
  'maxQueueSize',
  'prices',
  'flushOnExit',
  'instrumentLlmClients',
]

/**
 * Throws for a key of `options` that is not in `known`, naming the camelCase spelling when the
 * key is a snake_case form of a known one.
 * @throws {TraciumError} `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * checkOptionNames({ api_key: 'k' }, INIT_OPTION_NAMES, 'init') // throws: did you mean "apiKey"?
 * ```
 */
export function checkOptionNames(options: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const camel = key.toLowerCase().replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    const match = known.find((name) => name.toLowerCase() === camel.toLowerCase())
    const hint =
      match === undefined
        ? `Known options: ${known.join(', ')}.`
        : `did you mean "${match}"? (the Python SDK's snake_case names are camelCase here)`
    throw invalidArgument(`unknown option "${key}" for ${fn}(): ${hint}`)
  }
}
