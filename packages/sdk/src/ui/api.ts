/**
 * The dashboard's JSON endpoints: one function per view, each a thin call into `data.ts`.
 */

import { listSegments } from '../store/segments.js'
import { storeDir } from '../store-path.js'
import { metaView, seriesView, tenantsView, tenantView, traceView, type UiStore } from './data.js'
import { bucketFrom, compareFrom, filtersFrom, QueryError, required } from './query.js'

/** What an endpoint answers: a JSON body, or `null` for 404. */
type Endpoint = (store: UiStore, params: URLSearchParams, now: Date) => Promise<unknown>

/**
 * The endpoints by path. `/api/stamp` changes whenever the store does: the page polls it and
 * reloads its view when it moves, which is how new traces appear without a restart.
 * @example
 * ```ts
 * await API.get('/api/tenants')?.({ dir }, new URLSearchParams('from=2025-03-01'), new Date())
 * ```
 */
export const API = new Map<string, Endpoint>([
  ['/api/meta', (store) => metaView(store)],
  ['/api/tenants', (store, params, now) => tenantsView(store, filtersFrom(params), now)],
  [
    '/api/series',
    (store, params, now) => {
      const filters = filtersFrom(params)
      return seriesView(store, filters, bucketFrom(params, filters, now), compareFrom(params), now)
    },
  ],
  [
    '/api/tenant',
    (store, params) => tenantView(store, required(params, 'id'), filtersFrom(params)),
  ],
  ['/api/trace', (store, params) => traceView(store, required(params, 'id'))],
  ['/api/stamp', (store) => stamp(store)],
])

// Every file of traces with its size and time: it moves when a trace is appended, a segment
// opens, or retention deletes one. A few stat calls per poll; no line is read.
async function stamp(store: UiStore): Promise<{ stamp: string }> {
  try {
    const files = await listSegments(storeDir(store.dir))
    return { stamp: files.map((f) => `${f.name}:${f.size}:${f.mtimeMs}`).join('/') }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    return { stamp: 'none' }
  }
}

export { QueryError }
