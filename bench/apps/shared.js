// What every benchmark app shares: the route body, the floor middleware's storage, the secret.
import { AsyncLocalStorage } from 'node:async_hooks'

/** The HS256 secret of the JWT variants. */
export const JWT_SECRET = 'bench-secret-that-is-at-least-32-bytes'

/** The floor: the least any AsyncLocalStorage-based adapter can do per request. */
export const floorStorage = new AsyncLocalStorage()

/** The trivial async route: two awaits, then the tenant read by `read`. */
export async function routeBody(read) {
  await Promise.resolve()
  await Promise.resolve()
  return { tenant: read() ?? null }
}
