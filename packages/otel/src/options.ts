/**
 * The processor's options, checked once when it is created (DESIGN.md E3).
 */
import { TraciumOptionsError } from '@tracium/core'
import { TENANT_ATTRIBUTE } from './tenant-attributes.js'

/** Options of {@link traciumSpanProcessor}. */
export interface TraciumSpanProcessorOptions {
  /**
   * A second attribute that carries the tenant too, beside `tracium.user.id`. Tracium's backend
   * turns every attribute outside its reserved prefixes (`tracium.`, `gen_ai.`, `llm.`,
   * `traceloop.`) into a cost-allocation dimension, so a duplicate such as `'tenant.id'` makes
   * tenants appear in its allocation view as well. Off by default: an app may already use
   * `tenant.id` for something else, and every span would carry the id twice.
   *
   * Default: none.
   * @example
   * ```ts
   * traciumSpanProcessor({ duplicateAttribute: 'tenant.id' })
   * ```
   */
  duplicateAttribute?: string
}

const PACKAGE = '@tracium/otel'
const RESERVED_PREFIXES = ['tracium.', 'gen_ai.', 'llm.', 'traceloop.']

/** The options with every check done; what the processor reads per span. */
export interface ResolvedOptions {
  readonly duplicateAttribute: string | null
}

export function resolveOptions(options: TraciumSpanProcessorOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    fail(`the options must be an object, got ${options === null ? 'null' : typeof options}.`)
  }
  const known = new Set(['duplicateAttribute'])
  for (const key of Object.keys(options)) {
    if (!known.has(key)) fail(`unknown option "${key}". Known options: duplicateAttribute.`)
  }
  const { duplicateAttribute } = options
  if (duplicateAttribute === undefined) return { duplicateAttribute: null }
  if (typeof duplicateAttribute !== 'string' || duplicateAttribute.trim() === '') {
    fail("duplicateAttribute must be a non-empty attribute name such as 'tenant.id'.")
  }
  if (duplicateAttribute === TENANT_ATTRIBUTE) {
    fail(`duplicateAttribute must differ from ${TENANT_ATTRIBUTE}, which is always set.`)
  }
  const reserved = RESERVED_PREFIXES.find((prefix) => duplicateAttribute.startsWith(prefix))
  if (reserved !== undefined) {
    fail(
      `duplicateAttribute "${duplicateAttribute}" starts with "${reserved}", which Tracium's ` +
        "backend reserves and leaves out of its allocation view. Use a name like 'tenant.id'.",
    )
  }
  return { duplicateAttribute }
}

function fail(message: string): never {
  throw new TraciumOptionsError(`${PACKAGE}: ${message}`)
}
