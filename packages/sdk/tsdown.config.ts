import { defineConfig } from 'tsdown'
import { packageBuild } from '../../tsdown.base.ts'

export default defineConfig({
  ...packageBuild(['src/index.ts', 'src/cli.ts']),
  // ui/page-files.ts finds the bundled page with `new URL('./ui/', import.meta.url)`; the CJS
  // build needs import.meta.url shimmed.
  shims: true,
})
