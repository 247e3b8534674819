import { defineConfig } from 'tsdown'
import { packageBuild } from '../../tsdown.base.ts'

export default defineConfig({
  ...packageBuild(['src/index.ts', 'src/cli.ts']),
  // llm-instrumentation.ts loads @opentelemetry/instrumentation-openai lazily with
  // createRequire(import.meta.url); the CJS build needs import.meta.url shimmed.
  shims: true,
})
