// The same packages through `require` (the "require" condition of each exports map).
import express = require('express')
import core = require('@tracium/core')
import adapter = require('@tracium/express')
import otel = require('@tracium/otel')
import sdk = require('@tracium/sdk')

const app = express()
app.use(adapter.traciumTenant())
console.log(
  JSON.stringify({
    core: typeof core.getCurrentTenant,
    express: typeof adapter.traciumTenant,
    otel: typeof otel.traciumSpanProcessor,
    sdk: typeof sdk.init,
    // One tenant context for both: the adapter re-exports core's functions (S8).
    shared: core.withTenant('acme', () => adapter.getCurrentTenant()),
  }),
)
