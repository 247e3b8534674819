/**
 * Type augmentation shipped in the package's declarations: `req.tenant` on Express's request.
 * It lives in its own module, imported by index.ts, because the bundled `.d.ts` keeps only what
 * the entry's exports reach: a `declare global` inside tenant.middleware.ts was dropped (TS2339
 * on `req.tenant` for users). `export {}` and the import keep it a module augmentation.
 *
 * Fastify's `FastifyRequest` is not augmented: a `declare module 'fastify'` in our declarations
 * would fail to compile (TS2664) for Express users without fastify installed unless they set
 * `skipLibCheck`. Declare it in your app instead (see the README).
 */
import type { ResolvedTenant } from '@tracium/core'

declare global {
  namespace Express {
    interface Request {
      /** The tenant Tracium resolved for this request: `{ id, source, claims? }`. */
      tenant?: ResolvedTenant
    }
  }
}

/** Marker, so index.ts can import this module for its types only. */
export type TenantRequestAugmentation = true
