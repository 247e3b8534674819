/**
 * The Tracium HTTP API exporter, speaking the Python SDK's wire format. A finished trace becomes
 * a sequence of calls: create the trace, post its spans (at most 1000 a call), then complete or
 * fail it. The calls wait in a bounded queue; background workers send several traces at once,
 * each trace's calls in order, with retries and exponential backoff on 429, 5xx and network
 * errors. Fail-open: the app never sees an export error; `getQueueStats()` counts them.
 */

import { resolveApiKey, resolveBaseUrl } from '../env.js'
import { invalidArgument } from '../errors.js'
import { safeStringify } from '../json.js'
import { DeliveryQueue } from '../queue.js'
import type { TraceRecord } from '../records.js'
import { SDK_VERSION } from '../version.js'
import { httpBaseUrl } from './base-url.js'
import type { TraceExporter } from './exporter.js'
import {
  completeBody,
  createTraceBody,
  failBody,
  MAX_SPANS_PER_CALL,
  spanBody,
} from './http-wire.js'

/**
 * Options of {@link traciumHttpExporter}.
 * @example
 * ```ts
 * traciumHttpExporter({ apiKey: 'sk_live_…', maxRetries: 5, timeoutMs: 5_000 })
 * ```
 */
export interface TraciumHttpExporterOptions {
  /** API key, sent as `X-API-Key`. Default: env `TRACIUM_API_KEY`; one of them is required. */
  apiKey?: string
  /** Default: env `TRACIUM_BASE_URL`, else `https://api.tracium.ai`. */
  baseUrl?: string
  /** Most calls waiting; a trace whose calls do not all fit is dropped whole. Default: `10000`. */
  maxQueueSize?: number
  /** Retries of a call after its first failure. Default: `3`. */
  maxRetries?: number
  /** Delay before the first retry, doubled for each next one. Default: `100` (ms). */
  initialRetryDelayMs?: number
  /** Per-call timeout. Default: `10000` (ms). */
  timeoutMs?: number
  /**
   * How many traces are sent at once; each trace's calls stay in order. One at a time capped a
   * server at about 15 traces a second against an API 20 ms away. Default: `4`.
   */
  concurrency?: number
  /** Called with the error of a call given up on. Default: one process warning. */
  onError?: (error: unknown) => void
}

/** The exporter returned by {@link traciumHttpExporter}. */
export type TraciumHttpExporter = Required<TraceExporter>

/**
 * A non-2xx answer from the API.
 * @example
 * ```ts
 * traciumHttpExporter({ onError: (e) => e instanceof TraciumHttpError && log(e.status) })
 * ```
 */
export class TraciumHttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`POST ${path} answered HTTP ${status}`)
    this.name = 'TraciumHttpError'
  }
}

/** Where a trace's calls go; `remoteId` becomes the id the API returned for it. */
interface TraceTarget {
  remoteId: string
  readonly tenantId: string | null
}

interface Call {
  readonly target: TraceTarget
  /** `''` for the create call, else the suffix after `/agents/traces/{id}`. */
  readonly action: '' | '/spans' | '/complete' | '/fail'
  readonly body: string
}

/**
 * Sends traces to the Tracium HTTP API (`X-API-Key`, `User-Agent: tracium-js/<version>`,
 * `X-Tenant-ID` when the trace has a tenant). `init({ apiKey })` uses it for you.
 *
 * @throws {TraciumError} `INVALID_ARGUMENT` without an API key, with a bad `baseUrl` or
 * `concurrency`.
 * @example
 * ```ts
 * tracium.init({ exporter: tracium.traciumHttpExporter({ apiKey: process.env.TRACIUM_KEY }) })
 * ```
 */
export function traciumHttpExporter(options: TraciumHttpExporterOptions = {}): TraciumHttpExporter {
  const apiKey = resolveApiKey(options.apiKey)
  if (apiKey === undefined) {
    throw invalidArgument(
      'traciumHttpExporter() needs an API key: pass { apiKey } or set TRACIUM_API_KEY.',
    )
  }
  const baseUrl = httpBaseUrl('baseUrl', resolveBaseUrl(options.baseUrl))
  const timeoutMs = options.timeoutMs ?? 10_000
  const concurrency = options.concurrency ?? 4
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw invalidArgument(`concurrency must be a positive integer, got ${String(concurrency)}.`)
  }

  async function send(call: Call): Promise<void> {
    const path = `/agents/traces${call.action === '' ? '' : `/${encodeURIComponent(call.target.remoteId)}${call.action}`}`
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-API-Key': apiKey!,
      'User-Agent': `tracium-js/${SDK_VERSION}`,
    }
    if (call.target.tenantId !== null) headers['X-Tenant-ID'] = headerValue(call.target.tenantId)
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: call.body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    // Always read the body: an unread body keeps the connection from being reused.
    const text = await response.text()
    if (!response.ok) throw new TraciumHttpError(response.status, path)
    if (call.action === '') call.target.remoteId = remoteIdFrom(text) ?? call.target.remoteId
  }

  const queue = new DeliveryQueue<Call>({
    capacity: options.maxQueueSize ?? 10_000,
    concurrency,
    retries: options.maxRetries ?? 3,
    initialDelayMs: options.initialRetryDelayMs ?? 100,
    isRetryable,
    deliver: ([call]) => send(call!),
    ...(options.onError && { onError: options.onError }),
  })

  return {
    export(trace) {
      queue.push(callsFor(trace))
    },
    flush: (timeoutMs) => queue.drain(timeoutMs),
    shutdown: (timeoutMs) => queue.close(timeoutMs),
    stats: () => queue.stats(),
  }
}

function callsFor(trace: TraceRecord): Call[] {
  // The API may assign its own id; until it answers (or if it never does) the local id is used,
  // as the Python SDK does.
  const target: TraceTarget = { remoteId: trace.id, tenantId: trace.tenantId }
  const calls: Call[] = [{ target, action: '', body: safeStringify(createTraceBody(trace)) }]
  for (let i = 0; i < trace.spans.length; i += MAX_SPANS_PER_CALL) {
    const spans = trace.spans.slice(i, i + MAX_SPANS_PER_CALL).map(spanBody)
    calls.push({ target, action: '/spans', body: safeStringify({ spans }) })
  }
  calls.push(
    trace.status === 'failed'
      ? { target, action: '/fail', body: safeStringify(failBody(trace)) }
      : { target, action: '/complete', body: safeStringify(completeBody(trace)) },
  )
  return calls
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504])

function isRetryable(error: unknown): boolean {
  // The Python SDK's set: a 501 or 505 will not get better by asking again.
  if (error instanceof TraciumHttpError) return RETRYABLE_STATUS.has(error.status)
  // fetch rejects with a TypeError for network failures and a DOMException for the timeout.
  return true
}

function remoteIdFrom(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id
    return typeof id === 'string' && id.length > 0 ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * Header values are byte strings. A tenant id may be any Unicode (S6), so it is sent as its
 * UTF-8 bytes, which is how servers read a non-ASCII header value.
 */
function headerValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1')
}
