// Compiled against the BUILT package, as an app installs it (self-reference through "exports"):
// ESM here (.mts: the "import" condition, dist/index.d.mts), CJS in app.cts.

import type { ResolvedTenant } from '@tracium/nestjs'
import type { Request } from 'express'

export function tenantOf(req: Request): string | null | undefined {
  const resolved: ResolvedTenant | undefined = req.tenant
  return resolved?.id ?? req.tenant?.id
}
