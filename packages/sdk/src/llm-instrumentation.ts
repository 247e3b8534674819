/**
 * LLM calls captured as the Python SDK captures them: when the app has the `openai` package,
 * OpenTelemetry's OpenAI instrumentation (`@opentelemetry/instrumentation-openai`) is turned on
 * against a tracer provider, so every `openai.chat.completions.create()` (and `embeddings`,
 * `responses`) is a `gen_ai` CLIENT span in the active context: the request's trace.
 *
 * How the patch reaches the app's `openai` (the instrumentation wraps the `create` methods on
 * the prototypes of `OpenAI.Chat.Completions`, `Embeddings` and `Responses`):
 * - A copy loaded LATER is patched by the instrumentation's own hooks: require-in-the-middle for
 *   `require('openai')`, import-in-the-middle for `import` (only when its loader hook is
 *   registered, see the README).
 * - A copy loaded BEFORE (the usual case in ESM, where static imports run before any code) is
 *   patched here, in place: the CommonJS build when it is in `require.cache`, the ESM build
 *   (`openai` ships both, with separate classes) by importing it, which gives the very module
 *   instance the app's `import OpenAI from 'openai'` got. Patching a prototype also reaches
 *   clients created before.
 *
 * `openai` is never a dependency: it is looked up from the app (the main script's folder, then
 * the working directory), and nothing happens when it is not installed. The instrumentation
 * patches only `openai` >=4.19 <7 and does nothing outside that range; a version outside is
 * reported once as a process warning rather than left silent.
 */
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { TracerProvider } from '@opentelemetry/api'
import { warnOnce } from './warn.js'

/**
 * The option of `init()` that turns LLM client instrumentation on or off.
 * @example
 * ```ts
 * tracium.init({ instrumentLlmClients: false }) // no gen_ai spans from openai
 * ```
 */
export interface LlmInstrumentationOptions {
  /**
   * Capture the calls of the `openai` client (>=4.19 <7) as `gen_ai` spans, through
   * `@opentelemetry/instrumentation-openai`, when `openai` is installed. `false` leaves the
   * client untouched. Default: `true`.
   */
  instrumentLlmClients?: boolean
}

/**
 * A running LLM client instrumentation, from {@link instrumentLlmClients}.
 * @example
 * ```ts
 * const llm = instrumentLlmClients(provider)
 * await llm?.ready // settled at once unless the ESM build had to be imported
 * llm?.disable()
 * ```
 */
export interface LlmInstrumentation {
  /** The `openai` package folders found (realpaths), each patched or hooked. */
  readonly packages: readonly string[]
  /**
   * Resolves once every copy already loaded is patched. Both builds are patched before
   * {@link instrumentLlmClients} returns, unless the ESM one could not be required then (see
   * `requireEsm`): it is imported, and this waits for it. Never rejects (a failure is a process
   * warning).
   */
  readonly ready: Promise<void>
  /** Unpatches every copy and stops the hooks. Idempotent. */
  disable(): void
}

/**
 * The `openai` versions `@opentelemetry/instrumentation-openai` 0.21 patches (its module
 * definition's `supportedVersions`; a test keeps the two equal).
 * @example
 * ```ts
 * isSupportedOpenAi('6.30.1') // true; '7.0.0' → false
 * ```
 */
export const SUPPORTED_OPENAI = '>=4.19.0 <7'

/**
 * `version` is in {@link SUPPORTED_OPENAI} (releases only, as the instrumentation).
 * @example
 * ```ts
 * isSupportedOpenAi('4.18.0') // false
 * ```
 */
export function isSupportedOpenAi(version: string): boolean {
  // Anchored, no nested quantifiers: linear in the version string.
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)
  if (match === null) return false
  const major = Number(match[1])
  return (major === 4 && Number(match[2]) >= 19) || major === 5 || major === 6
}

/** What this module uses of an OpenTelemetry instrumentation (structural: no type import). */
interface Instrumentation {
  setTracerProvider(provider: TracerProvider): void
  setMeterProvider(provider: unknown): void
  enable(): void
  disable(): void
  getModuleDefinitions(): ModuleDefinition[]
}
interface ModuleDefinition {
  supportedVersions: string[]
  patch?: (moduleExports: unknown, moduleVersion?: string) => unknown
  unpatch?: (moduleExports?: unknown, moduleVersion?: string) => void
}

interface OpenAiPackage {
  readonly root: string
  readonly version: string
  readonly cjsMain: string
  readonly esmEntry: string | null
}

