import { configDefaults, defineConfig } from 'vitest/config'
import { nodeForOtel3 } from './test/newer-node.ts'

// OpenTelemetry 3.x needs Node >= 22.15. On an older Node the 3.x file runs only when a newer
// binary is at hand (CI's Node 22 and 24 passes always run it); see README "Versions".
const otel3 = nodeForOtel3() !== null

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(otel3 ? [] : ['test/otel3.test.ts'])],
    // CI runs every package's suite at once on two cores; a slow second is not a failure.
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
})
