/** Typed calls to the dashboard's JSON endpoints (the types are the server's own). */
import type { TraceRecord } from '../../src/records.ts'
import type { MetaView, SeriesView, TenantsView, TenantView } from '../../src/ui/data.ts'

export type { MetaView, SeriesView, TenantsView, TenantView, TraceRecord }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export async function get<T>(path: string, params = new URLSearchParams()): Promise<T> {
  const query = params.toString()
  const res = await fetch(query ? `${path}?${query}` : path, {
    headers: { accept: 'application/json' },
  })
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { detail?: string } | null
    throw new ApiError(res.status, body?.detail ?? `HTTP ${res.status}`)
  }
  return (await res.json()) as T
}
