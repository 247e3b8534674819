import { defineConfig } from 'tsdown'
import { packageBuild } from '../../tsdown.base.ts'

export default defineConfig({
  ...packageBuild(['src/index.ts', 'src/cli.ts']),
  // The `tracium` bin is ESM only (package.json "bin": dist/cli.mjs). Built for CJS too, it made
  // index.cjs a chunk the CLI shared, and rolldown exported its `__toESM` helper from it.
  format: { esm: {}, cjs: { entry: { index: 'src/index.ts' } } },
  // The CJS build needs import.meta.url shimmed: ui/page-files.ts finds the bundled page with
  // `new URL('./ui/', import.meta.url)`, and llm-instrumentation.ts loads
  // @opentelemetry/instrumentation-openai lazily with createRequire(import.meta.url).
  shims: true,
})
