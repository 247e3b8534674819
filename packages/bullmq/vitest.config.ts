import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one real redis-server for the whole run and stops it at the end (see the file).
    globalSetup: ['test/redis.global-setup.ts'],
    // CI runs every package's suite at once on two cores; a slow second is not a failure.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
