// Compiled against the BUILT package, as an app installs it (self-reference through "exports"):
// CJS here (.cts: the "require" condition, dist/index.d.cts), ESM in app.mts.

import type { ResolvedTenant } from '@tracium/nestjs'
import type { Request } from 'express'

export function tenantOf(req: Request): string | null | undefined {
  const resolved: ResolvedTenant | undefined = req.tenant
  return resolved?.id ?? req.tenant?.id
}
