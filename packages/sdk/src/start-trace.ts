/**
 * `startTrace()`: the Python SDK's `start_trace` context manager, as a callback or a handle.
 */
import type { Client } from './client.js'
import { invalidArgument } from './errors.js'
import { getClient } from './init.js'
import {
  LIMITS,
  normalizeTags,
  optionalText,
  validateAgentName,
  validateMetadata,
  validateTraceId,
} from './limits.js'
import { runToEnd } from './run-to-end.js'
import { Trace, type TraceStart } from './trace.js'

/**
 * Options of {@link startTrace}.
 * @example
 * ```ts
 * tracium.startTrace({ agentName: 'support-bot', tags: ['beta'], metadata: { plan: 'pro' } })
 * ```
 */
export interface StartTraceOptions {
  /** Up to 256 characters of `[A-Za-z0-9 ._-]`. Default: `init`'s `defaultAgentName` (`'app'`). */
  agentName?: string
  /** Up to 256 characters. Default: `init`'s `defaultModelId`. */
  modelId?: string
  /** Up to 128 characters. Default: `init`'s `defaultVersion`. */
  version?: string
  /** Merged after `init`'s `defaultTags`; at most 100 of 128 characters. Default: none. */
  tags?: string[]
  /** Merged over `init`'s `defaultMetadata`; at most 1 MB as JSON. Default: none. */
  metadata?: Record<string, unknown>
  /** Up to 256 characters of `[A-Za-z0-9_-]`. Default: the root span's OpenTelemetry trace id. */
  traceId?: string
}

/**
 * Starts a trace. The tenant of the current context is recorded now (S5), so the trace keeps it
 * even when it ends after the request.
 *
 * With `fn`: runs `fn(trace)` with the trace current (for `tracium.span()` and
 * `currentTrace()`), completes the trace when `fn` returns or resolves, marks it failed when `fn`
 * throws or rejects (and rethrows), and returns `fn`'s result.
 *
 * Without `fn`: returns the running trace; end it with `end()` / `fail(err)`, or let
 * `using` / `await using` end it. A handle is not made current (that would need
 * `AsyncLocalStorage.enterWith`, which leaks into later requests); call `trace.span()` on it, or
 * `trace.run(fn)`.
 *
 * @throws {TraciumError} `INVALID_ARGUMENT` for options that break a limit.
 * @example
 * ```ts
 * const answer = await tracium.startTrace({ agentName: 'support-bot' }, async (trace) => {
 *   return tracium.span({ spanType: 'llm', name: 'answer' }, () => llm.chat(question))
 * })
 *
 * await using trace = tracium.startTrace({ agentName: 'nightly-digest' })
 * trace.span({ spanType: 'tool', name: 'fetch' }, () => fetchAll())
 * ```
 */
export function startTrace<T>(options: StartTraceOptions, fn: (trace: Trace) => T): T
export function startTrace(options?: StartTraceOptions): Trace
export function startTrace<T>(
  options: StartTraceOptions = {},
  fn?: (trace: Trace) => T,
): T | Trace {
  const trace = newTrace(options, getClient())
  if (fn === undefined) return trace
  return runToEnd(trace, () => trace.run(() => fn(trace)))
}

/** What only the SDK's own callers (the per-request traces) pass to {@link newTrace}. */
export interface InternalTraceInit {
  /** When the trace started. Default: now. */
  readonly start?: TraceStart
  /** The trace's tenant. Default: the current tenant. */
  readonly tenantId?: string | null
  /**
   * Metadata the SDK built itself, merged over `defaultMetadata` without the size check: the
   * per-request traces pay for no serialization they do not need.
   */
  readonly trustedMetadata?: Record<string, unknown>
  /**
   * The trace's tags, `init`'s `defaultTags` already merged and checked: the per-request traces
   * normalize theirs once per client, not once per request. Default: `options.tags` merged.
   */
  readonly trustedTags?: readonly string[]
  /** The trace ends right after it starts (`TraceInit.endsAtOnce`). Default: `false`. */
  readonly endsAtOnce?: boolean
}

/**
 * A new running trace of `client`, with `init`'s defaults applied and every limit checked.
 * @internal Shared by `startTrace()` and the per-request traces.
 * @example
 * ```ts
 * const trace = newTrace({ agentName: 'users-id' }, getClient(), { start, tenantId: 'acme' })
 * ```
 */
export function newTrace(
  options: StartTraceOptions,
  client: Client,
  internal: InternalTraceInit = {},
): Trace {
  const { start, tenantId, trustedMetadata, trustedTags, endsAtOnce } = internal
  const { config } = client
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('startTrace(options, fn) takes an options object.')
  }
  return new Trace({
    id: options.traceId === undefined ? undefined : validateTraceId(options.traceId),
    agentName: validateAgentName(options.agentName ?? config.defaultAgentName),
    modelId:
      optionalText(options.modelId, 'modelId', LIMITS.modelIdLength) ?? config.defaultModelId,
    version:
      optionalText(options.version, 'version', LIMITS.versionLength) ?? config.defaultVersion,
    // Shared by the traces of a client: a trace replaces its tags, never changes them in place.
    tags: trustedTags ?? normalizeTags(config.defaultTags, options.tags ?? []),
    metadata:
      options.metadata !== undefined
        ? validateMetadata(options.metadata, config.defaultMetadata)
        : { ...config.defaultMetadata, ...trustedMetadata },
    client,
    ...(start && { start }),
    ...(tenantId !== undefined && { tenantId }),
    ...(endsAtOnce && { endsAtOnce }),
  })
}
