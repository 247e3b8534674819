/**
 * Diagnostics events (DESIGN.md, Events). Subscribers (the SDK, the OpenTelemetry bridge, users'
 * loggers) learn about requests without importing any adapter. Channels are global by name, so
 * two copies of core publish to the same subscribers (S8).
 */
import diagnostics from 'node:diagnostics_channel'
import type { TenantErrorCode } from './errors.js'
import type { ScopeCloseInfo, ScopeView } from './scope-view.js'

/** Names of the channels core publishes on. */
export const TENANT_CHANNELS = {
  /** A request scope opened; message {@link ScopeOpenMessage}. */
  scopeOpen: 'tracium:tenant:scope-open',
  /** A request's tenant was resolved; message {@link TenantResolvedMessage}. */
  resolved: 'tracium:tenant:resolved',
  /** A request was rejected; message {@link TenantRejectedMessage}. */
  rejected: 'tracium:tenant:rejected',
  /** A request scope closed; message {@link ScopeCloseMessage}. */
  scopeClose: 'tracium:tenant:scope-close',
} as const

/** Published on `tracium:tenant:scope-open`, inside the new scope; `scope.request` says which. */
export interface ScopeOpenMessage {
  readonly scope: ScopeView
}

/** Published on `tracium:tenant:resolved`, inside the request's scope. */
export interface TenantResolvedMessage {
  readonly scope: ScopeView
  readonly tenantId: string
  /** Name of the source that produced the tenant, e.g. `header:x-tenant-id`. */
  readonly source: string
}

/** Published on `tracium:tenant:rejected`, inside the request's scope. */
export interface TenantRejectedMessage {
  readonly scope: ScopeView
  readonly code: TenantErrorCode
}

/** Published on `tracium:tenant:scope-close` once, when the response has closed. */
export interface ScopeCloseMessage extends Readonly<ScopeCloseInfo> {
  readonly scope: ScopeView
  /** `true` when the client went away before the response finished. */
  readonly aborted: boolean
}

export const scopeOpenChannel = diagnostics.channel(TENANT_CHANNELS.scopeOpen)
export const resolvedChannel = diagnostics.channel(TENANT_CHANNELS.resolved)
export const rejectedChannel = diagnostics.channel(TENANT_CHANNELS.rejected)
export const scopeCloseChannel = diagnostics.channel(TENANT_CHANNELS.scopeClose)
