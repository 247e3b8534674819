import { defineConfig } from 'tsdown'
import { packageBuild } from '../../tsdown.base.ts'

export default defineConfig({
  ...packageBuild(),
  // trace-context.ts resolves the optional @opentelemetry/api peer with
  // createRequire(import.meta.url); the CJS build needs import.meta.url shimmed.
  shims: true,
})