/**
 * Turns on `@opentelemetry/instrumentation-openai` against `tracerProvider` when the app has
 * `openai`. Returns `null` when `options.instrumentLlmClients` is `false` (which also turns off
 * a running instrumentation), when no `openai` is installed, or when every copy found is outside
 * {@link SUPPORTED_OPENAI} (then a `TRACIUM_LLM_NOT_INSTRUMENTED` warning says so).
 *
 * There is one instrumentation per process: while it runs, another call only points it at the
 * new `tracerProvider` and returns the same handle (so `init()` may call it each time).
 *
 * The spans start in OpenTelemetry's active context, so they are children of the active span
 * (the request's trace) as long as a context manager is registered
 * (`provider.register()`, `NodeSDK`, or `context.setGlobalContextManager`). A span processor
 * such as `@tracium/otel`'s `traciumSpanProcessor()` on the provider stamps their tenant.
 *
 * @param tracerProvider the provider the `gen_ai` spans go to.
 * @param options Default: `{ instrumentLlmClients: true }`.
 * @example
 * ```ts
 * import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
 * import { traciumSpanProcessor } from '@tracium/otel'
 *
 * const provider = new NodeTracerProvider({ spanProcessors: [traciumSpanProcessor(), exporting] })
 * provider.register()
 * const llm = instrumentLlmClients(provider)
 * await llm?.ready
 * ```
 */
export function instrumentLlmClients(
  tracerProvider: TracerProvider,
  options: LlmInstrumentationOptions = {},
): LlmInstrumentation | null {
  if (options.instrumentLlmClients === false) {
    stopLlmInstrumentation()
    return null
  }
  if (active !== null) {
    active.instrumentation.setTracerProvider(tracerProvider)
    return active.handle
  }
  const found = findOpenAi()
  if (found.length === 0) return null
  const supported = found.filter((pkg) => isSupportedOpenAi(pkg.version))
  if (supported.length < found.length) {
    const outside = found.filter((pkg) => !supported.includes(pkg)).map((pkg) => pkg.version)
    warnOnce(
      'TRACIUM_LLM_NOT_INSTRUMENTED',
      `@tracium/sdk: openai ${outside.join(', ')} is outside the versions ` +
        `@opentelemetry/instrumentation-openai patches (${SUPPORTED_OPENAI}), so its calls ` +
        'are not captured as llm spans. Use openai 4.19 to 6.x, or wrap the calls in ' +
        "tracium.span({ spanType: 'llm' }), or pass instrumentLlmClients: false.",
    )
  }
  if (supported.length === 0) return null
  const instrumentation = loadInstrumentation()
  if (instrumentation === null) return null
  instrumentation.setTracerProvider(tracerProvider)
  // Hooks for copies loaded from now on (require-in-the-middle; import-in-the-middle when its
  // loader hook is registered).
  instrumentation.enable()
  const definition = instrumentation.getModuleDefinitions()[0]!
  const patched: unknown[] = []
  const patch = (moduleExports: unknown, version: string): void => {
    definition.patch?.(moduleExports, version)
    patched.push(moduleExports)
  }
  const esm: Promise<void>[] = []
  for (const pkg of supported) {
    // The CommonJS build, when the app has already required it; otherwise the require hook
    // patches it if it ever is required (loading it here would cost every ESM app for nothing).
    const loaded = requireCache()[pkg.cjsMain]
    if (loaded?.loaded) patch(loaded.exports, pkg.version)
    // The ESM build has its own classes. Required (or else imported), it is the instance the
    // app's `import` got (or will get: it is cached by URL), whether or not a loader hook is
    // registered.
    if (pkg.esmEntry === null) continue
    const required = requireEsm(pkg.esmEntry)
    if (required !== undefined) {
      patch(required, pkg.version)
      continue
    }
    esm.push(
      import(pathToFileURL(pkg.esmEntry).href).then(
        (namespace) => patch(namespace, pkg.version),
        (error: unknown) =>
          warnOnce(
            'TRACIUM_LLM_NOT_INSTRUMENTED',
            `@tracium/sdk: could not load openai's ESM build (${String(error)}); calls made ` +
              'through `import ... from "openai"` are not captured as llm spans.',
          ),
      ),
    )
  }
  const handle: LlmInstrumentation = {
    packages: supported.map((pkg) => pkg.root),
    ready: Promise.all(esm).then(() => undefined),
    disable() {
      if (active?.handle !== handle) return
      active = null
      instrumentation.disable()
      for (const moduleExports of patched) definition.unpatch?.(moduleExports)
    },
  }
  active = { instrumentation, handle }
  return handle
}

/**
 * Turns off the running instrumentation, if any (`shutdown()`). A later `init()` turns it on
 * again.
 * @internal
 * @example
 * ```ts
 * stopLlmInstrumentation() // openai is unpatched
 * ```
 */
