/**
 * `init()`: configure the SDK once at start-up. Options are checked here, once, so a typo fails
 * at boot and not on the first trace (DESIGN.md E3).
 */
import { Client, type ClientConfig, type ClientOutputs } from './client.js'
import { resolveApiKey } from './env.js'
import { invalidArgument } from './errors.js'
import { installExitFlush } from './exit-flush.js'
import type { TraceExporter } from './exporters/exporter.js'
import { traciumHttpExporter } from './exporters/http.js'
import { localStore } from './exporters/local-store.js'
import { otlpSettings } from './exporters/otel-otlp.js'
import {
  LIMITS,
  normalizeTags,
  optionalText,
  validateAgentName,
  validateMetadata,
} from './limits.js'
import { instrumentLlmClients, type LlmInstrumentationOptions } from './llm-instrumentation.js'
import { checkOptionNames, INIT_OPTION_NAMES } from './option-names.js'
import { requestParented } from './otel/request-parent.js'
import { type ModelPrices, validatePrices } from './prices.js'

/**
 * Options of {@link init}.
 * @example
 * ```ts
 * tracium.init({ apiKey: process.env.TRACIUM_API_KEY, defaultTags: ['prod'] })
 * ```
 */
export interface TraciumOptions extends LlmInstrumentationOptions {
  /**
   * Tracium API key. With an OTLP endpoint it is sent as `Authorization: Bearer <key>` (unless
   * `headers` or `OTEL_EXPORTER_OTLP_HEADERS` authorize already); without one, traces go to the
   * hosted Tracium HTTP API. Default: env `TRACIUM_API_KEY`.
   */
  apiKey?: string
  /** Base URL of the hosted Tracium HTTP API (no OTLP endpoint). Default: env `TRACIUM_BASE_URL`, else `https://api.tracium.ai`. */
  baseUrl?: string
  /**
   * OTLP/HTTP base URL (Tracium's backend: `http://host:4318`); spans are posted as protobuf to
   * `<endpoint>/v1/traces`. Default: env `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (a full URL) or
   * `OTEL_EXPORTER_OTLP_ENDPOINT`; none: no OTLP.
   */
  endpoint?: string
  /** Headers of the OTLP requests, over `OTEL_EXPORTER_OTLP_HEADERS`. Default: none. */
  headers?: Record<string, string>
  /**
   * Flush buffered traces on SIGTERM, SIGINT and `beforeExit`, for at most this many
   * milliseconds, so a graceful stop loses nothing; `false` turns it off. After a signal the
   * process still exits (the signal is raised again) unless the app listens to it too.
   * Default: `5000`.
   */
  flushOnExit?: number | false
  /** Directory of the local store. Default: env `TRACIUM_DIR`, else `.tracium`. */
  dir?: string
  /** Agent name of traces that do not give one. Default: `'app'`. */
  defaultAgentName?: string
  /** Model id of traces that do not give one. Default: none. */
  defaultModelId?: string
  /** Version of traces that do not give one. Default: none. */
  defaultVersion?: string
  /** Tags added to every trace (merged, de-duplicated case-insensitively). Default: none. */
  defaultTags?: string[]
  /** Metadata every trace starts with; a trace's own keys win. Default: `{}`. */
  defaultMetadata?: Record<string, unknown>
  /**
   * Where finished traces go as records. Default: none with an OTLP endpoint, else the hosted
   * HTTP API when there is an API key, else the local store. Given an exporter, the hosted API
   * is not used (OTLP still is, when an endpoint is configured).
   */
  exporter?: TraceExporter | TraceExporter[]
  /**
   * Most items waiting in each default queue (spans for OTLP, traces for the local store, calls
   * for the hosted API); more are dropped and counted by `getQueueStats()`. Default: `10000`.
   */
  maxQueueSize?: number
  /** USD per million tokens by model id, to compute cost. Default: none (no cost). */
  prices?: ModelPrices
}

let current: Client | null = null
let currentOptions: TraciumOptions = {}
let announcedLocalStore = false

/**
 * Configures the SDK. Call it once at start-up; calling it again replaces the configuration
 * (traces already running finish with the old one). Without it, the first trace initializes
 * the SDK with the defaults.
 *
 * With no API key and no exporter, traces go to the embedded local store, and `init` says so
 * once on stderr.
 *
 * @throws {TraciumError} `INVALID_ARGUMENT` for an option that breaks a limit.
 * @example
 * ```ts
 * import * as tracium from '@tracium/sdk'
 *
 * tracium.init({
 *   defaultAgentName: 'support-bot',
 *   defaultTags: ['prod'],
 *   prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
 * })
 * ```
 */
