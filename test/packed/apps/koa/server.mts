// A user's Koa app on the packed packages.
import type { AddressInfo } from 'node:net'
import { getCurrentTenant, traciumTenant } from '@tracium/koa'
import Koa from 'koa'

const app = new Koa()
app.use(traciumTenant({ required: true }))
app.use((ctx) => {
  ctx.body = { tenant: getCurrentTenant(), same: ctx.state.tenant?.id ?? null }
})

const server = app.listen(0, '127.0.0.1', () => {
  console.log(`READY ${JSON.stringify({ koa: (server.address() as AddressInfo).port })}`)
})