export function stopLlmInstrumentation(): void {
  active?.handle.disable()
}

// One instrumentation per process: it patches openai's shared prototypes, and a second one
// would only unwrap the first's patch and wrap its own. A later call (init() again) points the
// running one at its provider instead.
let active: { instrumentation: Instrumentation; handle: LlmInstrumentation } | null = null

// `import.meta.url` is shimmed in the CJS build (tsdown `shims`), so both builds resolve the
// instrumentation from this package, as Node would for a static import. It is loaded only when
// the app has `openai`: it pulls in require-in-the-middle and import-in-the-middle.
function loadInstrumentation(): Instrumentation | null {
  try {
    // Not named `require`: in the CJS build the shim of import.meta.url calls the real one.
    const load = createRequire(import.meta.url)
    const { OpenAIInstrumentation } = load('@opentelemetry/instrumentation-openai') as {
      OpenAIInstrumentation: new (config: { enabled: boolean }) => Instrumentation
    }
    const { metrics } = load('@opentelemetry/api') as typeof import('@opentelemetry/api')
    const instrumentation = new OpenAIInstrumentation({ enabled: false })
    // Its metric histograms are class fields that its base constructor fills and the field
    // initializers then reset to undefined; NodeSDK/registerInstrumentations set the meter
    // provider again after construction, which creates them. Without it every call with
    // usage throws "Cannot read properties of undefined (reading 'record')" in a promise.
    instrumentation.setMeterProvider(metrics.getMeterProvider())
    return instrumentation
  } catch (error) {
    warnOnce(
      'TRACIUM_LLM_NOT_INSTRUMENTED',
      `@tracium/sdk: @opentelemetry/instrumentation-openai could not be loaded (${String(error)}); ` +
        'openai calls are not captured as llm spans. Reinstall @tracium/sdk.',
    )
    return null
  }
}

/**
 * The namespace of openai's ESM build, loaded synchronously (`require(esm)`, Node >= 20.19), so
 * it is patched before `init()` returns: a call right after it is captured, where an `import()`
 * patched it a moment later and a busy process could make the call first. `undefined` when it
 * cannot be required now (a module graph still evaluating, top-level await, the feature turned
 * off): then it is imported, and `ready` waits for it.
 */
function requireEsm(entry: string): unknown {
  if ((process.features as { require_module?: boolean }).require_module !== true) return undefined
  try {
    return createRequire(import.meta.url)(entry)
  } catch {
    return undefined
  }
}

function requireCache(): Record<string, { loaded: boolean; exports: unknown } | undefined> {
  return createRequire(import.meta.url).cache as never
}

/** The `openai` packages the app resolves: from the main script's folder, then the cwd. */
function findOpenAi(): OpenAiPackage[] {
  const bases = [process.argv[1] ? dirname(process.argv[1]) : null, process.cwd()]
  const found = new Map<string, OpenAiPackage>()
  for (const base of bases) {
    if (base === null) continue
    const pkg = openAiFrom(base)
    if (pkg !== null) found.set(pkg.root, pkg)
  }
  return [...found.values()]
}

function openAiFrom(base: string): OpenAiPackage | null {
  // resolve, not join: createRequire throws on a relative path (an argv[1] a launcher left relative).
  const load = createRequire(resolve(base, 'noop.js'))
  let cjsMain: string
  try {
    cjsMain = load.resolve('openai') // a realpath: one key per installed copy
  } catch {
    return null // not installed for this app
  }
  // openai's package.json is not in its `exports`: read it from the folder of its main file.
  for (let root = dirname(cjsMain), up = 0; up < 4; root = dirname(root), up++) {
    let manifest: { name?: unknown; version?: unknown; exports?: unknown }
    try {
      manifest = load(join(root, 'package.json'))
    } catch {
      continue
    }
    if (manifest.name !== 'openai') continue
    const entry = esmEntryOf(manifest.exports)
    return {
      root,
      version: typeof manifest.version === 'string' ? manifest.version : '',
      cjsMain,
      esmEntry: entry === null ? null : join(root, entry),
    }
  }
  return null
}

/** The file `import 'openai'` loads, from the `exports` field (`.` → import, else default). */
function esmEntryOf(exportsField: unknown): string | null {
  const root = (exportsField as Record<string, unknown> | null)?.['.']
  let target: unknown = root
  // Walks conditions `import`, `node`, then `default`: openai 4.19–6.x name `./index.mjs` there.
  for (let depth = 0; depth < 4 && typeof target === 'object' && target !== null; depth++) {
    const conditions = target as Record<string, unknown>
    target = conditions.import ?? conditions.node ?? conditions.default
  }
  return typeof target === 'string' && target.endsWith('.mjs') ? target : null
}
