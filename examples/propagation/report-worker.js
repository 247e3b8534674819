// The Piscina worker file. Threads are reused across tenants: withTaskTenant runs each task
// under the tenant its tenantTask() envelope carried, and only that task.
import { getCurrentTenant, withTaskTenant } from '@tracium/core'

export default withTaskTenant(async ({ month }) => {
  // A CPU-heavy report; traces and logs here are tagged with the task's tenant.
  return { tenant: getCurrentTenant(), month, rows: 3 }
})
