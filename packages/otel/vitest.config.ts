import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CI runs every package's suite at once on two cores; a slow second is not a failure.
    testTimeout: 15_000,
  },
})
