import { defineConfig } from 'tsdown'
import { packageBuild } from '../../tsdown.base.ts'

export default defineConfig({
  ...packageBuild(['src/index.ts', 'src/cli.ts']),
  // The CJS build needs import.meta.url shimmed: ui/page-files.ts finds the bundled page with
  // `new URL('./ui/', import.meta.url)`, and llm-instrumentation.ts loads
  // @opentelemetry/instrumentation-openai lazily with createRequire(import.meta.url).
  shims: true,
})
