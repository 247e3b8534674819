/**
 * The one AsyncLocalStorage behind every tenant read and write.
 *
 * S8: an app that loads both the ESM and the CJS build of `@tracium/core` (or two versions of it)
 * must still see one tenant; two storages would make the tenant silently vanish between them.
 * So the storage lives in the global symbol registry, and the store is plain data that every
 * copy reads the same way. Bump the key's version if the shape of {@link TenantCell} changes.
 */
import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The request a cell belongs to (a `RequestScope`, possibly of another copy of core). `closed`
 * flips once, when the response closes (S2).
 */
export interface ScopeState {
  readonly closed: boolean
}

/** The value stored in the AsyncLocalStorage. */
export interface TenantCell {
  /** The tenant of this scope; `null` when none is set. */
  tenantId: string | null
  /** The request this cell belongs to, or `null` for a cell detached from any request. */
  readonly request: ScopeState | null
  /**
   * `true` for cells made by `setTenant` outside any scope (S4). Such a cell is replaced, never
   * changed, so async work started before the change keeps its value, like a Python ContextVar.
   */
  readonly ambient: boolean
}

const STORAGE_KEY = Symbol.for('@tracium/core:tenant-storage:v1')

type Registry = { [STORAGE_KEY]?: AsyncLocalStorage<TenantCell> }
const registry = globalThis as Registry

registry[STORAGE_KEY] ??= new AsyncLocalStorage<TenantCell>()
export const storage: AsyncLocalStorage<TenantCell> = registry[STORAGE_KEY]

/** A cell with no request behind it: what `withTenant`, snapshots and bound functions run in. */
export function detachedCell(tenantId: string | null): TenantCell {
  return { tenantId, request: null, ambient: false }
}
