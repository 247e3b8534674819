/**
 * Reads the dashboard's query strings. Every parameter is checked: a bad value is a 400 with a
 * message that names it, never a guess.
 */
import { STATUS_CLASSES, type StatusClass } from '../report/rollup.js'
import type { Bucket, UiFilters } from './data.js'

/** A query parameter the server cannot use: answered 400. */
export class QueryError extends Error {}

// Tenant ids are at most 255 code points (S6); names of agents and models get the same room.
const MAX_VALUE = 1024

/**
 * The shared filters from `from`, `to`, `tenant`, `agent`, `model`, `status`.
 * @example
 * ```ts
 * filtersFrom(new URLSearchParams('tenant=acme&from=2025-03-01T00:00:00Z'))
 * ```
 */
export function filtersFrom(params: URLSearchParams): UiFilters {
  const filters: UiFilters = {}
  const from = instant(params, 'from')
  const to = instant(params, 'to')
  if (from !== undefined) filters.from = from
  if (to !== undefined) filters.to = to
  if (from !== undefined && to !== undefined && !(from < to)) {
    throw new QueryError('"from" must be before "to"')
  }
  for (const name of ['tenant', 'agent', 'model'] as const) {
    const value = text(params, name)
    if (value !== undefined) filters[name] = value
  }
  const status = text(params, 'status')
  if (status !== undefined) {
    if (!STATUS_CLASSES.includes(status as StatusClass)) {
      throw new QueryError(`"status" is one of ${STATUS_CLASSES.join(', ')}`)
    }
    filters.status = status as StatusClass
  }
  return filters
}

/**
 * `bucket`: `hour` or `day`; by default hours for windows up to three days.
 * @example
 * ```ts
 * bucketFrom(new URLSearchParams('bucket=day'), {}) // 'day'
 * ```
 */
export function bucketFrom(params: URLSearchParams, filters: UiFilters, now: Date): Bucket {
  const bucket = text(params, 'bucket')
  if (bucket === 'hour' || bucket === 'day') return bucket
  if (bucket !== undefined) throw new QueryError('"bucket" is hour or day')
  if (filters.from === undefined) return 'day'
  const end = filters.to === undefined ? now.getTime() : Date.parse(filters.to)
  return end - Date.parse(filters.from) <= 3 * 86400e3 ? 'hour' : 'day'
}

/**
 * `compare`: the tenants to draw side by side, repeated or comma separated (at most 8).
 * @example
 * ```ts
 * compareFrom(new URLSearchParams('compare=acme&compare=globex')) // ['acme', 'globex']
 * ```
 */
export function compareFrom(params: URLSearchParams): string[] {
  const tenants = params.getAll('compare').filter((t) => t.length > 0)
  if (tenants.length > 8) throw new QueryError('"compare" takes at most 8 tenants')
  for (const t of tenants) if (t.length > MAX_VALUE) throw new QueryError('"compare" is too long')
  return [...new Set(tenants)]
}

/**
 * A required parameter, such as a trace's `id`.
 * @example
 * ```ts
 * required(new URLSearchParams('id=abc'), 'id') // 'abc'
 * ```
 */
export function required(params: URLSearchParams, name: string): string {
  const value = text(params, name)
  if (value === undefined) throw new QueryError(`"${name}" is required`)
  return value
}

function text(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name)
  if (values.length > 1) throw new QueryError(`"${name}" is given more than once`)
  const value = values[0]
  if (value === undefined || value === '') return undefined
  if (value.length > MAX_VALUE) throw new QueryError(`"${name}" is too long`)
  return value
}

function instant(params: URLSearchParams, name: string): string | undefined {
  const value = text(params, name)
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new QueryError(`"${name}" is not a date/time`)
  return new Date(ms).toISOString()
}