export function init(options: TraciumOptions = {}): void {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('init(options) takes an options object.')
  }
  checkOptionNames(options, INIT_OPTION_NAMES, 'init')
  const config = checkConfig(options)
  const flushMs = checkFlushOnExit(options.flushOnExit)
  if (
    options.instrumentLlmClients !== undefined &&
    typeof options.instrumentLlmClients !== 'boolean'
  ) {
    throw invalidArgument('init({ instrumentLlmClients }) must be true or false.')
  }
  const outputs = chooseOutputs(options)
  const previous = current
  current = new Client(config, outputs)
  currentOptions = options
  // openai calls as gen_ai spans on the new provider, in the request's trace (one
  // instrumentation per process: a later init() re-points it; false turns it off).
  instrumentLlmClients(requestParented(current.provider), options)
  if (flushMs !== false) installExitFlush(flushMs)
  // Exporters reused by the new client stay open; the others close once the traces started
  // with the old client have ended.
  previous?.retire(10_000, outputs.exporters)
}

/**
 * The options of the last `init()`, for `trace()` to add to rather than reset.
 * @internal
 * @example
 * ```ts
 * init({ ...initOptions(), defaultTags: ['api'] })
 * ```
 */
export function initOptions(): TraciumOptions {
  return current === null ? {} : currentOptions
}

/**
 * The configured client, initializing with the defaults on first use.
 * @example
 * ```ts
 * getClient().config.defaultAgentName // 'app'
 * ```
 */
export function getClient(): Client {
  if (current === null) init()
  return current!
}

/**
 * The configured client, or `null` before `init()` (does not initialize).
 * @example
 * ```ts
 * peekClient()?.stats()
 * ```
 */
export function peekClient(): Client | null {
  return current
}

/**
 * Drops the client and returns it, for `shutdown()`.
 * @internal
 * @example
 * ```ts
 * await takeClient()?.shutdown(10_000)
 * ```
 */
export function takeClient(): Client | null {
  const client = current
  current = null
  currentOptions = {}
  return client
}

function checkConfig(options: TraciumOptions): ClientConfig {
  return {
    defaultAgentName: validateAgentName(options.defaultAgentName ?? 'app'),
    defaultModelId: optionalText(options.defaultModelId, 'defaultModelId', LIMITS.modelIdLength),
    defaultVersion: optionalText(options.defaultVersion, 'defaultVersion', LIMITS.versionLength),
    defaultTags: normalizeTags(options.defaultTags ?? []),
    defaultMetadata:
      options.defaultMetadata === undefined ? {} : validateMetadata(options.defaultMetadata),
    prices: options.prices === undefined ? undefined : validatePrices(options.prices),
  }
}

function checkFlushOnExit(value: unknown): number | false {
  if (value === undefined) return 5_000
  if (value === false) return false
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(
      `flushOnExit must be a number of milliseconds or false, got ${String(value)}.`,
    )
  }
  return value
}

function chooseOutputs(options: TraciumOptions): ClientOutputs {
  const maxQueueSize = options.maxQueueSize ?? 10_000
  if (!Number.isSafeInteger(maxQueueSize) || maxQueueSize < 1) {
    throw invalidArgument(`maxQueueSize must be a positive integer, got ${String(maxQueueSize)}.`)
  }
  if (options.headers !== undefined && !isStringRecord(options.headers)) {
    throw invalidArgument('headers must be an object of string values, e.g. { "x-team": "a" }.')
  }
  const apiKey = resolveApiKey(options.apiKey)
  const otlp = otlpSettings({
    endpoint: options.endpoint,
    headers: options.headers,
    apiKey,
    maxQueueSize,
  })
  if (otlp !== null && options.exporter === undefined) return { exporters: [], otlp }
  return { exporters: chooseExporters(options, maxQueueSize), otlp }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'string')
  )
}

function chooseExporters(options: TraciumOptions, maxQueueSize: number): TraceExporter[] {
  if (options.exporter !== undefined) {
    const exporters = Array.isArray(options.exporter) ? options.exporter : [options.exporter]
    for (const exporter of exporters) {
      if (typeof exporter?.export !== 'function') {
        throw invalidArgument('exporter must have an export(trace) method (see TraceExporter).')
      }
    }
    return exporters
  }
  const apiKey = resolveApiKey(options.apiKey)
  if (apiKey !== undefined) {
    return [
      traciumHttpExporter({
        apiKey,
        maxQueueSize,
        ...(options.baseUrl !== undefined && { baseUrl: options.baseUrl }),
      }),
    ]
  }
  const store = localStore({ maxQueueSize, ...(options.dir !== undefined && { dir: options.dir }) })
  if (!announcedLocalStore) {
    announcedLocalStore = true
    process.stderr.write(
      `@tracium/sdk: no API key and no exporter, so traces go to the local store ${store.file} ` +
        '(read it with `npx tracium report`). Set TRACIUM_API_KEY to send them to Tracium.\n',
    )
  }
  return [store]
}
