/**
 * The one warning of S2: code read the tenant of a request that has already ended. That means a
 * long-lived resource (a pool, an agent socket, a timer) was created during the request and now
 * runs with its context; without the closed flag it would have read that old tenant.
 */

const WARNED_KEY = Symbol.for('@tracium/core:closed-scope-warned')
type Registry = { [WARNED_KEY]?: boolean }
const registry = globalThis as Registry

/** Warning code, for `process.on('warning')` filters. */
export const CLOSED_SCOPE_WARNING_CODE = 'TRACIUM_TENANT_SCOPE_CLOSED'

/**
 * Emits the warning once per process, and never in production.
 * @param reader the public function that read the tenant; its caller is the first stack frame.
 */
// biome-ignore lint/complexity/noBannedTypes: any function works as a stack-trace boundary
export function warnClosedScopeRead(reader: Function): void {
  if (registry[WARNED_KEY] || process.env.NODE_ENV === 'production') return
  registry[WARNED_KEY] = true
  process.emitWarning(
    'The tenant was read in the async context of a request that has already ended, so it reads ' +
      'null. Some long-lived resource (a timer, connection pool, agent socket or event emitter) ' +
      'was created during that request and keeps its context. Capture the tenant explicitly for ' +
      'deferred work with captureTenant() or bindTenant(), or create the resource at start-up.',
    { code: CLOSED_SCOPE_WARNING_CODE, detail: `Read at:\n${readSite(reader)}` },
  )
}

// biome-ignore lint/complexity/noBannedTypes: see warnClosedScopeRead
function readSite(reader: Function): string {
  const site: { stack?: string } = {}
  // Cut the stack at the public reader so the first frame is the user's code.
  Error.captureStackTrace(site, reader)
  return (site.stack ?? '').split('\n').slice(1).join('\n')
}
